import Metrics
import Synchronization

/// A stage's progress heartbeat: a counter the stage bumps as it makes progress, read without locks.
///
/// Stages call `beat(count:)` per batch (not per element); the watchdog only reads.
public final class StageHeartbeat: Sendable {
    /// The stage this heartbeat belongs to.
    public let stageName: String
    private let progress = Atomic<UInt64>(0)
    private let pending = Atomic<Int>(0)

    /// Creates a heartbeat for `stageName`.
    public init(stageName: String) {
        self.stageName = stageName
    }

    /// Records `count` units of progress (elements processed or emitted).
    public func beat(count: UInt64 = 1) { progress.add(count, ordering: .relaxed) }

    /// Sets how much work is waiting for this stage (e.g. its input channel's depth). A stage with nothing
    /// waiting is idle, never stalled.
    public func setPending(_ value: Int) { pending.store(value, ordering: .relaxed) }

    /// Total progress so far.
    public var progressCount: UInt64 { progress.load(ordering: .relaxed) }

    /// Work waiting for the stage.
    public var pendingCount: Int { pending.load(ordering: .relaxed) }
}

/// Detects stalled stages: work is waiting, but the stage has made no progress for `stallThreshold`.
///
/// A slow stage that still moves is never reported as stalled, however slow, because any progress resets
/// its timer. Call `check()` periodically (a monitoring task, or the harness's sampler); it reads the clock
/// once and each heartbeat's atomics, and returns the stage names that became stalled or recovered since
/// the last check. Every stall also increments the swift-metrics counter `stage_stall_total` (dimension
/// `stage`), and `stallEventsTotal` counts them for callers without a metrics backend.
public final class BackpressureWatchdog<Clock: MonotonicClock>: Sendable {
    /// A stall event.
    public struct Event: Hashable, Sendable {
        /// Whether the stage stalled or recovered.
        public enum Kind: Hashable, Sendable {
            /// The stage had pending work and made no progress for at least the threshold.
            case stalled
            /// A stalled stage made progress again.
            case recovered
        }

        /// The stage the event is about.
        public var stageName: String
        /// Stalled or recovered.
        public var kind: Kind
        /// How long the stage had gone without progress when the event was raised, in nanoseconds.
        public var sinceProgressNanoseconds: UInt64

        /// Creates an event.
        public init(stageName: String, kind: Kind, sinceProgressNanoseconds: UInt64) {
            self.stageName = stageName
            self.kind = kind
            self.sinceProgressNanoseconds = sinceProgressNanoseconds
        }
    }

    private struct Tracked {
        var heartbeat: StageHeartbeat
        var lastProgress: UInt64
        var lastProgressAt: UInt64
        var isStalled: Bool
    }

    private let clock: Clock
    private let stallThresholdNanoseconds: UInt64
    private let state: Mutex<[Tracked]>
    private let stalls = Atomic<Int>(0)
    private let metricsFactory: any MetricsFactory

    /// Creates a watchdog over `heartbeats` that reports a stall after `stallThreshold` without progress.
    /// Stall counters go to `metricsFactory` (default: the bootstrapped `MetricsSystem.factory`).
    public init(
        heartbeats: [StageHeartbeat], stallThreshold: Duration, clock: Clock,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.clock = clock
        self.metricsFactory = metricsFactory
        self.stallThresholdNanoseconds = stallThreshold.nanoseconds
        let now = clock.nowNanoseconds()
        self.state = Mutex(heartbeats.map {
            Tracked(heartbeat: $0, lastProgress: $0.progressCount, lastProgressAt: now, isStalled: false)
        })
    }

    /// Starts watching more heartbeats (an engine registers its stages' and channels' as it plans a run); their
    /// silence is measured from now.
    public func register(_ heartbeats: [StageHeartbeat]) {
        let now = clock.nowNanoseconds()
        state.withLock { tracked in
            for heartbeat in heartbeats {
                tracked.append(
                    Tracked(heartbeat: heartbeat, lastProgress: heartbeat.progressCount, lastProgressAt: now, isStalled: false))
            }
        }
    }

    /// Stalls reported so far.
    public var stallEventsTotal: Int { stalls.load(ordering: .relaxed) }

    /// Names of the stages stalled right now.
    public var stalledStages: [String] {
        state.withLock { $0.filter(\.isStalled).map(\.heartbeat.stageName) }
    }

    /// Compares every heartbeat with the last check and returns new stall and recovery events. O(stages).
    public func check() -> [Event] {
        let now = clock.nowNanoseconds()
        let events = state.withLock { tracked -> [Event] in
            var events: [Event] = []
            for index in tracked.indices {
                let progress = tracked[index].heartbeat.progressCount
                if progress != tracked[index].lastProgress {
                    if tracked[index].isStalled {
                        events.append(Event(
                            stageName: tracked[index].heartbeat.stageName, kind: .recovered,
                            sinceProgressNanoseconds: now &- tracked[index].lastProgressAt))
                    }
                    tracked[index].lastProgress = progress
                    tracked[index].lastProgressAt = now
                    tracked[index].isStalled = false
                    continue
                }
                let idle = tracked[index].heartbeat.pendingCount <= 0
                if idle {
                    // Nothing to do is not a stall; restart the timer so a later stall is measured from here.
                    tracked[index].lastProgressAt = now
                    continue
                }
                let silent = now &- tracked[index].lastProgressAt
                if !tracked[index].isStalled && silent >= stallThresholdNanoseconds {
                    tracked[index].isStalled = true
                    events.append(Event(
                        stageName: tracked[index].heartbeat.stageName, kind: .stalled, sinceProgressNanoseconds: silent))
                }
            }
            return events
        }
        let newStalls = events.count { $0.kind == .stalled }
        if newStalls > 0 { stalls.add(newStalls, ordering: .relaxed) }
        for event in events where event.kind == .stalled {
            Counter(
                label: PipelineMetricName.stageStalls, dimensions: [("stage", event.stageName)], factory: metricsFactory
            ).increment()
        }
        return events
    }
}
