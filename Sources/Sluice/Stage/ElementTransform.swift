/// A per-element function written as a type, for the fastest fused chains.
///
/// A closure stored in a stage is called indirectly on every element; a transform type is known to the compiler,
/// so a fused chain of them inlines into one loop with no calls at all:
///
/// ```swift
/// struct Scale: ElementTransform {
///     var factor: Int
///     func callAsFunction(_ input: Int) -> Int { input &* factor }
/// }
/// Pipeline.source(numbers).map("scale", Scale(factor: 3))
/// ```
public protocol ElementTransform<Input, Output>: Sendable {
    /// What the transform takes.
    associatedtype Input: Sendable
    /// What it returns.
    associatedtype Output: Sendable
    /// Transforms one element. Throwing routes the element to the dead-letter sink.
    func callAsFunction(_ input: Input) throws -> Output
}

/// A per-element predicate written as a type (see `ElementTransform`).
public protocol ElementPredicate<Element>: Sendable {
    /// What the predicate tests.
    associatedtype Element: Sendable
    /// Whether to keep `element`. Throwing routes the element to the dead-letter sink.
    func callAsFunction(_ element: Element) throws -> Bool
}

/// A map stage over an `ElementTransform`.
public struct TransformOperator<Transform: ElementTransform>: StageOperator {
    public typealias Input = Transform.Input
    public typealias Output = Transform.Output
    @usableFromInline let transform: Transform
    /// Whether the stage may fuse (the default); `false` keeps it in a segment of its own.
    public let isPure: Bool

    /// Creates the operator.
    @inlinable
    public init(_ transform: Transform, isPure: Bool = true) {
        self.transform = transform
        self.isPure = isPure
    }

    @inlinable
    public mutating func process(_ input: Input, emit: (Output) -> Void) throws {
        emit(try transform(input))
    }

    @inlinable
    public static var _isSingleOutput: Bool { true }

    @inlinable
    public mutating func _processOne(_ input: Input) throws -> Output? {
        try transform(input)
    }
}

/// A filter stage over an `ElementPredicate`.
public struct PredicateOperator<Predicate: ElementPredicate>: StageOperator {
    public typealias Input = Predicate.Element
    public typealias Output = Predicate.Element
    @usableFromInline let predicate: Predicate
    /// Whether the stage may fuse (the default); `false` keeps it in a segment of its own.
    public let isPure: Bool

    /// Creates the operator.
    @inlinable
    public init(_ predicate: Predicate, isPure: Bool = true) {
        self.predicate = predicate
        self.isPure = isPure
    }

    @inlinable
    public mutating func process(_ input: Input, emit: (Output) -> Void) throws {
        if try predicate(input) { emit(input) }
    }

    @inlinable
    public static var _isSingleOutput: Bool { true }

    @inlinable
    public mutating func _processOne(_ input: Input) throws -> Output? {
        try predicate(input) ? input : nil
    }
}
