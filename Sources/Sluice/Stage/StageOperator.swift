/// The per-element work of one transform or stateful stage.
///
/// An operator receives one input at a time and calls `emit` for each output (zero, one or many: a batch).
/// Operators are value types: a pipeline description holds one, and every run works on its own copy,
/// so runs never share state unless the stage is `Persistent` and pooled (see `StagePool`).
///
/// An operator that throws for one element does not stop the pipeline: the engine routes that element to the
/// dead-letter sink (see `DeadLetterRouter`) and goes on with the next.
public protocol StageOperator<Input, Output>: Sendable {
    /// The element type the stage consumes.
    associatedtype Input: Sendable
    /// The element type the stage emits.
    associatedtype Output: Sendable

    /// Whether the stage is a pure function of each element (no state carried between elements, no side effects).
    /// Only pure stages fuse with their neighbours.
    var isPure: Bool { get }

    /// Whether this is a transform or a stateful stage; used in statistics.
    var kind: StageKind { get }

    /// Processes one element, calling `emit` for each output in order.
    mutating func process(_ input: Input, emit: (Output) -> Void) throws

    /// Processes one element that holds several independent records (a chunk of JSON documents), calling `emit`
    /// for each output and `reject` for each record that fails on its own, with the record and its error: the
    /// engine sends that record to the dead-letter sink and the element's other records go on. Throwing still sends
    /// the whole element there. The default calls `process(_:emit:)`. Called only when `_rejectsRecords`.
    mutating func process(_ input: Input, emit: (Output) -> Void, reject: (any Sendable, any Error) -> Void) throws

    /// Whether the operator implements `process(_:emit:reject:)`; only then do the engines pass a `reject` (a closure
    /// per element, which measured +5 % instructions on an unfused chain). Defaults to `false`.
    static var _rejectsRecords: Bool { get }

    /// Called once after the last element: a stateful stage emits what it still holds.
    mutating func finish(emit: (Output) -> Void) throws

    /// Whether the operator emits at most one output per input and implements `_processOne`; such operators
    /// fuse into closure-free loops. Defaults to `false`.
    static var _isSingleOutput: Bool { get }

    /// Processes one element, returning its output or `nil` for none. Called only when `_isSingleOutput`.
    mutating func _processOne(_ input: Input) throws -> Output?

    /// For token stages: tokens emitted and documents tokenized so far; `nil` (the default) for other stages.
    var _tokenCounts: (tokens: Int, documents: Int)? { get }
}

extension StageOperator {
    /// Default: false; the engines call `process(_:emit:)` without a `reject`.
    @inlinable
    public static var _rejectsRecords: Bool { false }

    /// Operators without records of their own reject nothing: the element is the record.
    @inlinable
    public mutating func process(
        _ input: Input, emit: (Output) -> Void, reject: (any Sendable, any Error) -> Void
    ) throws {
        try process(input, emit: emit)
    }

    /// Stages emit nothing at the end unless they say otherwise.
    @inlinable
    public mutating func finish(emit: (Output) -> Void) throws {}

    /// Default: false (the operator may emit any number of outputs per input).
    @inlinable
    public static var _isSingleOutput: Bool { false }

    /// Default: a precondition failure; single-output operators implement it.
    @inlinable
    public mutating func _processOne(_ input: Input) throws -> Output? {
        preconditionFailure("_processOne called on an operator that is not single-output")
    }

    /// Default: nil (not a token stage).
    @inlinable
    public var _tokenCounts: (tokens: Int, documents: Int)? { nil }

    /// Transforms are the default kind.
    @inlinable
    public var kind: StageKind { .transform }
}

/// The kind of a stage, as reported in `PipelineStatistics`.
public struct StageKind: Hashable, Sendable, CustomStringConvertible {
    enum Base: Hashable, Sendable {
        case source
        case transform
        case stateful
        case sink
        case fanOut
        case fanIn
    }

    let base: Base

    /// Produces elements.
    public static let source = StageKind(base: .source)
    /// Map, filter, flatMap: one element in, zero or more out, no state.
    public static let transform = StageKind(base: .transform)
    /// Carries an explicit state value between elements (scan, reduce, aggregate by key).
    public static let stateful = StageKind(base: .stateful)
    /// Consumes elements.
    public static let sink = StageKind(base: .sink)
    /// Sends each element to several successors (broadcast or partition by key).
    public static let fanOut = StageKind(base: .fanOut)
    /// Merges several inputs into one stream.
    public static let fanIn = StageKind(base: .fanIn)

    /// `source`, `transform`, `stateful`, `sink`, `fan-out` or `fan-in`.
    public var description: String {
        switch base {
        case .source: "source"
        case .transform: "transform"
        case .stateful: "stateful"
        case .sink: "sink"
        case .fanOut: "fan-out"
        case .fanIn: "fan-in"
        }
    }
}
