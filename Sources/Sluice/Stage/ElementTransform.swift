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
    /// The transform's input type.
    public typealias Input = Transform.Input
    /// The transform's output type.
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

    /// Emits `transform(input)`; throws the transform's error (the engine dead-letters the element).
    @inlinable
    public mutating func process(_ input: Input, emit: (Output) -> Void) throws {
        emit(try transform(input))
    }

    /// True: exactly one output per input, so the stage fuses into closure-free loops.
    @inlinable
    public static var _isSingleOutput: Bool { true }

    /// Returns `transform(input)`; never nil.
    @inlinable
    public mutating func _processOne(_ input: Input) throws -> Output? {
        try transform(input)
    }
}

/// A filter stage over an `ElementPredicate`.
public struct PredicateOperator<Predicate: ElementPredicate>: StageOperator {
    /// The predicate's element type.
    public typealias Input = Predicate.Element
    /// The predicate's element type: kept elements pass unchanged.
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

    /// Emits `input` when the predicate holds; throws the predicate's error (the engine dead-letters the element).
    @inlinable
    public mutating func process(_ input: Input, emit: (Output) -> Void) throws {
        if try predicate(input) { emit(input) }
    }

    /// True: at most one output per input, so the stage fuses into closure-free loops.
    @inlinable
    public static var _isSingleOutput: Bool { true }

    /// Returns `input` when the predicate holds, nil when it does not.
    @inlinable
    public mutating func _processOne(_ input: Input) throws -> Output? {
        try predicate(input) ? input : nil
    }
}
