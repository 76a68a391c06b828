/// A statically typed chain of stages between a source and a sink: the unit the fusion planner works on.
///
/// Chains are built by `PipelineBuilder` as nested generic values (`ComposedChain<ComposedChain<…>, StageNode<…>>`),
/// so when a pipeline is built in user code the compiler sees every stage's concrete type and can inline a fused
/// segment into one loop. Members starting with `_` are for the engines, not for users.
public protocol StageChain<Input, Output>: Sendable {
    /// What the chain consumes.
    associatedtype Input: Sendable
    /// What the chain emits.
    associatedtype Output: Sendable

    /// The number of stages in the chain.
    var stageCount: Int { get }

    /// Assigns stage indices and segments, and decides where the chain is cut (see `FusionMode`). O(stages).
    mutating func _plan(_ state: inout _ChainPlanState)

    /// Whether every stage emits at most one output per input (map, filter): such a chain, when wholly fused,
    /// runs as a loop of plain calls returning optionals, with no closures at all.
    static var _isSingleOutput: Bool { get }

    /// Whether the planner left no cut inside this chain.
    var _isWhollyFused: Bool { get }

    /// Runs one element through a wholly fused single-output chain. Only valid when `_isSingleOutput` and
    /// `_isWhollyFused`.
    mutating func _applyOne(_ input: Input, _ router: DeadLetterRouter) -> Output?

    /// Runs one element through the chain, calling `emit` for each output.
    mutating func _apply(_ input: Input, _ router: DeadLetterRouter, _ emit: (Output) -> Void)

    /// Runs a batch through the chain, honouring the planned cuts, calling `emit` for each output.
    mutating func _emitBatch(_ input: [Input], _ router: DeadLetterRouter, _ emit: (Output) -> Void)

    /// Runs a batch through the chain, honouring the planned cuts (a reused buffer at each cut), appending the
    /// outputs to `output`. The engines' entry point.
    mutating func _processBatch(_ input: [Input], _ router: DeadLetterRouter, into output: inout [Output])

    /// Finishes every stage in order; outputs emitted while finishing flow through the rest of the chain.
    mutating func _finish(_ router: DeadLetterRouter, _ emit: (Output) -> Void)

    /// Runs the stages' start hooks (for `Continuous` and `Persistent` stages) and takes pooled instances.
    mutating func _start()

    /// Runs the started stages' stop hooks and returns pooled instances.
    mutating func _stop()

    /// Appends one entry per stage, in order. O(stages).
    func _collectStatistics(into statistics: inout [StageStatistics])

    /// Starts this chain under the concurrent engine: one task per planned segment where the chain's shape allows,
    /// reading from `input`; returns the receiver of its outputs.
    ///
    /// A cut between a chain's prefix and its last stage becomes a channel. A segment that the planner fused across
    /// the prefix's own cuts runs, with that prefix, in one task (the cuts inside stay reused buffers), so every
    /// task body is a statically typed sub-chain that the compiler specializes.
    func _spawn(_ context: _ConcurrentSpawnContext, input: _BatchReceiver<Input>) -> _BatchReceiver<Output>
}
