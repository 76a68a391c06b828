import Metrics
import Synchronization

/// The watchdog a `ConcurrentEngine` feeds itself: set `ConcurrentEngine.watchdog`, and every segment task (named
/// `stage <segment>`, the source and the sink included) and every channel (named `channel <name>`) of a run gets a
/// `StageHeartbeat` that the engine beats as batches move. A segment has pending work while it holds a batch it has
/// not finished; a channel has pending work while elements wait in it. A heartbeat with pending work and no progress
/// for `stallThreshold` is a stall: an `Event`, counted in `stage_stall_total` (dimension `stage`) and
/// `stallEventsTotal`, and handed to `onEvent`. A segment blocked on a full output channel is not stalled (its
/// consumer is, or is just slow); a source waiting for input is idle.
///
/// Checks run every `checkInterval` in a monitor task for the length of each run (it sleeps with `Task.sleep`; the
/// run cancels it when it ends). With `checkInterval` nil no monitor runs and the owner calls `check()` itself, as
/// tests do with a `ManualClock`.
public final class EngineWatchdog: Sendable {
    /// A stall or a recovery; `stageName` is `stage <segment>` or `channel <name>`.
    public typealias Event = BackpressureWatchdog<AnyMonotonicClock>.Event

    /// Time between checks while a run lasts; nil: only explicit `check()` calls.
    public let checkInterval: Duration?
    private let watchdog: BackpressureWatchdog<AnyMonotonicClock>
    private let onEvent: @Sendable (Event) -> Void
    private let log = Mutex<[Event]>([])

    /// Creates a watchdog reporting stalls after `stallThreshold` of `clock` without progress.
    public init(
        stallThreshold: Duration, clock: any MonotonicClock = SystemMonotonicClock(),
        checkInterval: Duration? = .seconds(1), metricsFactory: any MetricsFactory = MetricsSystem.factory,
        onEvent: @escaping @Sendable (Event) -> Void = { _ in }
    ) {
        self.checkInterval = checkInterval
        self.onEvent = onEvent
        watchdog = BackpressureWatchdog(
            heartbeats: [], stallThreshold: stallThreshold, clock: AnyMonotonicClock(clock), metricsFactory: metricsFactory)
    }

    /// Every event so far, in order.
    public var events: [Event] { log.withLock { $0 } }

    /// Stalls reported so far.
    public var stallEventsTotal: Int { watchdog.stallEventsTotal }

    /// The heartbeats stalled right now.
    public var stalledNames: [String] { watchdog.stalledStages }

    /// Compares every heartbeat with the last check; records, counts and reports new stalls and recoveries.
    @discardableResult
    public func check() -> [Event] {
        let events = watchdog.check()
        guard !events.isEmpty else { return events }
        log.withLock { $0.append(contentsOf: events) }
        for event in events { onEvent(event) }
        return events
    }

    /// A new heartbeat named `name`, watched from now. The engine calls this while it plans a run.
    @usableFromInline
    func heartbeat(_ name: String) -> StageHeartbeat {
        let heartbeat = StageHeartbeat(stageName: name)
        watchdog.register([heartbeat])
        return heartbeat
    }

    /// Checks every `checkInterval` until cancelled. Suspends in `Task.sleep`; cancellation ends it.
    func monitor() async {
        guard let checkInterval else { return }
        while !Task.isCancelled {
            do { try await Task.sleep(for: checkInterval) } catch { return }
            check()
        }
    }
}

/// Any `MonotonicClock` behind one concrete type (the watchdog's generic parameter).
public struct AnyMonotonicClock: MonotonicClock {
    /// The wrapped clock.
    public let base: any MonotonicClock

    /// Wraps `base`.
    public init(_ base: any MonotonicClock) { self.base = base }

    /// The wrapped clock's reading, in nanoseconds.
    public func nowNanoseconds() -> UInt64 { base.nowNanoseconds() }
}
