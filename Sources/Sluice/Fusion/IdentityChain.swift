/// The empty chain: passes elements through. Every pipeline's chain starts with it.
public struct IdentityChain<Element: Sendable>: StageChain {
    public typealias Input = Element
    public typealias Output = Element

    /// Creates the empty chain.
    @inlinable
    public init() {}

    @inlinable
    public var stageCount: Int { 0 }

    @inlinable
    public mutating func _plan(_ state: inout _ChainPlanState) {}

    @inlinable
    public static var _isSingleOutput: Bool { true }

    @inlinable
    public var _isWhollyFused: Bool { true }

    @inlinable
    public mutating func _applyOne(_ input: Element, _ router: DeadLetterRouter) -> Element? { input }

    @inlinable
    public mutating func _apply(_ input: Element, _ router: DeadLetterRouter, _ emit: (Element) -> Void) {
        emit(input)
    }

    @inlinable
    public mutating func _emitBatch(_ input: [Element], _ router: DeadLetterRouter, _ emit: (Element) -> Void) {
        for element in input { emit(element) }
    }

    @inlinable
    public mutating func _processBatch(_ input: [Element], _ router: DeadLetterRouter, into output: inout [Element]) {
        output.append(contentsOf: input)
    }

    @inlinable
    public mutating func _finish(_ router: DeadLetterRouter, _ emit: (Element) -> Void) {}

    @inlinable
    public mutating func _start() {}

    @inlinable
    public mutating func _stop() {}

    public func _collectStatistics(into statistics: inout [StageStatistics]) {}

    @inlinable
    public func _spawn(_ context: _ConcurrentSpawnContext, input: _BatchReceiver<Element>) -> _BatchReceiver<Element> {
        input
    }
}
