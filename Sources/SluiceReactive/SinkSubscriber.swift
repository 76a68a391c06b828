import OpenCombine
import Sluice
import Synchronization

/// A Sluice sink as an OpenCombine `Subscriber`: requests `batchSize` elements at a time and hands each full batch
/// to the sink's `consume`.
///
/// Demand: the first request is `batchSize`; after the sink has consumed a full batch, `batchSize` more are
/// requested, so at most one batch is ever buffered. On `.finished` the last partial batch is consumed and the sink
/// finished; on `.failure` the sink is not finished and `completion` records the error. A sink that throws cancels
/// the subscription (rule 2.6) and `completion` records its error. A second subscription while one is active is
/// cancelled (rule 2.5). Signals after the terminal one are ignored (rule 2.4).
///
/// The sink must not need to suspend (`consume`, not `consumeAsync`, is called): a `BridgeSink` cannot be used.
///
/// `@unchecked Sendable`: all mutable state, the sink included, is inside `state` (a `LockedState`). The sink is
/// called under that lock (it is this subscriber's own state); the subscription is always called outside it.
public final class SinkSubscriber<Sink: PipelineSink, Failure: Error>: Subscriber, Cancellable, @unchecked Sendable {
    /// The sink's input element.
    public typealias Input = Sink.Input

    @usableFromInline struct State {
        @usableFromInline var sink: Sink
        @usableFromInline var buffer: [Input] = []
        @usableFromInline var subscription: (any Subscription)?
        @usableFromInline var isTerminated = false
        @usableFromInline var completion: Subscribers.Completion<any Error>?
        @usableFromInline var consumedCount = 0

        @inlinable init(sink: Sink) { self.sink = sink }
    }

    @usableFromInline let state: LockedState<State>
    /// Elements requested at a time, and the size of the batches handed to the sink.
    public let batchSize: Int
    /// `append(_:to:batchSize:)` for this subscriber, as a closure made in `init`, in the caller's code specialized
    /// for its sink: the publisher calls `receive(_:)` through its `Subscriber` witness, which runs the generic
    /// body unspecialized, and the per-element work done there would look up generic metadata at every element.
    @usableFromInline let take: (Input) -> Subscribers.Demand

    /// Creates a subscriber feeding `sink`.
    /// - Precondition: `batchSize > 0`.
    @inlinable
    public init(_ sink: Sink, batchSize: Int = 256, failure: Failure.Type = Never.self) {
        precondition(batchSize > 0, "batchSize must be positive")
        self.batchSize = batchSize
        var initial = State(sink: sink)
        initial.buffer.reserveCapacity(batchSize)
        let state = LockedState(initial)
        self.state = state
        take = { input in Self.append(input, to: state, batchSize: batchSize) }
    }

    /// Buffers one element; hands a full batch to the sink and asks for `batchSize` more, or, when the sink
    /// throws, ends the stream with its error and cancels the subscription (outside the lock).
    @inlinable
    static func append(_ input: Input, to state: LockedState<State>, batchSize: Int) -> Subscribers.Demand {
        let outcome = state.withLock { state -> (demand: Subscribers.Demand, cancel: (any Subscription)?) in
            guard !state.isTerminated else { return (.none, nil) }
            state.buffer.append(input)
            guard state.buffer.count >= batchSize else { return (.none, nil) }
            do {
                try state.sink.consume(state.buffer)
                state.consumedCount += state.buffer.count
                state.buffer.removeAll(keepingCapacity: true)
                return (.max(batchSize), nil)
            } catch {
                state.isTerminated = true
                state.completion = .failure(error)
                defer { state.subscription = nil }
                return (.none, state.subscription)
            }
        }
        outcome.cancel?.cancel()
        return outcome.demand
    }

    /// How the stream ended, once it has: `.finished`, the publisher's error, or the sink's error.
    public var completion: Subscribers.Completion<any Error>? { state.withLock { $0.completion } }

    /// Elements handed to the sink so far.
    public var consumedCount: Int { state.withLock { $0.consumedCount } }

    /// This subscriber's identity for OpenCombine.
    public let combineIdentifier = CombineIdentifier()

    /// Keeps the first subscription and requests `batchSize`; cancels a second one, or one after termination.
    public func receive(subscription: any Subscription) {
        let accepted = state.withLock { state -> Bool in
            guard state.subscription == nil, !state.isTerminated else { return false }
            state.subscription = subscription
            return true
        }
        guard accepted else {
            subscription.cancel()
            return
        }
        subscription.request(.max(batchSize))
    }

    /// Buffers the element; a full batch goes to the sink's `consume` on the calling thread and `batchSize` more
    /// are requested (the returned demand). A sink error cancels the subscription.
    public func receive(_ input: Input) -> Subscribers.Demand {
        take(input)
    }

    /// On `.finished`, consumes the partial batch and finishes the sink; on `.failure`, records the error and
    /// does not finish the sink. Ignored after termination.
    public func receive(completion: Subscribers.Completion<Failure>) {
        state.withLock { state in
            guard !state.isTerminated else { return }
            state.isTerminated = true
            state.subscription = nil
            switch completion {
            case .failure(let error):
                state.completion = .failure(error)
            case .finished:
                do {
                    if !state.buffer.isEmpty {
                        try state.sink.consume(state.buffer)
                        state.consumedCount += state.buffer.count
                        state.buffer.removeAll()
                    }
                    try state.sink.finish()
                    state.completion = .finished
                } catch {
                    state.completion = .failure(error)
                }
            }
        }
    }

    /// Cancels the subscription; the sink is not finished.
    public func cancel() {
        state.withLock { state in
            state.isTerminated = true
            defer { state.subscription = nil }
            return state.subscription
        }?.cancel()
    }
}
