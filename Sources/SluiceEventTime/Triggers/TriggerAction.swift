/// What a trigger tells the window stage to do with a window: fire (emit its aggregate), purge (clear its
/// contents), both, or nothing.
public struct TriggerAction: OptionSet, Sendable, Hashable, CustomStringConvertible {
    /// The action's bits: 1 is `fire`, 2 is `purge`.
    public let rawValue: UInt8

    /// Creates an action from its bits (1: fire, 2: purge).
    @inlinable
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Do nothing.
    public static let `continue`: TriggerAction = []
    /// Emit the window's current aggregate.
    public static let fire = TriggerAction(rawValue: 1)
    /// Clear the window's contents. The trigger state stays as the trigger left it (a trigger resets its own
    /// counts and timers), so that it can tell a purged window from a new one.
    public static let purge = TriggerAction(rawValue: 2)
    /// Emit, then clear.
    public static let fireAndPurge: TriggerAction = [.fire, .purge]

    /// `fire`, `purge`, `fire-and-purge` or `continue`.
    public var description: String {
        switch (contains(.fire), contains(.purge)) {
        case (true, true): "fire-and-purge"
        case (true, false): "fire"
        case (false, true): "purge"
        case (false, false): "continue"
        }
    }
}

/// The per-window state a trigger keeps: a counter, the timers it asked for, and a free field for user
/// triggers. A fixed-size value, so that it is checkpointed with the window.
public struct TriggerState: Sendable, Hashable {
    /// Elements counted by the trigger (count, early and late firings).
    public var count: Int64 = 0
    /// Times the window fired so far; maintained by the window stage.
    public var firings: Int64 = 0
    /// An extra event-time callback the trigger asks for (besides the end of the window), or nil.
    /// The window stage calls `onEventTime` once the watermark reaches it and clears it before the call.
    public var eventTimer: Int64?
    /// A processing-time callback the trigger asks for, or nil; cleared before `onProcessingTime` runs.
    public var processingTimer: Int64?
    /// Free for user-written triggers.
    public var scratch: Int64 = 0

    /// The state of a window that has seen nothing.
    @inlinable
    public init() {}

    /// Whether the state is that of a window that has seen nothing.
    @inlinable
    public var isInitial: Bool { self == TriggerState() }
}

/// What a trigger sees when it is called: the stage's current watermark and processing time, and the
/// window's trigger state to read and update.
public struct TriggerContext: Sendable {
    /// The window stage's current watermark (event time, ms).
    public let watermark: Int64
    /// The stage's processing time (ms, from its `MonotonicClock`).
    public let processingTime: Int64
    /// The window's trigger state.
    public var state: TriggerState

    /// Creates a context.
    @inlinable
    public init(watermark: Int64, processingTime: Int64, state: TriggerState) {
        self.watermark = watermark
        self.processingTime = processingTime
        self.state = state
    }
}
