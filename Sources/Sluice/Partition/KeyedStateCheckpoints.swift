/// Checkpoints of a parallel keyed stage, per key group: what a barrier captures and what a restored run starts
/// from.
///
/// When a checkpoint barrier (`StreamElement.barrier`) reaches the stage, every element before it has been
/// stepped and every output before it has been sent; then `onSnapshot` receives the state of every key group
/// (each group's keys in order of first appearance), and the barrier is forwarded downstream, before any later
/// element is stepped. Under `ConcurrentEngine` the router stops routing, asks every worker for its groups through
/// its own FIFO channel (so the answer follows everything sent to it before), and merges the answers; split hot
/// keys are merged back into their owners first, so each key's state is whole. The snapshot does not depend on
/// how many workers there are: `restoring` hands each restored group to whichever worker owns it under the new
/// run's worker count (key groups move with their state), or to the one table of `SyncEngine`.
///
/// `onSnapshot` runs on the stage's router task (or the `SyncEngine`'s thread) and cannot suspend or throw: it
/// hands the snapshot off (encodes it, or queues it for a writer) and returns; the stage waits for it, so a slow
/// hand-off is backpressure on the stage. Persisting, and reporting a failure to persist, is the receiver's job.
public struct KeyedStateCheckpoints<Key: Hashable & Sendable, State: Sendable>: Sendable {
    /// The key groups a restored run starts from, by group number.
    public var restoring: [Int: KeyGroupState<Key, State>]
    /// Receives each barrier's snapshot: the state of every key group that holds keys, by group number.
    public var onSnapshot: @Sendable (CheckpointBarrier, [Int: KeyGroupState<Key, State>]) -> Void

    /// Creates the configuration.
    public init(
        restoring: [Int: KeyGroupState<Key, State>] = [:],
        onSnapshot: @escaping @Sendable (CheckpointBarrier, [Int: KeyGroupState<Key, State>]) -> Void
    ) {
        self.restoring = restoring
        self.onSnapshot = onSnapshot
    }
}

extension KeyedOperation {
    /// The same per-key logic over a stream that carries checkpoint barriers: records are stepped as before and
    /// their outputs wrapped as records; barriers never reach `key`, `step` or `complete` (the stage handles them,
    /// see `KeyedStateCheckpoints`).
    public func carryingBarriers() -> KeyedOperation<StreamElement<Input>, Key, State, StreamElement<Output>> {
        let key = self.key
        let step = self.step
        let complete = self.complete
        return KeyedOperation<StreamElement<Input>, Key, State, StreamElement<Output>>(
            key: { element in
                guard case .record(let record) = element else {
                    preconditionFailure("a keyed stage routes barriers itself; they have no key")
                }
                return key(record)
            },
            initial: initial,
            step: { state, element, emit in
                guard case .record(let record) = element else { return }
                try step(&state, record) { emit(.record($0)) }
            },
            complete: { key, state, emit in try complete(key, &state) { emit(.record($0)) } },
            merge: merge)
    }
}
