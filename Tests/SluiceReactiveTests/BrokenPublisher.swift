import OpenCombine
import SluiceReactive
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A publisher of `0..<count` that breaks one Reactive Streams rule on purpose, to show that the conformance
/// kit's check for that rule can fail.
struct BrokenPublisher: Publisher {
    typealias Output = Int
    typealias Failure = any Error

    enum Violation: CaseIterable, Sendable {
        case exceedsDemand, neverTerminates, unserialized, swallowsFailure, signalsAfterTerminal,
            answersRequestAfterTerminal, ignoresCancel, elementBeforeSubscribe, rejectsSecondSubscriber,
            ignoresReentrantRequest, recursesUnbounded, racyCancel, secondCancelSignals, acceptsZeroDemand,
            retainsSubscriber, overflowsDemand
    }

    let count: Int
    let violation: Violation
    var fails = false
    /// Shared across subscriptions, for `rejectsSecondSubscriber`.
    final class Counter: Sendable { let value = Atomic<Int>(0) }
    let subscriptions = Counter()

    init(count: Int, violation: Violation, fails: Bool = false) {
        self.count = count
        self.violation = violation
        self.fails = fails
    }

    func receive<S: Subscriber>(subscriber: S) where S.Input == Int, S.Failure == any Error {
        let number = subscriptions.value.add(1, ordering: .relaxed).newValue
        if violation == .rejectsSecondSubscriber && number > 1 { return }
        if violation == .elementBeforeSubscribe { _ = subscriber.receive(-1) }
        let subscription = BrokenSubscription(
            subscriber: AnySubscriber(subscriber), count: count, violation: violation, fails: fails)
        // For the violations that signal where no signal may come: a completion sent to the subscriber, held
        // weakly (holding it strongly after the end would break rule 3.13 as well).
        let object = subscriber as AnyObject
        subscription.lateCompletion = { [weak object] in (object as? S)?.receive(completion: .finished) }
        subscriber.receive(subscription: subscription)
    }
}

/// The subscription of `BrokenPublisher`. Deliberately simple and, where its violation says so, wrong.
///
/// `@unchecked Sendable`: `state` is a `Mutex`, except under `.unserialized`, which races on purpose.
final class BrokenSubscription: Subscription, @unchecked Sendable {
    struct State {
        var next = 0
        var demand = 0
        var isCancelled = false
        var isDone = false
        var isDelivering = false
        /// The thread running the delivery loop, for `.racyCancel`.
        var deliveringThread: UInt = 0
        var strong: AnySubscriber<Int, any Error>?
    }

    let state: LockedState<State>
    let count: Int
    let violation: BrokenPublisher.Violation
    let fails: Bool
    /// Sends a completion to the subscriber, if it still exists; set once before `onSubscribe`.
    var lateCompletion: (() -> Void)?
    let combineIdentifier = CombineIdentifier()

    init(subscriber: AnySubscriber<Int, any Error>, count: Int, violation: BrokenPublisher.Violation, fails: Bool) {
        state = LockedState(State(strong: subscriber))
        self.count = count
        self.violation = violation
        self.fails = fails
    }

    func request(_ demand: Subscribers.Demand) {
        if demand == .none && violation != .acceptsZeroDemand {
            complete(.failure(ZeroDemand()))
            return
        }
        if violation == .answersRequestAfterTerminal && state.withLock({ $0.isDone }) {
            // The violation (1.6): a request after the end is answered, as if the subscription were still live.
            lateCompletion?()
            return
        }
        let add = demand.max ?? Int.max
        let proceed = state.withLock { state -> Bool in
            guard !(state.isCancelled && violation != .ignoresCancel), !state.isDone || violation == .signalsAfterTerminal else { return false }
            if violation == .ignoresReentrantRequest && state.isDelivering { return false }
            if violation == .overflowsDemand {
                state.demand = state.demand &+ add
            } else {
                let (sum, overflow) = state.demand.addingReportingOverflow(add)
                state.demand = overflow ? Int.max : sum
            }
            if violation == .exceedsDemand { state.demand += 1 }
            if state.isDelivering && violation != .unserialized && violation != .recursesUnbounded { return false }
            state.isDelivering = true
            state.deliveringThread = Self.currentThread()
            return true
        }
        guard proceed else { return }
        deliver()
    }

    private func deliver() {
        while true {
            let (element, subscriber) = state.withLock { state -> (Int?, AnySubscriber<Int, any Error>?) in
                guard state.demand > 0, state.next < count, !(state.isCancelled && violation != .ignoresCancel)
                else { return (nil, nil) }
                state.demand -= 1
                state.next += 1
                return (state.next - 1, state.strong)
            }
            guard let element, let subscriber else { break }
            let more = subscriber.receive(element)
            if more > .none {
                if violation == .ignoresReentrantRequest { continue }
                state.withLock { state in
                    let add = more.max ?? Int.max
                    if violation == .overflowsDemand {
                        state.demand = state.demand &+ add
                    } else {
                        let (sum, overflow) = state.demand.addingReportingOverflow(add)
                        state.demand = overflow ? Int.max : sum
                    }
                }
            }
        }
        let finished = state.withLock { state -> Bool in
            state.isDelivering = false
            return state.next >= count && !state.isDone
        }
        if finished && violation != .neverTerminates {
            complete(fails && violation != .swallowsFailure ? .failure(Failed()) : .finished)
        } else if fails && violation == .swallowsFailure {
            complete(.finished)
        }
    }

    private func complete(_ completion: Subscribers.Completion<any Error>) {
        let subscriber = state.withLock { state -> AnySubscriber<Int, any Error>? in
            guard !state.isDone || violation == .signalsAfterTerminal else { return nil }
            state.isDone = true
            defer { if violation != .retainsSubscriber { state.strong = nil } }
            return state.strong
        }
        subscriber?.receive(completion: completion)
        // The violation (1.7): a second terminal signal, unasked.
        if violation == .signalsAfterTerminal { subscriber?.receive(completion: completion) }
    }

    func cancel() {
        let me = Self.currentThread()
        let again = state.withLock { state -> Bool in
            // The violation (3.5): the delivering thread keeps its own view of the flag, so a cancel from another
            // thread during a delivery is never seen (a data race, made deterministic here).
            if violation == .racyCancel && state.isDelivering && state.deliveringThread != me { return false }
            let again = state.isCancelled
            state.isCancelled = true
            if violation != .retainsSubscriber && violation != .ignoresCancel { state.strong = nil }
            return again
        }
        // The violation (3.7): a cancel after cancel is not a no-op.
        if again && violation == .secondCancelSignals { lateCompletion?() }
    }

    static func currentThread() -> UInt {
        #if canImport(Glibc)
        UInt(pthread_self())
        #else
        UInt(bitPattern: pthread_self())
        #endif
    }

    struct ZeroDemand: Error {}
    struct Failed: Error {}
}
