/// A stage guarded by a `CircuitBreaker`: every element goes through the breaker before the wrapped stage.
///
/// While the breaker is closed the wrapped stage runs as usual, and its errors count as failures (they still go
/// to the dead-letter router, as any stage error does). When the error rate opens the breaker, elements are
/// rejected without running the stage: each is routed to the dead-letter router with a `CircuitBreakerError`
/// (`errorCode` `circuit-open`, message naming the breaker), so nothing is lost silently and the pipeline goes on.
/// After `openDuration` the breaker lets `probeCount` elements through half-open; if they succeed it closes.
///
/// The operator is never pure (the breaker is shared state), so it does not fuse. Build one with
/// `PipelineBuilder.circuitBreaker(_:_:breaker:)`.
public struct CircuitBreakerOperator<Base: StageOperator, Clock: MonotonicClock>: StageOperator {
    /// The wrapped stage's input.
    public typealias Input = Base.Input
    /// The wrapped stage's output.
    public typealias Output = Base.Output

    /// The wrapped stage.
    public private(set) var base: Base
    /// The breaker; shared, so its statistics can be read while and after the pipeline runs.
    public let breaker: CircuitBreaker<Clock>

    /// Creates the operator.
    public init(_ base: Base, breaker: CircuitBreaker<Clock>) {
        self.base = base
        self.breaker = breaker
    }

    /// Never pure: the breaker's state is carried between elements.
    public var isPure: Bool { false }

    /// The wrapped stage's kind.
    public var kind: StageKind { base.kind }

    /// Runs the wrapped stage through the breaker; throws `CircuitBreakerError` when the breaker rejects the
    /// element (the engine then routes it to the dead-letter router).
    public mutating func process(_ input: Input, emit: (Output) -> Void) throws {
        try breaker.call { try base.process(input, emit: emit) }
    }

    /// Lets the wrapped stage emit what it still holds; not guarded (the breaker guards elements, not the end).
    public mutating func finish(emit: (Output) -> Void) throws {
        try base.finish(emit: emit)
    }
}

extension CircuitBreakerError: StageErrorCoding {
    /// `circuit-open`: the dead-letter code of an element rejected by an open breaker.
    public var errorCode: String { "circuit-open" }
}

extension PipelineBuilder {
    /// Appends `op` guarded by `breaker`: elements are rejected to the dead-letter router while it is open.
    /// See `CircuitBreakerOperator`.
    public func circuitBreaker<Operator: StageOperator, Clock: MonotonicClock>(
        _ name: String, _ op: Operator, breaker: CircuitBreaker<Clock>
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<CircuitBreakerOperator<Operator, Clock>>>>
    where Operator.Input == Chain.Output {
        stage(name, CircuitBreakerOperator(op, breaker: breaker))
    }
}
