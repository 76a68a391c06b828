/// What the router of a parallel keyed stage sends a worker, in one FIFO channel per worker, so that control
/// messages are ordered with the elements around them.
enum KeyedWorkItem<Input: Sendable, Key: Hashable & Sendable, State: Sendable>: Sendable {
    /// An element of a key the worker owns, with its key group.
    case record(Input, Key, group: Int)
    /// An element of a split hot key: folded into the worker's partial value for the key.
    case partial(Input, Key)
    /// Give back (through the acknowledgement channel) every group this worker does not own under `assignment`.
    case handOff(KeyGroupAssignment, worker: Int)
    /// Give back (through the acknowledgement channel) the partial values of these split keys.
    case flushPartials([Key])
    /// Take ownership of these groups and their state.
    case adopt([Int: KeyGroupState<Key, State>])
    /// Merge a split key's combined partial value into its state.
    case mergePartial(Key, group: Int, State)
    /// A checkpoint barrier: send out every output so far, then give a copy of every group's state (through the
    /// acknowledgement channel).
    case barrier
}

/// A worker's answer to `handOff` or `flushPartials`.
struct KeyedHandOff<Key: Hashable & Sendable, State: Sendable>: Sendable {
    var worker: Int
    var groups: [Int: KeyGroupState<Key, State>] = [:]
    var partials: [Key: State] = [:]
}
