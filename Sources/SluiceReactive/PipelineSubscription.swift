import OpenCombine
import Sluice
import Synchronization

/// The subscription behind `PipelinePublisher`: outstanding demand, a cursor, and a delivery loop that only one
/// thread runs at a time.
///
/// `@unchecked Sendable`: every stored property is either immutable or inside `state` (a `LockedState`); the cursor is
/// taken out of the lock only by the thread that owns the delivery loop (`isDelivering`), and the subscriber is
/// called outside the lock.
final class PipelineSubscription<Source: PipelineSource, Chain: StageChain, Downstream: Subscriber>: Subscription,
    @unchecked Sendable
where Chain.Input == Source.Element, Downstream.Input == Chain.Output, Downstream.Failure == any Error {
    struct State {
        var demand = Subscribers.Demand.none
        /// True while one thread runs the delivery loop; others only add demand.
        var isDelivering = false
        var isTerminated = false
        var cursor: PipelineCursor<Source, Chain>?
        var downstream: Downstream?
    }

    private let state: LockedState<State>
    private let batchSize: Int

    init(cursor: PipelineCursor<Source, Chain>, subscriber: Downstream, batchSize: Int) {
        let initial = State(cursor: cursor, downstream: subscriber)
        state = LockedState(initial)
        self.batchSize = batchSize
    }

    let combineIdentifier = CombineIdentifier()

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

    func cancel() {
        var cursor = state.withLock { state -> PipelineCursor<Source, Chain>? in
            state.isTerminated = true
            state.downstream = nil
            defer { state.cursor = nil }
            return state.cursor
        }
        cursor?.cancel()
    }

    /// The delivery loop: takes a budget of demand, pulls that many outputs, hands them over outside the lock.
    private func deliver() {
        var buffer: [Chain.Output] = []
        while true {
            let turn = state.withLock { state -> (PipelineCursor<Source, Chain>, Downstream, Int)? in
                guard !state.isTerminated, state.demand > .none, let cursor = state.cursor,
                    let downstream = state.downstream
                else {
                    state.isDelivering = false
                    return nil
                }
                let budget = state.demand.max.map { min($0, batchSize) } ?? batchSize
                if state.demand != .unlimited { state.demand -= budget }
                state.cursor = nil
                return (cursor, downstream, budget)
            }
            guard let turn else { return }
            var (cursor, budget) = (turn.0, turn.2)
            let downstream = turn.1
            buffer.removeAll(keepingCapacity: true)
            var failure: (any Error)?
            var hasMore: Bool
            do {
                hasMore = try cursor.next(into: &buffer, maxCount: budget)
            } catch {
                failure = error
                hasMore = false
            }
            let wasCancelled = state.withLock { state -> Bool in
                guard !state.isTerminated else { return true }
                if hasMore { state.cursor = cursor }
                return false
            }
            if wasCancelled {
                cursor.cancel()
                return
            }
            budget -= buffer.count
            for element in buffer {
                let more = downstream.receive(element)
                if more > .none {
                    let stillActive = state.withLock { state -> Bool in
                        state.demand += more
                        return !state.isTerminated
                    }
                    if !stillActive { return }
                } else if state.withLock({ $0.isTerminated }) {
                    return
                }
            }
            if !hasMore {
                terminate(with: failure.map { .failure($0) } ?? .finished)
                return
            }
        }
    }

    /// Sends the terminal signal once and drops every reference (rules 1.6, 1.7, 3.13).
    private func terminate(with completion: Subscribers.Completion<any Error>) {
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
