import OpenCombine
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A subscriber that records every signal it gets and checks the demand contract as it goes, for the publisher
/// rules of `PublisherConformance`.
///
/// `@unchecked Sendable`: the record is inside `log` (a `Mutex`); `subscription` is set once by `onSubscribe` and
/// then read by the test thread that drives the probe.
final class ProbeSubscriber<Input, Failure: Error>: Subscriber, @unchecked Sendable {
    struct Log {
        var events: [String] = []
        var received = 0
        var requested = Subscribers.Demand.none
        var completion: Subscribers.Completion<Failure>?
        var subscriptions = 0
        var violations: [String] = []
        var depth = 0
        /// `onNext` calls in progress on the stack, and the most ever (rule 3.3).
        var nextDepth = 0
        var maxDepth = 0
        var signalsAfterTerminal = 0
    }

    let log = Mutex(Log())
    private let behaviour: Behaviour
    /// Set by the first `onSubscribe`.
    private(set) var subscription: (any Subscription)?
    /// The thread currently inside a signal, for rule 1.3.
    private let signalOwner = Atomic<UInt>(0)
    /// Set by the conformance check when the concurrent request it waits for has returned.
    let rendezvous = Atomic<Bool>(false)

    /// What the probe does on each signal.
    struct Behaviour {
        var initialRequest = Subscribers.Demand.none
        /// Requested from inside each `onNext` through its return value.
        var requestPerElement = Subscribers.Demand.none
        /// Requested from inside each `onNext` by calling `request` on the subscription (rules 3.2 and 3.3).
        var requestCallPerElement = Subscribers.Demand.none
        /// Cancels from inside the k-th `onNext` (1-based).
        var cancelAtElement: Int?
        /// Waits in the first `onNext` until `rendezvous` is set (bounded), for rule 1.3.
        var waitForRendezvous = false
    }

    init(_ behaviour: Behaviour) {
        self.behaviour = behaviour
    }

    let combineIdentifier = CombineIdentifier()

    func receive(subscription: any Subscription) {
        enter("onSubscribe")
        let isFirst = log.withLock { log -> Bool in
            log.subscriptions += 1
            if log.events.count > 1 { log.violations.append("onSubscribe came after other signals (1.9)") }
            return log.subscriptions == 1
        }
        if isFirst {
            self.subscription = subscription
            if behaviour.initialRequest > .none { request(behaviour.initialRequest, on: subscription) }
        }
        leave()
    }

    func receive(_ input: Input) -> Subscribers.Demand {
        enter("onNext")
        defer { log.withLock { $0.nextDepth -= 1 } }
        let count = log.withLock { log -> Int in
            log.received += 1
            if log.subscriptions == 0 { log.violations.append("onNext before onSubscribe (1.9)") }
            if log.completion != nil { log.signalsAfterTerminal += 1 }
            if Subscribers.Demand.max(log.received) > log.requested {
                log.violations.append("element \(log.received) arrived with only \(log.requested) requested (1.1)")
            }
            return log.received
        }
        if count == 1 && behaviour.waitForRendezvous {
            Rendezvous.yield(until: { rendezvous.load(ordering: .acquiring) })
        }
        if let cancelAt = behaviour.cancelAtElement, count == cancelAt { subscription?.cancel() }
        if behaviour.requestCallPerElement > .none { request(behaviour.requestCallPerElement) }
        let more = behaviour.requestPerElement
        if more > .none { log.withLock { $0.requested += more } }
        leave()
        return more
    }

    func receive(completion: Subscribers.Completion<Failure>) {
        enter("completion")
        log.withLock { log in
            if log.completion != nil { log.signalsAfterTerminal += 1 } else { log.completion = completion }
            if log.subscriptions == 0 { log.violations.append("completion before onSubscribe (1.9)") }
        }
        leave()
    }

    /// Requests through the probe, so that the demand it checks against stays right.
    func request(_ demand: Subscribers.Demand, on subscription: (any Subscription)? = nil) {
        log.withLock { $0.requested += demand }
        (subscription ?? self.subscription)?.request(demand)
    }

    private func enter(_ signal: String) {
        let me = currentThreadIdentity()
        let previous = signalOwner.compareExchange(expected: 0, desired: me, ordering: .acquiringAndReleasing)
        log.withLock { log in
            log.events.append(signal)
            if !previous.exchanged && previous.original != me {
                log.violations.append("\(signal) ran while another thread was inside a signal (1.3)")
            }
            log.depth += 1
            if signal == "onNext" {
                log.nextDepth += 1
                log.maxDepth = max(log.maxDepth, log.nextDepth)
            }
        }
    }

    private func leave() {
        let depth = log.withLock { log -> Int in
            log.depth -= 1
            return log.depth
        }
        if depth == 0 { _ = signalOwner.compareExchange(expected: currentThreadIdentity(), desired: 0, ordering: .releasing) }
    }

    var received: Int { log.withLock { $0.received } }
    var completion: Subscribers.Completion<Failure>? { log.withLock { $0.completion } }
    var violations: [String] { log.withLock { $0.violations } }
}

/// An identity for the calling thread, stable while it lives.
func currentThreadIdentity() -> UInt {
    #if canImport(Glibc)
    UInt(pthread_self())
    #else
    UInt(bitPattern: pthread_self())
    #endif
}
