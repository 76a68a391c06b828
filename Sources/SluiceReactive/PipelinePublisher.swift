import OpenCombine
import Sluice

/// A pipeline (a source and its stages, no sink) as an OpenCombine `Publisher` that honours demand.
///
/// Each subscription runs the pipeline from the start on its own `PipelineCursor` (a cold, unicast publisher), so
/// two subscribers each see every output. Demand maps onto source reads: a subscriber that requests `n` makes the
/// cursor read about `n` source elements, never more than `batchSize` at once, and nothing is read while demand
/// is zero. Outputs are delivered on the thread that calls `request` (or `subscribe`), serially, and a request
/// made from inside `receive(_:)` only adds demand to the loop already running, so recursion stays one level deep.
///
/// - Completion: `.finished` after the last output; `.failure` with the source's error; the subscription ends
///   with `ReactiveError.nonPositiveDemand` on `request(.none)` (Reactive Streams rule 3.9).
/// - Cancellation: `cancel()` stops delivery before the next element, runs the stages' stop hooks and drops the
///   subscriber. It is idempotent.
/// - The source must not need to suspend (a `BridgeSource` cannot be read here); use `PublisherSource` and
///   `PipelineOutputs` for asynchronous parts.
public struct PipelinePublisher<Source: PipelineSource, Chain: StageChain>: Publisher
where Chain.Input == Source.Element {
    /// The pipeline's output (its chain's output type).
    public typealias Output = Chain.Output
    /// Any error: one that ends the run, or `ReactiveError.nonPositiveDemand` after `request(.none)`.
    public typealias Failure = any Error

    @usableFromInline let makeCursor: @Sendable () -> PipelineCursor<Source, Chain>
    /// The most elements delivered per turn of the delivery loop (and read from the source at once).
    public let batchSize: Int

    /// Creates a publisher over `builder`'s pipeline.
    /// - Precondition: `batchSize > 0`.
    @inlinable
    public init(_ builder: PipelineBuilder<Source, Chain>, fusion: FusionMode = .enabled, batchSize: Int = 256) {
        precondition(batchSize > 0, "batchSize must be positive")
        self.batchSize = batchSize
        makeCursor = { builder.cursor(fusion: fusion, batchSize: batchSize) }
    }

    /// Hands `subscriber` a subscription on a new cursor (the pipeline runs from the start); nothing is read
    /// until it requests.
    @inlinable
    public func receive<S: Subscriber>(subscriber: S) where S.Input == Output, S.Failure == Failure {
        let subscription = PipelineSubscription(cursor: makeCursor(), subscriber: subscriber, batchSize: batchSize)
        subscriber.receive(subscription: subscription)
    }

    /// Attaches `subscriber`, exactly like `Publisher.subscribe(_:)`.
    ///
    /// OpenCombine's `subscribe` is not inlinable, so calling it reaches `receive(subscriber:)` through the
    /// protocol and runs the delivery loop unspecialized. This overload is chosen whenever the publisher's type is
    /// known statically and lets the compiler specialize the whole path for the subscriber.
    @inlinable
    public func subscribe<S: Subscriber>(_ subscriber: S) where S.Input == Output, S.Failure == Failure {
        receive(subscriber: subscriber)
    }
}

extension PipelineBuilder {
    /// This pipeline's outputs as a demand-driven OpenCombine publisher; see `PipelinePublisher`.
    @inlinable
    public func publisher(fusion: FusionMode = .enabled, batchSize: Int = 256) -> PipelinePublisher<Source, Chain> {
        PipelinePublisher(self, fusion: fusion, batchSize: batchSize)
    }
}
