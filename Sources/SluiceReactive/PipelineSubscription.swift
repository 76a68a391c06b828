import OpenCombine
import Sluice
import Synchronization

/// The subscription behind `PipelinePublisher`: outstanding demand, a cursor, and a delivery loop that only one
/// thread runs at a time.
///
/// Inlinable, so that a client specializes it for its own source, stages and subscriber (as the engines are):
/// unspecialized, every element would go through witness tables.
///
/// `@unchecked Sendable`: every stored property is immutable, atomic (`isCancelled`) or inside `state` (a
/// `LockedState`); the cursor is taken out of the lock only by the thread that owns the delivery loop
/// (`isDelivering`), and the subscriber is called outside the lock.
@usableFromInline
final class PipelineSubscription<Source: PipelineSource, Chain: StageChain, Downstream: Subscriber>: Subscription,
    @unchecked Sendable
where Chain.Input == Source.Element, Downstream.Input == Chain.Output, Downstream.Failure == any Error {
    @usableFromInline struct State {
        @usableFromInline var demand = Subscribers.Demand.none
        /// True while one thread runs the delivery loop; others only add demand.
        @usableFromInline var isDelivering = false
        @usableFromInline var isTerminated = false
        @usableFromInline var cursor: PipelineCursor<Source, Chain>?
        @usableFromInline var downstream: Downstream?

        @inlinable init(cursor: PipelineCursor<Source, Chain>, downstream: Downstream) {
            self.cursor = cursor
            self.downstream = downstream
        }
    }

    @usableFromInline let state: LockedState<State>
    /// Set once the subscription is cancelled or terminated; read without the lock at every element.
    @usableFromInline let isCancelled = Atomic<Bool>(false)
    @usableFromInline let batchSize: Int

    @inlinable
    init(cursor: PipelineCursor<Source, Chain>, subscriber: Downstream, batchSize: Int) {
        state = LockedState(State(cursor: cursor, downstream: subscriber))
        self.batchSize = batchSize
    }

    @usableFromInline let combineIdentifier = CombineIdentifier()

    @inlinable
    func request(_ demand: Subscribers.Demand) {
        guard demand > .none else {
            terminate(with: .failure(ReactiveError(.nonPositiveDemand, "request(.none): demand must be positive")))
            return
        }
        let shouldDeliver = state.withLock { state -> Bool in
            guard !state.isTerminated else { return false }
            state.demand += demand
            guard !state.isDelivering else { return false }
            state.isDelivering = true
            return true
        }
        if shouldDeliver { deliver() }
    }

    @inlinable
    func cancel() {
        isCancelled.store(true, ordering: .releasing)
        var cursor = state.withLock { state -> PipelineCursor<Source, Chain>? in
            state.isTerminated = true
            state.downstream = nil
            defer { state.cursor = nil }
            return state.cursor
        }
        cursor?.cancel()
    }

    /// The delivery loop: takes a budget of demand, pulls that many outputs, hands them over outside the lock.
    /// Demand returned from `receive(_:)` is this loop's own credit and merges into the state once per turn.
    @inlinable
    func deliver() {
        var buffer: [Chain.Output] = []
        var returned = Subscribers.Demand.none
        // The cursor is moved (swapped) out of the state and back, never copied: a copy alive while `next`
        // mutates the cursor made every buffer in it copy-on-write, twice per turn (at demand 1, per element).
        var cursor: PipelineCursor<Source, Chain>?
        var downstream: Downstream?
        while true {
            let budget = state.withLock { state -> Int? in
                state.demand += returned
                guard !state.isTerminated, state.demand > .none, state.cursor != nil, state.downstream != nil else {
                    state.isDelivering = false
                    return nil
                }
                let budget = state.demand.max.map { min($0, batchSize) } ?? batchSize
                if state.demand != .unlimited { state.demand -= budget }
                swap(&cursor, &state.cursor)
                downstream = state.downstream
                return budget
            }
            returned = .none
            guard let budget else { return }
            buffer.removeAll(keepingCapacity: true)
            var failure: (any Error)?
            var hasMore: Bool
            do {
                hasMore = try cursor!.next(into: &buffer, maxCount: budget)
            } catch {
                failure = error
                hasMore = false
            }
            let wasCancelled = state.withLock { state -> Bool in
                guard !state.isTerminated else { return true }
                if hasMore { swap(&cursor, &state.cursor) }
                return false
            }
            if wasCancelled {
                cursor?.cancel()
                return
            }
            for element in buffer {
                returned += downstream!.receive(element)
                if isCancelled.load(ordering: .acquiring) { return }
            }
            if !hasMore {
                cursor = nil
                terminate(with: failure.map { .failure($0) } ?? .finished)
                return
            }
        }
    }

    /// Sends the terminal signal once and drops every reference (rules 1.6, 1.7, 3.13).
    @inlinable
    func terminate(with completion: Subscribers.Completion<any Error>) {
        isCancelled.store(true, ordering: .releasing)
        let ended = state.withLock { state -> (Downstream?, PipelineCursor<Source, Chain>?) in
            guard !state.isTerminated else { return (nil, nil) }
            state.isTerminated = true
            state.isDelivering = false
            defer {
                state.downstream = nil
                state.cursor = nil
            }
            return (state.downstream, state.cursor)
        }
        var cursor = ended.1
        cursor?.cancel()
        ended.0?.receive(completion: completion)
    }
}
