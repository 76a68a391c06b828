import Sluice

/// How a window stage aggregates: from non-overlapping slices (each element aggregated once) or per window
/// (each element aggregated into every window it belongs to; the reference the sliced strategy is checked
/// and benchmarked against).
public enum WindowStrategy: String, Sendable, Hashable {
    /// Each element is added to one slice; windows combine slices (Scotty/Cutty-style stream slicing).
    case sliced
    /// Each element is added to each of its windows.
    case perWindow = "per-window"
}

/// What the late event guard does when a new window would exceed its cap.
public enum WindowOverflowPolicy: String, Sendable, Hashable {
    /// Fire (if it has not fired on time yet) and drop the window with the oldest cleanup time, until the
    /// new window fits. Its results are emitted with `PaneInfo.Timing.evicted`.
    case evictOldest = "evict-oldest"
    /// Refuse the element that would open the window: it goes to the late-element policy
    /// (`LateElement.Reason.windowCapReached`).
    case rejectNew = "reject-new"
}

/// The settings of a window stage beyond its assigner, trigger and accumulator.
public struct WindowConfiguration<Element: Sendable>: Sendable {
    /// How long after a window's end (ms of event time) late elements still update it and re-fire it. Its
    /// state is dropped once the watermark passes `end - 1 + allowedLateness`.
    public var allowedLateness: Int64
    /// What happens to elements beyond the allowed lateness (and to those the guard refuses).
    public var latePolicy: LateElementPolicy<Element>
    /// The late event guard: the most windows held at once (all keys), or nil for no cap.
    public var maxWindows: Int?
    /// What the guard does at the cap.
    public var overflowPolicy: WindowOverflowPolicy
    /// Sliced or per-window aggregation.
    public var strategy: WindowStrategy
    /// How many inputs send watermarks (merged streams, numbered by the `input` of their `.watermarks(...)`
    /// stage): the stage's watermark is the minimum over the inputs that are not idle, and it does not move
    /// until each has sent one or gone idle.
    public var watermarkInputs: Int
    /// The idle timeout where streams merge (ms of processing time on `clock`), or nil for none: an input that
    /// has sent no watermark for this long is treated as idle, as if it had sent `Watermark(isIdle: true)`,
    /// and stops holding the stage's watermark back; its next watermark makes it rejoin the minimum (the
    /// stage's watermark never moves back, so its elements at or before it are late). Each input's clock
    /// starts when the stage receives its first input of any kind, so an input that has not reported yet gets
    /// the full timeout. The stage reads its clock only when something arrives (no timers). Give the inputs'
    /// `.watermarks(...)` stages an `idleTimeout` no longer than this one: they then repeat their watermark at
    /// least every `idleTimeout / 2` ms while elements arrive, so a busy input is never taken for idle.
    public var idleInputTimeout: Int64?
    /// The processing clock of processing-time triggers and of `PaneInfo.triggeredAtNanoseconds`.
    public var clock: any MonotonicClock
    /// Where the stage counts what it does; shared by every run of the pipeline.
    public var counters: WindowCounters

    /// Creates a configuration.
    public init(
        allowedLateness: Int64 = 0, latePolicy: LateElementPolicy<Element> = .drop, maxWindows: Int? = nil,
        overflowPolicy: WindowOverflowPolicy = .evictOldest, strategy: WindowStrategy = .sliced,
        watermarkInputs: Int = 1, idleInputTimeout: Int64? = nil, clock: any MonotonicClock = SystemMonotonicClock(),
        counters: WindowCounters = WindowCounters()
    ) {
        precondition(allowedLateness >= 0, "allowed lateness must not be negative")
        precondition(maxWindows.map { $0 > 0 } ?? true, "maxWindows must be positive")
        precondition(watermarkInputs > 0, "watermarkInputs must be positive")
        precondition(idleInputTimeout.map { $0 > 0 } ?? true, "idleInputTimeout must be positive")
        self.allowedLateness = allowedLateness
        self.latePolicy = latePolicy
        self.maxWindows = maxWindows
        self.overflowPolicy = overflowPolicy
        self.strategy = strategy
        self.watermarkInputs = watermarkInputs
        self.idleInputTimeout = idleInputTimeout
        self.clock = clock
        self.counters = counters
    }
}
