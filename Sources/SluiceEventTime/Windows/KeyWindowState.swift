/// The window state of one key: its slices, its windows' trigger states (and, per window or after a purge,
/// their partial aggregates), and its sessions.
struct KeyWindowState<Key: Hashable & Sendable, Partial: Sendable>: Sendable {
    /// A window's state beyond its slices.
    struct Slot: Sendable {
        /// The window's own partial: always for the per-window strategy; for the sliced strategy only after a
        /// purge of an overlapping window (its contents no longer equal its slices). Otherwise unused.
        var partial: Partial
        var ownsPartial = false
        /// Whether `partial` holds at least one element.
        var hasContents = false
        var trigger = TriggerState()
    }

    /// A partial over the slices `lower..<upper` that are present (`present` of them).
    struct Running: Sendable {
        var lower: Int64
        var upper: Int64
        var partial: Partial
        var present: Int
    }

    /// A session window of the key.
    struct Session: Sendable {
        var window: TimeWindow
        var partial: Partial
        var hasContents = true
        var trigger = TriggerState()
    }

    let key: Key
    /// The key's first-seen order in the stage: orders emissions deterministically.
    let ordinal: Int
    /// Sliced strategy: partial aggregates by slice index.
    var slices: [Int64: Partial] = [:]
    /// Per window: trigger state, and the window's partial where it has its own.
    var slots: [Int64: Slot] = [:]
    /// Aligned assigners: the window starts that hold state.
    var registered = RegisteredStarts()
    /// Session assigner: the key's sessions, sorted by start, disjoint.
    var sessions: [Session] = []
    /// Sliced sliding windows with a retracting accumulator: the partial of the last window fired in order,
    /// moved to the next window by combining the slices that enter and retracting those that leave.
    var running: Running?

    init(key: Key, ordinal: Int) {
        self.key = key
        self.ordinal = ordinal
    }

    var isEmpty: Bool { slices.isEmpty && slots.isEmpty && registered.isEmpty && sessions.isEmpty }
}
