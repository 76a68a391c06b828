/// Two chains run one after the other: the planner either fuses them (one loop, no buffer) or cuts between them.
public struct ComposedChain<First: StageChain, Second: StageChain>: StageChain where First.Output == Second.Input {
    /// What `first` consumes.
    public typealias Input = First.Input
    /// What `second` emits.
    public typealias Output = Second.Output

    @usableFromInline var first: First
    @usableFromInline var second: Second
    /// Whether the planner cut between `first` and `second`.
    @usableFromInline var isCut = false
    /// Whether there is no cut anywhere in this chain.
    @usableFromInline var isWhollyFused = true
    /// The hand-off buffer at a cut, reused batch after batch.
    @usableFromInline var handOff: [First.Output] = []

    /// Joins two chains.
    @inlinable
    public init(_ first: First, _ second: Second, isCut: Bool = false) {
        self.first = first
        self.second = second
        self.isCut = isCut
    }

    /// Both halves' stage counts added.
    @inlinable
    public var stageCount: Int { first.stageCount + second.stageCount }

    /// Planning hook: plans `first`, then `second`, and records whether the planner cut between them.
    @inlinable
    public mutating func _plan(_ state: inout _ChainPlanState) {
        first._plan(&state)
        let segmentBefore = state.segment
        let hadStages = state.previousIsPure != nil
        second._plan(&state)
        isCut = hadStages && state.segment != segmentBefore
        isWhollyFused = !isCut && first._isWhollyFused && second._isWhollyFused
    }

    /// True when both halves are single-output.
    @inlinable
    public static var _isSingleOutput: Bool { First._isSingleOutput && Second._isSingleOutput }

    /// Whether neither half nor the join between them has a cut (set by `_plan`).
    @inlinable
    public var _isWhollyFused: Bool { isWhollyFused }

    /// Fusion hook: runs `input` through `first`, then its output through `second`; nil when either drops it.
    @inlinable
    public mutating func _applyOne(_ input: Input, _ router: DeadLetterRouter) -> Output? {
        guard let middle = first._applyOne(input, router) else { return nil }
        return second._applyOne(middle, router)
    }

    /// Runs one element through both halves: at a cut through the hand-off buffer, else fused (nested closures).
    @inlinable
    public mutating func _apply(_ input: Input, _ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        if isCut {
            first._apply(input, router) { handOff.append($0) }
            Self.drain(&second, &handOff, router, emit)
        } else {
            Self.fusedApply(&first, &second, input, router, emit)
        }
    }

    /// Runs a batch through both halves: at a cut `first` fills the hand-off buffer and `second` drains it; a wholly
    /// fused single-output chain loops over `_applyOne`; otherwise nested closures.
    @inlinable
    public mutating func _emitBatch(_ input: [Input], _ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        if isCut {
            first._processBatch(input, router, into: &handOff)
            Self.drain(&second, &handOff, router, emit)
        } else if Self._isSingleOutput && isWhollyFused {
            for element in input {
                if let output = _applyOne(element, router) { emit(output) }
            }
        } else {
            Self.fusedBatch(&first, &second, input, router, emit)
        }
    }

    /// Engine entry point: a wholly fused single-output chain appends through `_FusedBatch` (no closures); any other
    /// goes through `_emitBatch`.
    @inlinable
    public mutating func _processBatch(_ input: [Input], _ router: DeadLetterRouter, into output: inout [Output]) {
        if Self._isSingleOutput && isWhollyFused {
            _FusedBatch.append(&self, input, router, into: &output)
        } else {
            _emitBatch(input, router) { output.append($0) }
        }
    }

    /// Finishes `first` (its outputs run through `second`, via the hand-off buffer at a cut), then `second`.
    @inlinable
    public mutating func _finish(_ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        if isCut {
            first._finish(router) { handOff.append($0) }
            Self.drain(&second, &handOff, router, emit)
        } else {
            Self.fusedFinish(&first, &second, router, emit)
        }
        second._finish(router, emit)
    }

    /// Runs both halves' start hooks, `first` then `second`.
    @inlinable
    public mutating func _start() {
        first._start()
        second._start()
    }

    /// Runs both halves' stop hooks, `first` then `second`.
    @inlinable
    public mutating func _stop() {
        first._stop()
        second._stop()
    }

    /// Appends `first`'s entries, then `second`'s.
    public func _collectStatistics(into statistics: inout [StageStatistics]) {
        first._collectStatistics(into: &statistics)
        second._collectStatistics(into: &statistics)
    }

    /// Concurrent-engine hook: an uncut chain (with stages in `first`) runs as one segment task; otherwise each half
    /// spawns itself, `second` reading the receiver `first` returns.
    @inlinable
    public func _spawn(_ context: _ConcurrentSpawnContext, input: _BatchReceiver<Input>) -> _BatchReceiver<Output> {
        // An empty first half (a pipeline's leading `IdentityChain`) lets the second half spawn itself, so that a
        // stage with its own concurrent shape (a parallel keyed stage) gets it.
        guard isCut || first.stageCount == 0 else { return context.spawnSegment(self, input: input) }
        let middle = first._spawn(context, input: input)
        return second._spawn(context, input: middle)
    }

    // Static helpers take the halves as separate inout arguments, so that the closure passed to `first` may
    // mutate `second` without overlapping access to `self`.

    @inlinable
    static func fusedApply(
        _ first: inout First, _ second: inout Second, _ input: Input, _ router: DeadLetterRouter,
        _ emit: (Output) -> Void
    ) {
        first._apply(input, router) { middle in second._apply(middle, router, emit) }
    }

    @inlinable
    static func fusedBatch(
        _ first: inout First, _ second: inout Second, _ input: [Input], _ router: DeadLetterRouter,
        _ emit: (Output) -> Void
    ) {
        first._emitBatch(input, router) { middle in second._apply(middle, router, emit) }
    }

    @inlinable
    static func fusedFinish(
        _ first: inout First, _ second: inout Second, _ router: DeadLetterRouter, _ emit: (Output) -> Void
    ) {
        first._finish(router) { middle in second._apply(middle, router, emit) }
    }

    /// Runs `second` over the hand-off buffer at a cut and empties it, keeping its capacity.
    @inlinable
    static func drain(
        _ second: inout Second, _ handOff: inout [First.Output], _ router: DeadLetterRouter,
        _ emit: (Output) -> Void
    ) {
        guard !handOff.isEmpty else { return }
        second._emitBatch(handOff, router, emit)
        handOff.removeAll(keepingCapacity: true)
    }
}
