/// One firing of one window: the key, the window, the aggregate and how the firing came about.
public struct WindowResult<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// The key the window belongs to.
    public var key: Key
    /// The window.
    public var window: TimeWindow
    /// The accumulator's result for the window's contents at the firing.
    public var value: Value
    /// When and why the window fired.
    public var pane: PaneInfo

    /// Creates a result.
    public init(key: Key, window: TimeWindow, value: Value, pane: PaneInfo) {
        self.key = key
        self.window = window
        self.value = value
        self.pane = pane
    }
}

extension WindowResult: Equatable where Value: Equatable {}

/// When and why a window fired.
public struct PaneInfo: Sendable, Hashable {
    /// The firing's timing relative to the watermark.
    public enum Timing: String, Sendable, Hashable {
        /// Before the watermark passed the window's end (early firings, count and processing-time triggers).
        case early
        /// The watermark passed the window's end.
        case onTime = "on-time"
        /// After the watermark passed the window's end: a late element within the allowed lateness.
        case late
        /// The late event guard evicted the window to stay within its cap.
        case evicted
    }

    /// The timing.
    public var timing: Timing
    /// How many times the window fired before this firing (0 for the first).
    public var index: Int64
    /// Whether the trigger also purged the window.
    public var isPurge: Bool
    /// When the firing condition became true on the stage's clock (ns): for an on-time firing, the creation
    /// time of the watermark that passed the window's end. Emission latency is measured from it.
    public var triggeredAtNanoseconds: UInt64

    /// Creates pane information.
    public init(timing: Timing, index: Int64, isPurge: Bool, triggeredAtNanoseconds: UInt64) {
        self.timing = timing
        self.index = index
        self.isPurge = isPurge
        self.triggeredAtNanoseconds = triggeredAtNanoseconds
    }
}

/// The parts of a result that identify a firing, for comparing runs (the trigger time differs between runs).
extension WindowResult {
    /// The key, window, value, timing, index and purge flag, without the trigger time.
    public var firing: WindowFiring<Key, Value> {
        WindowFiring(key: key, window: window, value: value, timing: pane.timing, index: pane.index, isPurge: pane.isPurge)
    }
}

/// A firing without its clock reading: equal in two runs that fired the same way.
public struct WindowFiring<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// The key.
    public var key: Key
    /// The window.
    public var window: TimeWindow
    /// The aggregate.
    public var value: Value
    /// The firing's timing.
    public var timing: PaneInfo.Timing
    /// Firings of the window before this one.
    public var index: Int64
    /// Whether the window was purged.
    public var isPurge: Bool
}

extension WindowFiring: Equatable where Value: Equatable {}
extension WindowFiring: Hashable where Value: Hashable {}
