/// One named stage in a chain: its operator, lifecycle and hooks, and its plain per-stage counters.
///
/// Counters are ordinary stored integers updated on the hot path (no atomics, no locks, no metrics calls); the
/// engines read them into `PipelineStatistics` and flush them to swift-metrics once per run.
public struct StageNode<Operator: StageOperator>: StageChain {
    /// The operator's input type.
    public typealias Input = Operator.Input
    /// The operator's output type.
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

    /// One: this stage.
    @inlinable
    public var stageCount: Int { 1 }

    /// Planning hook: takes this stage's index and segment; it can fuse only when pure and single-output.
    @inlinable
    public mutating func _plan(_ state: inout _ChainPlanState) {
        // Only single-output pure stages fuse: a multi-output stage (flatMap) inside a fused segment goes through nested
        // closures, which measured slower than a cut (a reused buffer), so the planner cuts around it.
        (index, segment) = state.place(isPure: op.isPure && Operator._isSingleOutput)
    }

    /// The operator's `_isSingleOutput`.
    @inlinable
    public static var _isSingleOutput: Bool { Operator._isSingleOutput }

    /// True: a single stage has no cut inside.
    @inlinable
    public var _isWhollyFused: Bool { true }

    /// Fusion hook: starts the stage if needed, counts the element and returns `_processOne`'s output; an error
    /// dead-letters the element and returns nil.
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

    /// Starts the stage if needed, counts the element and runs `process` (with `reject` when the operator rejects
    /// records); an error dead-letters the element, or the rejected record.
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

    /// Runs `_apply` on each element, in order.
    @inlinable
    public mutating func _emitBatch(_ input: [Input], _ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        for element in input { _apply(element, router, emit) }
    }

    /// Engine entry point: a single-output operator appends through `_FusedBatch` (no closures); any other runs
    /// `_apply` on each element.
    @inlinable
    public mutating func _processBatch(_ input: [Input], _ router: DeadLetterRouter, into output: inout [Output]) {
        if Self._isSingleOutput {
            _FusedBatch.append(&self, input, router, into: &output)
        } else {
            for element in input { _apply(element, router) { output.append($0) } }
        }
    }

    /// Calls the operator's `finish` if the stage was started; an error is counted and dead-lettered as
    /// `<finish name>`.
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

    /// Starts `Continuous` and `Persistent` stages now (pooled instance taken, `onStart` called); an `OnDemand`
    /// stage waits for its first element.
    public mutating func _start() {
        if lifecycle != .onDemand { startNow() }
    }

    /// If the stage was started: calls `onStop` and returns a `Persistent` stage's instance to its pool.
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

    /// Appends this stage's entry: counters, kind, lifecycle, token counts; `emitted` is 0 (the engine derives it).
    public func _collectStatistics(into statistics: inout [StageStatistics]) {
        statistics.append(
            StageStatistics(
                name: name, kind: op.kind, lifecycle: lifecycle, isPure: op.isPure, index: index, segment: segment,
                processed: processed, emitted: 0, errors: errors, tokensEmitted: op._tokenCounts?.tokens,
                tokenizedDocuments: op._tokenCounts?.documents))
    }

    /// Concurrent-engine hook: runs this stage as a segment task of its own reading `input`; returns the receiver
    /// of its output channel.
    @inlinable
    public func _spawn(_ context: _ConcurrentSpawnContext, input: _BatchReceiver<Input>) -> _BatchReceiver<Output> {
        context.spawnSegment(self, input: input)
    }
}
