import Dispatch
import OpenCombine
import Synchronization

/// Checks the Reactive Streams subscriber rules (section 2) against any OpenCombine subscriber, by feeding it from a
/// scripted subscription that records every call the subscriber makes.
///
/// ```swift
/// let kit = SubscriberConformance(
///     make: { SinkSubscriber(BatchSink<String> { _ in }, batchSize: 4) },   // Input == String, Failure == Never
///     element: { "element \($0)" },
///     processed: { $0.consumedCount }, isTerminated: { $0.completion != nil })
/// for rule in ReactiveStreamsRule.subscriberRules { #expect(kit.check(rule).isAcceptable, "\(rule)") }
/// ```
///
/// `element` makes the `n`-th element the kit sends; `failure` makes the error for `onError` (rule 2.10), or is
/// nil when the subscriber's `Failure` is `Never` (the rule then cannot be exercised). For subscribers of `Int`s
/// that fail with `ProbeFailure`, and for those that never fail, shorter initializers fill these in.
///
/// Every check runs on the calling thread and is synchronous; rule 2.7's check also uses the kit's one second
/// thread (`Rendezvous`).
public struct SubscriberConformance<S: Subscriber> {
    /// Makes a fresh subscriber.
    public var make: () -> S
    /// Makes the `n`-th element sent to a subscriber (n = 0, 1, ...).
    public var element: (Int) -> S.Input
    /// Makes the error sent with `onError`, or nil when the subscriber cannot be sent one (`Failure == Never`).
    public var failure: (() -> S.Failure)?
    /// How many elements the subscriber has taken in (processed, consumed, stored).
    public var processed: (S) -> Int
    /// Whether the subscriber has seen a terminal signal (and handled it).
    public var isTerminated: (S) -> Bool
    /// Makes a subscriber that stops needing elements at some point (a sink that fails, say), or nil when the
    /// subscriber always wants everything (rule 2.6 then does not apply).
    public var makeStopping: (() -> S)?

    /// Creates a kit for any subscriber.
    public init(
        make: @escaping () -> S, element: @escaping (Int) -> S.Input, failure: (() -> S.Failure)?,
        processed: @escaping (S) -> Int, isTerminated: @escaping (S) -> Bool, makeStopping: (() -> S)? = nil
    ) {
        self.make = make
        self.element = element
        self.failure = failure
        self.processed = processed
        self.isTerminated = isTerminated
        self.makeStopping = makeStopping
    }

    /// Checks one rule.
    public func check(_ rule: ReactiveStreamsRule) -> RuleVerdict {
        if let reason = rule.notApplicableBecause { return .notApplicable(reason) }
        switch rule.number {
        case "2.1": return rule21()
        case "2.3": return rule23()
        case "2.4": return rule24()
        case "2.5": return rule25()
        case "2.6": return rule26()
        case "2.7": return rule27()
        case "2.8": return rule28()
        case "2.9": return rule29()
        case "2.10": return rule210()
        default: return .notApplicable("rule \(rule.number) binds publishers; use PublisherConformance")
        }
    }

    /// Subscribes a fresh subscriber to a scripted subscription.
    private func start(_ subscriber: S? = nil, waitForOverlap: Bool = false) -> (S, ScriptedSubscription) {
        let subscriber = subscriber ?? make()
        let subscription = ScriptedSubscription(waitForOverlap: waitForOverlap)
        subscriber.receive(subscription: subscription)
        return (subscriber, subscription)
    }

    /// Sends up to `count` elements as far as the subscriber's demand allows; returns how many went.
    @discardableResult
    private func feed(_ subscriber: S, _ subscription: ScriptedSubscription, upTo count: Int) -> Int {
        var sent = 0
        while sent < count, subscription.takeDemand() {
            let more = subscriber.receive(element(sent))
            subscription.add(more)
            sent += 1
        }
        return sent
    }

    private func rule21() -> RuleVerdict {
        let (subscriber, subscription) = start()
        guard subscription.totalRequested > .none else {
            return .failed("the subscriber requested nothing after onSubscribe, so it can never receive an element")
        }
        let sent = feed(subscriber, subscription, upTo: 100)
        return sent > 0 ? .passed : .failed("no element could be delivered within the subscriber's demand")
    }

    /// 2.3: the terminal call itself (onComplete, and onError on a fresh subscriber) calls nothing on the
    /// subscription. What the subscriber does with later signals is rule 2.4's.
    private func rule23() -> RuleVerdict {
        var terminals: [(String, Subscribers.Completion<S.Failure>)] = [("onComplete", .finished)]
        if let failure { terminals.append(("onError", .failure(failure()))) }
        for (name, completion) in terminals {
            let (subscriber, subscription) = start()
            feed(subscriber, subscription, upTo: 3)
            let before = subscription.calls
            subscriber.receive(completion: completion)
            let during = subscription.calls - before
            if during > 0 { return .failed("\(name) called the subscription \(during) times") }
        }
        return .passed
    }

    /// 2.4: after the terminal signal the subscription counts as cancelled: a late element (a publisher racing its
    /// own completion) is not taken in, asks for no more, and leads to no call on the subscription.
    private func rule24() -> RuleVerdict {
        let (subscriber, subscription) = start()
        feed(subscriber, subscription, upTo: 3)
        subscriber.receive(completion: .finished)
        guard isTerminated(subscriber) else { return .failed("the subscriber did not register the terminal signal") }
        let takenBefore = processed(subscriber)
        let callsBefore = subscription.calls
        let demand = subscriber.receive(element(99))
        let takenAfter = processed(subscriber)
        let calls = subscription.calls - callsBefore
        if takenAfter > takenBefore {
            return .failed("an element after the terminal signal was taken in (\(takenBefore) → \(takenAfter))")
        }
        if demand > .none { return .failed("an element after the terminal signal was answered with demand \(demand)") }
        if calls > 0 { return .failed("after the terminal signal the subscriber called the subscription \(calls) times") }
        return .passed
    }

    private func rule25() -> RuleVerdict {
        let (subscriber, first) = start()
        let second = ScriptedSubscription()
        subscriber.receive(subscription: second)
        if !second.isCancelled { return .failed("a second subscription while the first was active was not cancelled") }
        if first.isCancelled { return .failed("the first subscription was cancelled instead of the second") }
        return .passed
    }

    private func rule26() -> RuleVerdict {
        guard let makeStopping else { return .notApplicable("the subscriber under test always wants every element") }
        let (subscriber, subscription) = start(makeStopping())
        feed(subscriber, subscription, upTo: 10_000)
        return subscription.isCancelled
            ? .passed : .failed("the subscriber stopped taking elements but did not cancel its subscription")
    }

    private func rule27() -> RuleVerdict {
        // The first call waits (a bounded spin) for a second call to arrive from another thread before returning:
        // a serial subscriber makes none, so only an overlapping one is seen.
        let (subscriber, subscription) = start(waitForOverlap: true)
        feed(subscriber, subscription, upTo: 50)
        return subscription.overlaps == 0
            ? .passed : .failed("\(subscription.overlaps) calls on the subscription overlapped from different threads")
    }

    private func rule28() -> RuleVerdict {
        guard let cancellable = make() as? any Cancellable else {
            return .notApplicable("the subscriber under test cannot be told to cancel (it is not Cancellable)")
        }
        let (subscriber, subscription) = start(cancellable as? S)
        let sent = feed(subscriber, subscription, upTo: 2)
        (subscriber as? any Cancellable)?.cancel()
        let takenBefore = processed(subscriber)
        _ = subscriber.receive(element(1_000))
        subscriber.receive(completion: .finished)
        let takenAfter = processed(subscriber)
        return takenAfter > max(takenBefore, sent)
            ? .failed("an element sent after cancel was taken in (\(takenBefore) → \(takenAfter))") : .passed
    }

    private func rule29() -> RuleVerdict {
        let subscriber = make()
        let subscription = ScriptedSubscription()
        subscriber.receive(subscription: subscription)
        subscriber.receive(completion: .finished)
        return isTerminated(subscriber) ? .passed : .failed("onComplete without elements was not handled")
    }

    private func rule210() -> RuleVerdict {
        guard let failure else {
            return .notApplicable("the subscriber's Failure type is Never: no onError can be sent to it")
        }
        let subscriber = make()
        let subscription = ScriptedSubscription()
        subscriber.receive(subscription: subscription)
        subscriber.receive(completion: .failure(failure()))
        return isTerminated(subscriber) ? .passed : .failed("onError without elements was not handled")
    }
}

extension SubscriberConformance where S.Input == Int, S.Failure == ProbeFailure {
    /// Creates a kit for a subscriber of `Int`s (the kit sends 0, 1, 2, ...) that fails with `ProbeFailure`.
    public init(
        make: @escaping () -> S, processed: @escaping (S) -> Int, isTerminated: @escaping (S) -> Bool,
        makeStopping: (() -> S)? = nil
    ) {
        self.init(
            make: make, element: { $0 }, failure: { ProbeFailure() }, processed: processed, isTerminated: isTerminated,
            makeStopping: makeStopping)
    }
}

extension SubscriberConformance where S.Failure == Never {
    /// Creates a kit for a subscriber that cannot be sent an error (`Failure == Never`); rule 2.10 is then
    /// reported as not applicable.
    public init(
        make: @escaping () -> S, element: @escaping (Int) -> S.Input, processed: @escaping (S) -> Int,
        isTerminated: @escaping (S) -> Bool, makeStopping: (() -> S)? = nil
    ) {
        self.init(
            make: make, element: element, failure: nil, processed: processed, isTerminated: isTerminated,
            makeStopping: makeStopping)
    }
}

/// The error the subscriber kit sends for rule 2.10.
public struct ProbeFailure: Error, Hashable, Sendable {
    /// Creates the error.
    public init() {}
}

/// A subscription driven by the kit: it records the subscriber's requests and cancels and detects calls that
/// overlap from different threads (rule 2.7).
///
/// `@unchecked Sendable`: all state is inside `state` (a `Mutex`).
final class ScriptedSubscription: Subscription, @unchecked Sendable {
    struct State {
        var outstanding = Subscribers.Demand.none
        var total = Subscribers.Demand.none
        var isCancelled = false
        var calls = 0
        var overlaps = 0
        var owner: UInt = 0
        var depth = 0
    }

    private let state = Mutex(State())
    private let waitForOverlap: Bool
    private let callCount = Atomic<Int>(0)
    let combineIdentifier = CombineIdentifier()

    init(waitForOverlap: Bool = false) {
        self.waitForOverlap = waitForOverlap
    }

    func request(_ demand: Subscribers.Demand) {
        enter()
        state.withLock { state in
            state.outstanding += demand
            state.total += demand
        }
        leave()
    }

    func cancel() {
        enter()
        state.withLock { $0.isCancelled = true }
        leave()
    }

    /// Adds demand returned from `receive(_:)`.
    func add(_ demand: Subscribers.Demand) {
        state.withLock { state in
            state.outstanding += demand
            state.total += demand
        }
    }

    /// Takes one unit of demand, if there is one and the subscription is live.
    func takeDemand() -> Bool {
        state.withLock { state in
            guard !state.isCancelled, state.outstanding > .none else { return false }
            if state.outstanding != .unlimited { state.outstanding -= 1 }
            return true
        }
    }

    var totalRequested: Subscribers.Demand { state.withLock { $0.total } }
    var isCancelled: Bool { state.withLock { $0.isCancelled } }
    var calls: Int { state.withLock { $0.calls } }
    var overlaps: Int { state.withLock { $0.overlaps } }

    private func enter() {
        let me = currentThreadIdentity()
        callCount.add(1, ordering: .releasing)
        let isFirstCall = state.withLock { state -> Bool in
            state.calls += 1
            if state.depth > 0 && state.owner != me { state.overlaps += 1 }
            state.owner = me
            state.depth += 1
            return state.calls == 1
        }
        if waitForOverlap && isFirstCall {
            Rendezvous.yield(until: { callCount.load(ordering: .acquiring) >= 2 })
        }
    }

    private func leave() {
        state.withLock { $0.depth -= 1 }
    }
}
