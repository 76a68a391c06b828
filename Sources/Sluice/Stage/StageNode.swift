/// One named stage in a chain: its operator, lifecycle and hooks, and its plain per-stage counters.
///
/// Counters are ordinary stored integers updated on the hot path (no atomics, no locks, no metrics calls); the
/// engines read them into `PipelineStatistics` and flush them to swift-metrics once per run.
public struct StageNode<Operator: StageOperator>: StageChain {
    public typealias Input = Operator.Input
    public typealias Output = Operator.Output

    @usableFromInline var op: Operator
    /// The stage's name, unique in its pipeline.
    public let name: String
    /// When the stage starts and where its instance comes from.
    public let lifecycle: StageLifecycle
    @usableFromInline let hooks: StageHooks?
    @usableFromInline let pool: StagePool<Operator>?
    @usableFromInline var index = 0
    @usableFromInline var segment = 0
    @usableFromInline var processed = 0
    @usableFromInline var errors = 0
    @usableFromInline var isStarted = false

    /// Creates a stage. A `Persistent` stage needs a `pool`; other lifecycles ignore it.
    /// - Precondition: `lifecycle != .persistent || pool != nil`.
    @inlinable
    public init(
        name: String, operator op: Operator, lifecycle: StageLifecycle = .onDemand, hooks: StageHooks? = nil,
        pool: StagePool<Operator>? = nil
    ) {
        precondition(lifecycle != .persistent || pool != nil, "a Persistent stage needs a StagePool")
        self.op = op
        self.name = name
        self.lifecycle = lifecycle
        self.hooks = hooks
        self.pool = lifecycle == .persistent ? pool : nil
    }

    @inlinable
    public var stageCount: Int { 1 }

    @inlinable
    public mutating func _plan(_ state: inout _ChainPlanState) {
        // Only single-output pure stages fuse: a multi-output stage (flatMap) inside a fused segment goes through nested
        // closures, which measured slower than a cut (a reused buffer), so the planner cuts around it.
        (index, segment) = state.place(isPure: op.isPure && Operator._isSingleOutput)
    }

    @inlinable
    public static var _isSingleOutput: Bool { Operator._isSingleOutput }

    @inlinable
    public var _isWhollyFused: Bool { true }

    @inlinable
    public mutating func _applyOne(_ input: Input, _ router: DeadLetterRouter) -> Output? {
        if _slowPath(!isStarted) { startNow() }
        processed &+= 1
        do {
            return try op._processOne(input)
        } catch {
            errors &+= 1
            router.route(element: input, error: error, stageName: name)
            return nil
        }
    }

    @inlinable
    public mutating func _apply(_ input: Input, _ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        if _slowPath(!isStarted) { startNow() }
        processed &+= 1
        if Operator._rejectsRecords {
            _applyRejecting(input, router, emit)
            return
        }
        do {
            try op.process(input, emit: emit)
        } catch {
            errors &+= 1
            router.route(element: input, error: error, stageName: name)
        }
    }

    /// `_apply` for an operator that rejects single records of an element: each goes to the dead-letter sink alone.
    @inlinable @usableFromInline
    mutating func _applyRejecting(_ input: Input, _ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        var rejected = 0
        let name = name
        do {
            try op.process(input, emit: emit) { record, error in
                rejected &+= 1
                router.route(element: record, error: error, stageName: name)
            }
        } catch {
            errors &+= 1
            router.route(element: input, error: error, stageName: name)
        }
        errors &+= rejected
    }

    @inlinable
    public mutating func _emitBatch(_ input: [Input], _ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        for element in input { _apply(element, router, emit) }
    }

    @inlinable
    public mutating func _processBatch(_ input: [Input], _ router: DeadLetterRouter, into output: inout [Output]) {
        if Self._isSingleOutput {
            _FusedBatch.append(&self, input, router, into: &output)
        } else {
            for element in input { _apply(element, router) { output.append($0) } }
        }
    }

    @inlinable
    public mutating func _finish(_ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        guard isStarted else { return }
        do {
            try op.finish(emit: emit)
        } catch {
            errors &+= 1
            router.route(element: "<finish \(name)>", error: error, stageName: name)
        }
    }

    public mutating func _start() {
        if lifecycle != .onDemand { startNow() }
    }

    public mutating func _stop() {
        guard isStarted else { return }
        isStarted = false
        hooks?.onStop(name)
        if let pool { pool.release(op) }
    }

    @usableFromInline
    mutating func startNow() {
        guard !isStarted else { return }
        isStarted = true
        if let pool { op = pool.acquire() }
        hooks?.onStart(name)
    }

    public func _collectStatistics(into statistics: inout [StageStatistics]) {
        statistics.append(
            StageStatistics(
                name: name, kind: op.kind, lifecycle: lifecycle, isPure: op.isPure, index: index, segment: segment,
                processed: processed, emitted: 0, errors: errors, tokensEmitted: op._tokenCounts?.tokens,
                tokenizedDocuments: op._tokenCounts?.documents))
    }

    @inlinable
    public func _spawn(_ context: _ConcurrentSpawnContext, input: _BatchReceiver<Input>) -> _BatchReceiver<Output> {
        context.spawnSegment(self, input: input)
    }
}
