/// Two chains run one after the other: the planner either fuses them (one loop, no buffer) or cuts between them.
public struct ComposedChain<First: StageChain, Second: StageChain>: StageChain where First.Output == Second.Input {
    public typealias Input = First.Input
    public typealias Output = Second.Output

    @usableFromInline var first: First
    @usableFromInline var second: Second
    /// Whether the planner cut between `first` and `second`.
    @usableFromInline var isCut = false
    /// The hand-off buffer at a cut, reused batch after batch.
    @usableFromInline var handOff: [First.Output] = []

    /// Joins two chains.
    @inlinable
    public init(_ first: First, _ second: Second, isCut: Bool = false) {
        self.first = first
        self.second = second
        self.isCut = isCut
    }

    @inlinable
    public var stageCount: Int { first.stageCount + second.stageCount }

    @inlinable
    public mutating func _plan(_ state: inout _ChainPlanState) {
        first._plan(&state)
        let segmentBefore = state.segment
        let hadStages = state.previousIsPure != nil
        second._plan(&state)
        isCut = hadStages && state.segment != segmentBefore
    }

    @inlinable
    public mutating func _apply(_ input: Input, _ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        if isCut {
            Self.cutApply(&first, &second, &handOff, input, router, emit)
        } else {
            Self.fusedApply(&first, &second, input, router, emit)
        }
    }

    @inlinable
    public mutating func _processBatch(_ input: [Input], _ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        if isCut {
            Self.cutBatch(&first, &second, &handOff, input, router, emit)
        } else {
            Self.fusedBatch(&first, &second, input, router, emit)
        }
    }

    @inlinable
    public mutating func _finish(_ router: DeadLetterRouter, _ emit: (Output) -> Void) {
        Self.finish(&first, &second, &handOff, isCut, router, emit)
    }

    @inlinable
    public mutating func _start() {
        first._start()
        second._start()
    }

    @inlinable
    public mutating func _stop() {
        first._stop()
        second._stop()
    }

    public func _collectStatistics(into statistics: inout [StageStatistics]) {
        first._collectStatistics(into: &statistics)
        second._collectStatistics(into: &statistics)
    }

    @inlinable
    public func _spawn<Suffix: StageChain>(
        _ context: _ConcurrentSpawnContext, input: _BatchReceiver<Input>, fusing suffix: Suffix
    ) -> _BatchReceiver<Suffix.Output> where Suffix.Input == Output {
        if isCut {
            let middle = first._spawn(context, input: input, fusing: IdentityChain<First.Output>())
            return second._spawn(context, input: middle, fusing: suffix)
        }
        return first._spawn(context, input: input, fusing: ComposedChain<Second, Suffix>(second, suffix))
    }

    // Static helpers take the two halves as separate inout arguments, so that the closure passed to `first` may
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
        first._processBatch(input, router) { middle in second._apply(middle, router, emit) }
    }

    @inlinable
    static func cutApply(
        _ first: inout First, _ second: inout Second, _ handOff: inout [First.Output], _ input: Input,
        _ router: DeadLetterRouter, _ emit: (Output) -> Void
    ) {
        first._apply(input, router) { handOff.append($0) }
        second._processBatch(handOff, router, emit)
        handOff.removeAll(keepingCapacity: true)
    }

    @inlinable
    static func cutBatch(
        _ first: inout First, _ second: inout Second, _ handOff: inout [First.Output], _ input: [Input],
        _ router: DeadLetterRouter, _ emit: (Output) -> Void
    ) {
        first._processBatch(input, router) { handOff.append($0) }
        second._processBatch(handOff, router, emit)
        handOff.removeAll(keepingCapacity: true)
    }

    @inlinable
    static func finish(
        _ first: inout First, _ second: inout Second, _ handOff: inout [First.Output], _ isCut: Bool,
        _ router: DeadLetterRouter, _ emit: (Output) -> Void
    ) {
        if isCut {
            first._finish(router) { handOff.append($0) }
            second._processBatch(handOff, router, emit)
            handOff.removeAll(keepingCapacity: true)
        } else {
            first._finish(router) { middle in second._apply(middle, router, emit) }
        }
        second._finish(router, emit)
    }
}
