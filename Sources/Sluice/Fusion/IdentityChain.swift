/// The empty chain: passes elements through. Every pipeline's chain starts with it.
public struct IdentityChain<Element: Sendable>: StageChain {
    /// The element type, passed through unchanged.
    public typealias Input = Element
    /// The element type, passed through unchanged.
    public typealias Output = Element

    /// Creates the empty chain.
    @inlinable
    public init() {}

    /// Zero: the chain has no stages.
    @inlinable
    public var stageCount: Int { 0 }

    /// Planning hook: does nothing (no stage to place).
    @inlinable
    public mutating func _plan(_ state: inout _ChainPlanState) {}

    /// True: each input comes out as itself.
    @inlinable
    public static var _isSingleOutput: Bool { true }

    /// True: there is nothing to cut.
    @inlinable
    public var _isWhollyFused: Bool { true }

    /// Returns `input` unchanged.
    @inlinable
    public mutating func _applyOne(_ input: Element, _ router: DeadLetterRouter) -> Element? { input }

    /// Emits `input` unchanged.
    @inlinable
    public mutating func _apply(_ input: Element, _ router: DeadLetterRouter, _ emit: (Element) -> Void) {
        emit(input)
    }

    /// Emits each element of `input`, in order.
    @inlinable
    public mutating func _emitBatch(_ input: [Element], _ router: DeadLetterRouter, _ emit: (Element) -> Void) {
        for element in input { emit(element) }
    }

    /// Appends `input` to `output` unchanged.
    @inlinable
    public mutating func _processBatch(_ input: [Element], _ router: DeadLetterRouter, into output: inout [Element]) {
        output.append(contentsOf: input)
    }

    /// Does nothing: there is no stage to finish.
    @inlinable
    public mutating func _finish(_ router: DeadLetterRouter, _ emit: (Element) -> Void) {}

    /// Does nothing: there is no stage to start.
    @inlinable
    public mutating func _start() {}

    /// Does nothing: there is no stage to stop.
    @inlinable
    public mutating func _stop() {}

    /// Appends nothing: the chain has no stages.
    public func _collectStatistics(into statistics: inout [StageStatistics]) {}

    /// Returns `input` itself: no task, no channel.
    @inlinable
    public func _spawn(_ context: _ConcurrentSpawnContext, input: _BatchReceiver<Element>) -> _BatchReceiver<Element> {
        input
    }
}
