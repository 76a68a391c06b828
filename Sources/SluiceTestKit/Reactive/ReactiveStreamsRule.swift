/// A numbered rule of the Reactive Streams specification (1.0.4), as it applies to OpenCombine's protocols:
/// `Publisher.receive(subscriber:)` is `subscribe`, `Subscriber.receive(subscription:)` is `onSubscribe`,
/// `receive(_:)` is `onNext`, `receive(completion:)` is `onComplete` / `onError`, and `Subscription.request(_:)`
/// takes a `Subscribers.Demand`.
public struct ReactiveStreamsRule: Sendable, Hashable, CustomStringConvertible {
    /// Which party the rule binds.
    public enum Party: String, Sendable {
        case publisher, subscriber, subscription
    }

    /// The rule's number, e.g. `1.1`.
    public let number: String
    /// Which party the rule binds.
    public let party: Party
    /// The rule, shortened.
    public let summary: String
    /// Why the rule cannot be checked on this platform, or nil when the kit checks it.
    public let notApplicableBecause: String?

    init(_ number: String, _ party: Party, _ summary: String, notApplicable: String? = nil) {
        self.number = number
        self.party = party
        self.summary = summary
        notApplicableBecause = notApplicable
    }

    /// Whether the conformance kit checks this rule.
    public var isApplicable: Bool { notApplicableBecause == nil }

    /// The rule's number, a space, and its summary.
    public var description: String { "\(number) \(summary)" }

    private static let swiftTypes = "Swift's type system rules it out: arguments cannot be null and these methods cannot throw"
    private static let caller = "a rule for the caller of the API, not for the implementation under test"
    /// MAY rules, all treated alike: a publisher or subscription that does not do what the rule permits still
    /// conforms, so a check of it could never fail, and the kit does not pretend to check it. (Where a permission
    /// comes with an obligation, the obligation is checked under its own rule: a publisher that refuses a second
    /// subscriber must still call `onSubscribe` on it, which is 1.9.)
    private static let permission = "a MAY rule (a permission): a publisher or subscription that does not use it still conforms, so no check could fail"
    /// Why 2.11 is not checked, stated precisely: Swift 6's checking does not cover it for the adapters, which are
    /// `@unchecked Sendable`.
    private static let memoryModel =
        "a memory-model rule that no black-box test can observe (it needs a race detector, and TSan on Linux flags "
        + "Synchronization.Mutex itself); Swift 6's data-race checking does not prove it for the adapters, which are "
        + "@unchecked Sendable: SinkSubscriber and PublisherLink meet it by taking a lock (LockedState, or the "
        + "BoundedChannel's Mutex) in every signal method before touching state, which is reviewed, not checked"
    private static let timing = "about responsiveness in time; tests here never judge durations"

    /// Every rule of sections 1 (publisher), 2 (subscriber) and 3 (subscription), in order.
    public static let all: [ReactiveStreamsRule] = [
        .init("1.1", .publisher, "onNext signals never exceed the total requested"),
        .init("1.2", .publisher, "may signal fewer than requested and then terminate"),
        .init("1.3", .publisher, "signals are serial: never two at once from different threads"),
        .init("1.4", .publisher, "a failing publisher signals onError"),
        .init("1.5", .publisher, "a publisher that ends successfully signals onComplete"),
        .init("1.6", .publisher, "after onError or onComplete the subscription is considered cancelled"),
        .init("1.7", .publisher, "no signal follows a terminal signal"),
        .init("1.8", .publisher, "after cancel, signals eventually stop"),
        .init("1.9", .publisher, "subscribe calls onSubscribe before any other signal"),
        .init("1.10", .publisher, "subscribe may be called many times, each with a different subscriber", notApplicable: caller),
        .init("1.11", .publisher, "may support several subscribers (unicast or multicast)", notApplicable: permission),
        .init("2.1", .subscriber, "signals demand with request before it receives elements"),
        .init("2.2", .subscriber, "dispatches asynchronously if its processing would hurt the publisher",
              notApplicable: "a design recommendation that no black-box test can observe"),
        .init("2.3", .subscriber, "onComplete and onError call no method of the subscription or publisher"),
        .init("2.4", .subscriber, "considers the subscription cancelled after a terminal signal"),
        .init("2.5", .subscriber, "cancels a second subscription while it has an active one"),
        .init("2.6", .subscriber, "cancels the subscription when it no longer needs it"),
        .init("2.7", .subscriber, "calls request and cancel serially"),
        .init("2.8", .subscriber, "is prepared for onNext after cancel, and takes nothing in from it"),
        .init("2.9", .subscriber, "is prepared for onComplete with or without a preceding request"),
        .init("2.10", .subscriber, "is prepared for onError with or without a preceding request"),
        .init("2.11", .subscriber, "its signal methods happen-before their processing",
              notApplicable: memoryModel),
        .init("2.12", .subscriber, "onSubscribe is called at most once per subscriber", notApplicable: caller),
        .init("2.13", .subscriber, "signal methods return normally; null arguments are errors", notApplicable: swiftTypes),
        .init("3.1", .subscription, "request and cancel are only called inside the subscriber's context", notApplicable: caller),
        .init("3.2", .subscription, "allows request to be called synchronously from onNext and onSubscribe"),
        .init("3.3", .subscription, "bounds the synchronous recursion between request and onNext"),
        .init("3.4", .subscription, "request returns in a timely manner", notApplicable: timing),
        .init("3.5", .subscription, "cancel is idempotent and thread-safe"),
        .init("3.6", .subscription, "after cancel, request is a no-op"),
        .init("3.7", .subscription, "after cancel, cancel is a no-op"),
        .init("3.8", .subscription, "request(n) adds n to the outstanding demand"),
        .init("3.9", .subscription, "request of a non-positive demand signals onError"),
        .init("3.10", .subscription, "request may call onNext synchronously", notApplicable: permission),
        .init("3.11", .subscription, "request may call onComplete or onError synchronously", notApplicable: permission),
        .init("3.12", .subscription, "cancel eventually stops the signals"),
        .init("3.13", .subscription, "cancel makes the publisher drop its reference to the subscriber"),
        .init("3.14", .subscription, "cancel may shut the publisher down", notApplicable: permission),
        .init("3.15", .subscription, "cancel returns normally", notApplicable: swiftTypes),
        .init("3.16", .subscription, "request returns normally", notApplicable: swiftTypes),
        .init("3.17", .subscription, "supports demand up to Int.max, and more as unbounded"),
    ]

    /// The rules that bind publishers and their subscriptions.
    public static var publisherRules: [ReactiveStreamsRule] { all.filter { $0.party != .subscriber } }
    /// The rules that bind subscribers.
    public static var subscriberRules: [ReactiveStreamsRule] { all.filter { $0.party == .subscriber } }

    /// The rule numbered `number`. Precondition: it exists.
    public static func numbered(_ number: String) -> ReactiveStreamsRule {
        guard let rule = all.first(where: { $0.number == number }) else { preconditionFailure("no rule \(number)") }
        return rule
    }
}

/// The result of checking one rule.
public enum RuleVerdict: Sendable, Hashable, CustomStringConvertible {
    case passed
    case failed(String)
    case notApplicable(String)

    /// True unless the rule failed.
    public var isAcceptable: Bool {
        if case .failed = self { return false }
        return true
    }

    /// `passed`, `failed: REASON` or `not applicable: REASON`.
    public var description: String {
        switch self {
        case .passed: "passed"
        case .failed(let why): "failed: \(why)"
        case .notApplicable(let why): "not applicable: \(why)"
        }
    }
}
