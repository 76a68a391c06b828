import Dispatch
import OpenCombine

/// Checks the Reactive Streams publisher and subscription rules (sections 1 and 3) against any OpenCombine
/// publisher, given a way to make one that emits exactly `n` elements and then finishes.
///
/// ```swift
/// let kit = PublisherConformance(make: { n in Pipeline.source(0..<n).publisher() })
/// for rule in ReactiveStreamsRule.publisherRules { #expect(kit.check(rule).isAcceptable, "\(rule)") }
/// ```
///
/// The kit drives the publisher from the test's thread and expects it to deliver synchronously inside `request`
/// (as Sluice's `PipelinePublisher` does). For a publisher that delivers on another thread or executor, pass
/// `settle`, which must return once everything already requested has been delivered (for example by running a
/// `ScheduleController` or draining a queue). Every check also verifies, at every element, that no more elements
/// were delivered than requested: the demand-accounting property.
public struct PublisherConformance<P: Publisher> {
    /// Makes a publisher that emits exactly `n` elements, then `.finished`.
    public var make: (Int) -> P
    /// Makes a publisher that fails (after zero or more elements), or nil when the publisher cannot fail.
    public var makeFailing: (() -> P)?
    /// Returns once all requested work has been delivered; a no-op for synchronous publishers.
    public var settle: () -> Void
    /// The deepest synchronous recursion of `onNext` that rule 3.3 allows (the TCK's default is 1).
    public var recursionBound: Int

    /// Creates a kit for `make`'s publishers.
    public init(
        make: @escaping (Int) -> P, makeFailing: (() -> P)? = nil, recursionBound: Int = 1,
        settle: @escaping () -> Void = {}
    ) {
        self.make = make
        self.makeFailing = makeFailing
        self.settle = settle
        self.recursionBound = recursionBound
    }

    typealias Probe = ProbeSubscriber<P.Output, P.Failure>

    /// Checks one rule. Complexity: a few thousand elements at most.
    public func check(_ rule: ReactiveStreamsRule) -> RuleVerdict {
        if let reason = rule.notApplicableBecause { return .notApplicable(reason) }
        switch rule.number {
        case "1.1": return rule11()
        case "1.2": return rule12()
        case "1.3": return rule13()
        case "1.4": return rule14()
        case "1.5": return rule15()
        case "1.6", "1.7": return rule16and17()
        case "1.8": return rule18()
        case "1.9": return rule19()
        case "1.11": return rule111()
        case "3.2": return rule32()
        case "3.3": return rule33()
        case "3.5", "3.7": return rule35and37()
        case "3.6": return rule36()
        case "3.8": return rule38()
        case "3.9": return rule39()
        case "3.12": return rule312()
        case "3.13": return rule313()
        case "3.17": return rule317()
        default: return .notApplicable("rule \(rule.number) binds subscribers; use SubscriberConformance")
        }
    }

    // MARK: Scenarios

    private func subscribe(_ publisher: P, _ behaviour: Probe.Behaviour) -> Probe {
        let probe = Probe(behaviour)
        publisher.subscribe(probe)
        settle()
        return probe
    }

    /// The common verdict: the probe's own violations first, then `extra`.
    private func verdict(_ probe: Probe, _ extra: String?) -> RuleVerdict {
        if let first = probe.violations.first { return .failed(first) }
        if let extra { return .failed(extra) }
        return .passed
    }

    private func rule11() -> RuleVerdict {
        let probe = subscribe(make(10), .init(initialRequest: .max(3)))
        let afterFirst = probe.received
        probe.request(.max(2))
        settle()
        let total = probe.received
        return verdict(
            probe,
            afterFirst > 3 || total > 5 ? "requested 3 then 2 more; received \(afterFirst), then \(total)" : nil)
    }

    private func rule12() -> RuleVerdict {
        let probe = subscribe(make(3), .init(initialRequest: .max(10)))
        let finished = probe.completion.map { if case .finished = $0 { true } else { false } } ?? false
        return verdict(
            probe,
            probe.received != 3 || !finished
                ? "a 3-element publisher asked for 10 delivered \(probe.received) and \(finished ? "finished" : "did not finish")"
                : nil)
    }

    private func rule13() -> RuleVerdict {
        let probe = subscribe(make(64), .init(waitForRendezvous: true))
        // Thread A requests and, inside its first onNext, waits until thread B's request has returned. A serial
        // publisher only adds B's demand to the delivery A is running; a non-serial one calls onNext on B as well,
        // while A is still inside its signal.
        let shared = probe
        Rendezvous.both(
            { shared.request(.max(1)) },
            {
                Rendezvous.yield(until: { shared.log.withLock({ $0.received }) > 0 || shared.completion != nil })
                shared.request(.max(1))
                shared.rendezvous.store(true, ordering: .releasing)
            })
        settle()
        return verdict(probe, probe.received > 2 ? "2 requested, \(probe.received) delivered" : nil)
    }

    private func rule14() -> RuleVerdict {
        guard let makeFailing else { return .notApplicable("the publisher under test cannot fail") }
        let probe = subscribe(makeFailing(), .init(initialRequest: .unlimited))
        guard case .failure = probe.completion else {
            return .failed("a failing publisher ended with \(probe.completion.map { "\($0)" } ?? "no terminal signal")")
        }
        return verdict(probe, nil)
    }

    private func rule15() -> RuleVerdict {
        let probe = subscribe(make(5), .init(initialRequest: .unlimited))
        guard case .finished = probe.completion else {
            return .failed("a 5-element publisher with unbounded demand did not signal .finished")
        }
        return verdict(probe, probe.received == 5 ? nil : "received \(probe.received) of 5 elements")
    }

    private func rule16and17() -> RuleVerdict {
        let probe = subscribe(make(3), .init(initialRequest: .max(10)))
        probe.request(.max(5))
        probe.subscription?.cancel()
        settle()
        let after = probe.log.withLock { $0.signalsAfterTerminal }
        return verdict(probe, after > 0 ? "\(after) signals after the terminal one" : nil)
    }

    private func rule18() -> RuleVerdict {
        let probe = subscribe(make(10), .init(initialRequest: .max(2)))
        probe.subscription?.cancel()
        probe.request(.max(3))
        settle()
        return verdict(probe, probe.received > 2 ? "received \(probe.received) elements; cancelled after 2" : nil)
    }

    private func rule19() -> RuleVerdict {
        let probe = subscribe(make(3), .init(initialRequest: .unlimited))
        let first = probe.log.withLock { $0.events.first }
        return verdict(probe, first == "onSubscribe" ? nil : "the first signal was \(first ?? "nothing")")
    }

    private func rule111() -> RuleVerdict {
        let publisher = make(4)
        let first = subscribe(publisher, .init(initialRequest: .unlimited))
        let second = subscribe(publisher, .init(initialRequest: .unlimited))
        guard second.log.withLock({ $0.subscriptions }) == 1, second.completion != nil || second.received > 0 else {
            return .failed("a second subscriber got no subscription or no signal")
        }
        return verdict(first, second.violations.first)
    }

    private func rule32() -> RuleVerdict {
        let probe = subscribe(make(20), .init(initialRequest: .max(1), requestCallPerElement: .max(1)))
        return verdict(
            probe,
            probe.received == 20 && probe.completion != nil
                ? nil : "requesting 1 inside each onNext delivered \(probe.received) of 20")
    }

    private func rule33() -> RuleVerdict {
        let probe = subscribe(make(200), .init(initialRequest: .max(1), requestCallPerElement: .max(1)))
        let depth = probe.log.withLock { $0.maxDepth }
        return verdict(
            probe,
            depth > recursionBound
                ? "onNext recursed \(depth) deep (bound \(recursionBound))"
                : probe.received == 200 ? nil : "delivered \(probe.received) of 200")
    }

    private func rule35and37() -> RuleVerdict {
        let probe = subscribe(make(10), .init(initialRequest: .max(1)))
        let shared = probe
        Rendezvous.both({ shared.subscription?.cancel() }, { shared.subscription?.cancel() })
        probe.subscription?.cancel()
        probe.request(.max(5))
        settle()
        return verdict(probe, probe.received > 1 ? "signals went on after cancel: \(probe.received) elements" : nil)
    }

    private func rule36() -> RuleVerdict {
        let probe = subscribe(make(10), .init())
        probe.subscription?.cancel()
        probe.request(.max(5))
        settle()
        return verdict(probe, probe.received > 0 ? "request after cancel delivered \(probe.received)" : nil)
    }

    private func rule38() -> RuleVerdict {
        let probe = subscribe(make(10), .init(initialRequest: .max(3)))
        probe.request(.max(2))
        settle()
        return verdict(probe, probe.received == 5 ? nil : "requested 3 + 2, received \(probe.received)")
    }

    private func rule39() -> RuleVerdict {
        let probe = subscribe(make(10), .init())
        probe.subscription?.request(.none)
        settle()
        guard case .failure = probe.completion else { return .failed("request(.none) did not signal an error") }
        return verdict(probe, probe.received > 0 ? "request(.none) delivered elements" : nil)
    }

    private func rule312() -> RuleVerdict {
        let probe = subscribe(make(10), .init(initialRequest: .max(10), cancelAtElement: 3))
        return verdict(probe, probe.received > 3 ? "cancelled in element 3, received \(probe.received)" : nil)
    }

    private func rule313() -> RuleVerdict {
        weak var weakProbe: Probe?
        var subscription: (any Subscription)?
        do {
            let probe = subscribe(make(10), .init(initialRequest: .max(1)))
            weakProbe = probe
            subscription = probe.subscription
            subscription?.cancel()
        }
        settle()
        let retained = weakProbe != nil
        withExtendedLifetime(subscription) {}
        return retained ? .failed("the subscription still holds the subscriber after cancel") : .passed
    }

    private func rule317() -> RuleVerdict {
        // Int.max - 1 up front, then Int.max more from every onNext: the outstanding demand passes Int.max while
        // elements are still being delivered, and must then count as unbounded, never wrap around.
        let probe = subscribe(make(50), .init(initialRequest: .max(Int.max - 1), requestPerElement: .max(Int.max)))
        probe.request(.unlimited)
        settle()
        return verdict(probe, probe.received == 50 ? nil : "with demand past Int.max, received \(probe.received) of 50")
    }
}
