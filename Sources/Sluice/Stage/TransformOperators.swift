/// A one-to-one transform stage over a closure.
public typealias MapOperator<Input: Sendable, Output: Sendable> = TransformOperator<ClosureTransform<Input, Output>>

/// A filter stage over a closure.
public typealias FilterOperator<Element: Sendable> = PredicateOperator<ClosurePredicate<Element>>

/// A closure as an `ElementTransform`. Each call is an indirect call; write a transform type to get it inlined.
public struct ClosureTransform<Input: Sendable, Output: Sendable>: ElementTransform {
    @usableFromInline let body: @Sendable (Input) throws -> Output

    /// Wraps `body`.
    @inlinable
    public init(_ body: @escaping @Sendable (Input) throws -> Output) {
        self.body = body
    }

    /// Calls `body` (an indirect call per element).
    @inlinable
    public func callAsFunction(_ input: Input) throws -> Output {
        try body(input)
    }
}

/// A closure as an `ElementPredicate`.
public struct ClosurePredicate<Element: Sendable>: ElementPredicate {
    @usableFromInline let body: @Sendable (Element) throws -> Bool

    /// Wraps `body`.
    @inlinable
    public init(_ body: @escaping @Sendable (Element) throws -> Bool) {
        self.body = body
    }

    /// Calls `body` (an indirect call per element).
    @inlinable
    public func callAsFunction(_ element: Element) throws -> Bool {
        try body(element)
    }
}

extension TransformOperator {
    /// Creates a map stage over a closure; `isPure: false` keeps it out of fusion.
    @inlinable
    public init<Input, Output>(isPure: Bool = true, _ body: @escaping @Sendable (Input) throws -> Output)
    where Transform == ClosureTransform<Input, Output> {
        self.init(ClosureTransform(body), isPure: isPure)
    }
}

extension PredicateOperator {
    /// Creates a filter stage over a closure; `isPure: false` keeps it out of fusion.
    @inlinable
    public init<Element>(isPure: Bool = true, _ body: @escaping @Sendable (Element) throws -> Bool)
    where Predicate == ClosurePredicate<Element> {
        self.init(ClosurePredicate(body), isPure: isPure)
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

    /// Empties the scratch buffer (keeping its capacity), lets the closure append the outputs, then emits them in
    /// order.
    @inlinable
    public mutating func process(_ input: Input, emit: (Output) -> Void) throws {
        scratch.removeAll(keepingCapacity: true)
        try transform(input, &scratch)
        for element in scratch { emit(element) }
    }
}
