import Dispatch
import Foundation
import OpenCombine
import SluiceReactive
import SluiceTestKit
import Synchronization

/// A subscriber of `Int`s that breaks one Reactive Streams subscriber rule on purpose, to show that the
/// conformance kit's check for that rule can fail.
///
/// `@unchecked Sendable`: state is a `Mutex`; `.concurrentRequests` races on purpose.
final class BrokenSubscriber: Subscriber, Cancellable, @unchecked Sendable {
    typealias Input = Int
    typealias Failure = ProbeFailure

    enum Violation: CaseIterable, Sendable {
        case none, noInitialRequest, requestsOnComplete, processesAfterTerminal, acceptsSecondSubscription,
            neverCancels, concurrentRequests, processesAfterCancel, ignoresEarlyCompletion, ignoresEarlyFailure
    }

    struct State {
        var subscription: (any Subscription)?
        var processed = 0
        var isTerminated = false
        var isCancelled = false
    }

    let violation: Violation
    /// Stops wanting elements after this many (for rule 2.6).
    let stopAfter: Int?
    private let state = LockedState(State())
    let combineIdentifier = CombineIdentifier()

    init(_ violation: Violation, stopAfter: Int? = nil) {
        self.violation = violation
        self.stopAfter = stopAfter
    }

    var processed: Int { state.withLock { $0.processed } }
    var isTerminated: Bool { state.withLock { $0.isTerminated } }

    func receive(subscription: any Subscription) {
        let existing = state.withLock { state -> (any Subscription)? in
            defer { if state.subscription == nil || violation == .acceptsSecondSubscription { state.subscription = subscription } }
            return state.subscription
        }
        if existing != nil && violation != .acceptsSecondSubscription {
            subscription.cancel()
            return
        }
        switch violation {
        case .noInitialRequest: break
        case .concurrentRequests:
            // Deliberately from two threads at once.
            nonisolated(unsafe) let shared = subscription
            // The kit's long-lived second thread: no thread is created or ended per call.
            Rendezvous.both({ shared.request(.max(1)) }, { shared.request(.max(1)) })
        default: subscription.request(.max(4))
        }
    }

    func receive(_ input: Int) -> Subscribers.Demand {
        let (stop, subscription, ignored) = state.withLock { state -> (Bool, (any Subscription)?, Bool) in
            if state.isCancelled && violation != .processesAfterCancel { return (false, nil, true) }
            if state.isTerminated && violation != .processesAfterTerminal { return (false, nil, true) }
            if let stopAfter, state.processed >= stopAfter { return (true, state.subscription, false) }
            state.processed += 1
            return (false, nil, false)
        }
        if ignored { return .none }
        if stop {
            if violation != .neverCancels { cancel() }
            _ = subscription
            return .none
        }
        return .max(1)
    }

    func receive(completion: Subscribers.Completion<ProbeFailure>) {
        let subscription = state.withLock { state -> (any Subscription)? in
            let early = state.processed == 0
            if early && completion == .finished && violation == .ignoresEarlyCompletion { return nil }
            if early, case .failure = completion, violation == .ignoresEarlyFailure { return nil }
            state.isTerminated = true
            return state.subscription
        }
        if violation == .requestsOnComplete { subscription?.request(.max(1)) }
    }

    func cancel() {
        let subscription = state.withLock { state -> (any Subscription)? in
            state.isCancelled = true
            return state.subscription
        }
        subscription?.cancel()
    }
}
