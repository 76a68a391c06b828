/// A keyed stage that runs on several workers under `ConcurrentEngine` (see `KeyedParallelism`), and as one
/// worker, in order, under `SyncEngine`.
///
/// Under `ConcurrentEngine` the stage is a router task plus one task per worker, each worker with its own bounded
/// channel (a bulkhead: a slow worker fills only its own channel, and the router then waits on it). Elements of
/// one key always go to one worker, in arrival order, so per-key order is kept, unless the key is a split hot key
/// of an aggregation, whose partial values are merged back. Outputs of different keys interleave in arrival order
/// at the merge.
///
/// Checkpoints: when `Input` and `Output` are `StreamElement`s (see `KeyedOperation.carryingBarriers()`), a
/// barrier goes through the stage after every element before it and before any after it, and with
/// `KeyedStateCheckpoints` the stage hands out every key group's state at each barrier and starts from restored
/// groups, on any number of workers.
///
/// - Backpressure: a full worker channel suspends the router; a full output channel suspends the workers.
/// - Errors: an element whose step throws goes to the dead-letter sink and the run goes on.
/// - Cancellation: cancelling the run cancels the router and every worker.
public struct KeyedParallelStage<Input: Sendable, Key: Hashable & StableHashable & Sendable, State: Sendable, Output: Sendable>:
    StageChain
{
    /// The stage's name, unique in its pipeline.
    public let name: String
    let operation: KeyedOperation<Input, Key, State, Output>
    let parallelism: KeyedParallelism
    let checkpoints: KeyedStateCheckpoints<Key, State>?
    var index = 0
    var segment = 0
    var processed = 0
    var emitted = 0
    var errors = 0
    /// The `SyncEngine` path: one worker's state.
    var table = KeyGroupStateTable<Key, State>()
    var hasRestored = false

    /// Creates the stage.
    /// - Precondition: with `checkpoints`, `Input` and `Output` carry barriers (`StreamElement`).
    public init(
        name: String, operation: KeyedOperation<Input, Key, State, Output>, parallelism: KeyedParallelism,
        checkpoints: KeyedStateCheckpoints<Key, State>? = nil
    ) {
        precondition(
            checkpoints == nil
                || (Input.self is any _CheckpointBarrierCarrying.Type && Output.self is any _CheckpointBarrierCarrying.Type),
            "a checkpointed keyed stage takes and emits StreamElements (KeyedOperation.carryingBarriers())")
        self.name = name
        self.operation = operation
        self.parallelism = parallelism
        self.checkpoints = checkpoints
    }

    /// The barrier `element` is, when the stage's elements carry barriers.
    @inline(__always)
    static func barrier(of element: Input) -> CheckpointBarrier? {
        (element as? any _CheckpointBarrierCarrying)?._checkpointBarrier
    }

    /// The output element that forwards `barrier`. - Precondition: `Output` carries barriers.
    static func barrierOutput(_ barrier: CheckpointBarrier) -> Output {
        guard let carrier = Output.self as? any _CheckpointBarrierCarrying.Type,
            let element = carrier._barrierElement(barrier) as? Output
        else { preconditionFailure("a keyed stage that receives barriers must emit StreamElements") }
        return element
    }

    /// One: the keyed stage.
    public var stageCount: Int { 1 }
    /// False: a step may emit any number of outputs.
    public static var _isSingleOutput: Bool { false }
    /// True: the one stage has no cut inside.
    public var _isWhollyFused: Bool { true }

    /// Planning hook: places the stage as impure, so it is a segment of its own.
    public mutating func _plan(_ state: inout _ChainPlanState) {
        (index, segment) = state.place(isPure: false)
    }

    /// Not supported (precondition failure): the stage is not single-output.
    public mutating func _applyOne(_ input: Input, _ router: DeadLetterRouter) -> Output? {
        preconditionFailure("a keyed stage is not single-output")
    }

    /// `SyncEngine` path: restores checkpointed groups on first use; hands out the state at a barrier and forwards
    /// it, or runs the key's step on its state. An element whose step throws goes to the dead-letter router.
    public mutating func _apply(_ input: Input, _ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        if !hasRestored { restore() }
        if Self.carriesBarriers, let barrier = Self.barrier(of: input) {
            checkpoints?.onSnapshot(barrier, table.groups)
            emit(Self.barrierOutput(barrier))
            return
        }
        let operation = operation
        let key = operation.key(input)
        let group = parallelism.keyGroups.group(for: key)
        processed += 1
        do {
            try table.update(key, group: group, initial: operation.initial) { state in
                try operation.step(&state, input) { output in
                    emit(output)
                }
            }
        } catch {
            errors += 1
            router.route(element: input, error: error, stageName: name)
        }
    }

    /// Runs `_apply` on each element, in order.
    public mutating func _emitBatch(_ input: [Input], _ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        for element in input { _apply(element, router, emit) }
    }

    /// Runs `_apply` on each element, then appends the outputs to `output` and counts them as emitted.
    public mutating func _processBatch(_ input: [Input], _ router: DeadLetterRouter, into output: inout [Output]) {
        var produced: [Output] = []
        for element in input { _apply(element, router) { produced.append($0) } }
        emitted += produced.count
        output.append(contentsOf: produced)
    }

    /// Completes every key's state (outputs emitted, failures dead-lettered and counted), empties the table, and
    /// reports one worker to the partition observer.
    public mutating func _finish(_ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        if !hasRestored { restore() }
        let operation = operation
        var produced: [Output] = []
        let failures = table.complete(operation, router: router, stageName: name) { produced.append($0) }
        table = KeyGroupStateTable()
        errors += failures
        emitted += produced.count
        for output in produced { emit(output) }
        parallelism.observer?.recordWorkers(1)
    }

    /// Adopts the restored key groups from `checkpoints`, once.
    public mutating func _start() { if !hasRestored { restore() } }

    static var carriesBarriers: Bool { Input.self is any _CheckpointBarrierCarrying.Type }

    /// The `SyncEngine` path: one table takes every restored group.
    private mutating func restore() {
        hasRestored = true
        if let restoring = checkpoints?.restoring, !restoring.isEmpty { table.adopt(restoring) }
    }
    /// Does nothing: the stage has no hooks or pooled instance.
    public mutating func _stop() {}

    /// Appends the stage's one entry (stateful, impure) with its `SyncEngine` counters.
    public func _collectStatistics(into statistics: inout [StageStatistics]) {
        statistics.append(
            StageStatistics(
                name: name, kind: .stateful, isPure: false, index: index, segment: segment, processed: processed,
                emitted: emitted, errors: errors))
    }

    /// Concurrent-engine hook: starts a `KeyedParallelRuntime` (a router task plus one task per worker) reading
    /// `input`; returns the receiver of its output channel without waiting.
    public func _spawn(_ context: _ConcurrentSpawnContext, input: _BatchReceiver<Input>) -> _BatchReceiver<Output> {
        let output = context.makeChannel(of: Output.self, name: name)
        let metrics = context.metrics.map {
            PartitionMetrics(factory: $0.factory, dimensions: $0.dimensions + [("stage", name)])
        }
        let runtime = KeyedParallelRuntime(
            name: name, operation: operation, parallelism: parallelism, context: context, metrics: metrics,
            checkpoints: checkpoints)
        context.add(stage: name) { [name, index, segment] in
            let (processed, emitted, errors) = try await runtime.run(input: input.channel, output: output)
            return [
                StageStatistics(
                    name: name, kind: .stateful, isPure: false, index: index, segment: segment, processed: processed,
                    emitted: emitted, errors: errors)
            ]
        }
        return _BatchReceiver(output)
    }
}
