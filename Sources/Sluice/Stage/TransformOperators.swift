/// A pure one-to-one transform.
public struct MapOperator<Input: Sendable, Output: Sendable>: StageOperator {
    @usableFromInline let transform: @Sendable (Input) throws -> Output
    /// Whether the closure is a pure function (the default); an impure map is never fused.
    public let isPure: Bool

    /// Creates the operator.
    @inlinable
    public init(isPure: Bool = true, _ transform: @escaping @Sendable (Input) throws -> Output) {
        self.transform = transform
        self.isPure = isPure
    }

    @inlinable
    public mutating func process(_ input: Input, emit: (Output) -> Void) throws {
        emit(try transform(input))
    }
}

/// Keeps the elements for which a predicate holds.
public struct FilterOperator<Element: Sendable>: StageOperator {
    public typealias Input = Element
    public typealias Output = Element
    @usableFromInline let predicate: @Sendable (Element) throws -> Bool
    /// Whether the predicate is a pure function (the default).
    public let isPure: Bool

    /// Creates the operator.
    @inlinable
    public init(isPure: Bool = true, _ predicate: @escaping @Sendable (Element) throws -> Bool) {
        self.predicate = predicate
        self.isPure = isPure
    }

    @inlinable
    public mutating func process(_ input: Element, emit: (Element) -> Void) throws {
        if try predicate(input) { emit(input) }
    }
}

/// Turns each element into a batch of elements (possibly empty), emitted in order.
public struct FlatMapOperator<Input: Sendable, Output: Sendable>: StageOperator {
    @usableFromInline let transform: @Sendable (Input, inout [Output]) throws -> Void
    @usableFromInline var scratch: [Output] = []
    /// Whether the closure is a pure function (the default).
    public let isPure: Bool

    /// Creates the operator from a closure that appends the outputs for one input to a reused buffer.
    ///
    /// The buffer is emptied (keeping its capacity) before each call, so steady-state emission allocates nothing.
    @inlinable
    public init(isPure: Bool = true, appending transform: @escaping @Sendable (Input, inout [Output]) throws -> Void) {
        self.transform = transform
        self.isPure = isPure
    }

    @inlinable
    public mutating func process(_ input: Input, emit: (Output) -> Void) throws {
        scratch.removeAll(keepingCapacity: true)
        try transform(input, &scratch)
        for element in scratch { emit(element) }
    }
}
