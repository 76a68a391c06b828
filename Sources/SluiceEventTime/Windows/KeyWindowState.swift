/// The window state of one key: its slices, its windows' trigger states (and, per window or after a purge,
/// their partial aggregates), and its sessions.
@usableFromInline struct KeyWindowState<Key: Hashable & Sendable, Partial: Sendable>: Sendable {
    /// A window's state beyond its slices.
    @usableFromInline struct Slot: Sendable {
        /// The window's own partial: always for the per-window strategy; for the sliced strategy only after a
        /// purge of an overlapping window (its contents no longer equal its slices). Otherwise unused.
        @usableFromInline var partial: Partial
        @usableFromInline var ownsPartial = false
        /// Whether `partial` holds at least one element.
        @usableFromInline var hasContents = false
        @usableFromInline var trigger = TriggerState()

        @inlinable
        init(partial: Partial, ownsPartial: Bool = false) {
            self.partial = partial
            self.ownsPartial = ownsPartial
        }
    }

    /// A partial over the slices `lower..<upper` that are present (`present` of them).
    @usableFromInline struct Running: Sendable {
        @usableFromInline var lower: Int64
        @usableFromInline var upper: Int64
        @usableFromInline var partial: Partial
        @usableFromInline var present: Int

        @inlinable
        init(lower: Int64, upper: Int64, partial: Partial, present: Int) {
            (self.lower, self.upper, self.partial, self.present) = (lower, upper, partial, present)
        }
    }

    /// A session window of the key.
    @usableFromInline struct Session: Sendable {
        @usableFromInline var window: TimeWindow
        @usableFromInline var partial: Partial
        @usableFromInline var hasContents = true
        @usableFromInline var trigger = TriggerState()

        @inlinable
        init(window: TimeWindow, partial: Partial, trigger: TriggerState = TriggerState()) {
            self.window = window
            self.partial = partial
            self.trigger = trigger
        }
    }

    @usableFromInline let key: Key
    /// The key's first-seen order in the stage: orders emissions deterministically.
    @usableFromInline let ordinal: Int
    /// Sliced strategy: partial aggregates by slice index.
    @usableFromInline var slices: [Int64: Partial] = [:]
    /// Per window: trigger state, and the window's partial where it has its own.
    @usableFromInline var slots: [Int64: Slot] = [:]
    /// Aligned assigners: the window starts that hold state.
    @usableFromInline var registered = RegisteredStarts()
    /// Session assigner: the key's sessions, sorted by start, disjoint.
    @usableFromInline var sessions: [Session] = []
    /// Sliced sliding windows with a retracting accumulator: the partial of the last window fired in order,
    /// moved to the next window by combining the slices that enter and retracting those that leave.
    @usableFromInline var running: Running?

    @inlinable init(key: Key, ordinal: Int) {
        self.key = key
        self.ordinal = ordinal
    }

    @inlinable var isEmpty: Bool { slices.isEmpty && slots.isEmpty && registered.isEmpty && sessions.isEmpty }
}
