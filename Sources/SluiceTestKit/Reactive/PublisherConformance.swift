import Dispatch
import OpenCombine
import Synchronization

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
///
/// Each check makes fresh publishers, except 1.9's, which subscribes twice to one publisher (a publisher that
/// takes one subscriber only must still call `onSubscribe` on the second). Rules 1.3 and 3.5 use the kit's one
/// second thread (`Rendezvous`) to make two calls overlap.
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
        case "1.6": return rule16()
        case "1.7": return rule17()
        case "1.8": return rule18()
        case "1.9": return rule19()
        case "3.2": return rule32()
        case "3.3": return rule33()
        case "3.5": return rule35()
        case "3.6": return rule36()
        case "3.7": return rule37()
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

    /// 1.6: once the publisher has signalled the end, it treats the subscription as cancelled: a request and a
    /// cancel made after the end lead to no signal at all. (Signals the publisher sends by itself after the end
    /// are rule 1.7's.)
    private func rule16() -> RuleVerdict {
        let probe = subscribe(make(3), .init(initialRequest: .max(10)))
        guard probe.completion != nil else {
            return .failed("a 3-element publisher asked for 10 did not terminate, so 1.6 cannot be checked (see 1.5)")
        }
        let before = probe.log.withLock { $0.events.count }
        probe.request(.max(5))
        settle()
        probe.subscription?.cancel()
        settle()
        let after = probe.log.withLock { Array($0.events.dropFirst(before)) }
        return verdict(
            probe,
            after.isEmpty
                ? nil
                : "a request and a cancel after the terminal signal were answered with \(after.joined(separator: ", "))")
    }

    /// 1.7: no signal follows a terminal one, after `.finished` and (when the publisher can fail) after
    /// `.failure`, with nothing asked of the publisher after the end.
    private func rule17() -> RuleVerdict {
        var probes = [("finished", subscribe(make(3), .init(initialRequest: .max(10))))]
        if let makeFailing { probes.append(("failed", subscribe(makeFailing(), .init(initialRequest: .unlimited)))) }
        for (name, probe) in probes {
            guard probe.completion != nil else {
                return .failed("the \(name) publisher did not terminate, so 1.7 cannot be checked (see 1.4, 1.5)")
            }
            let after = probe.log.withLock { $0.signalsAfterTerminal }
            if after > 0 { return verdict(probe, "\(after) signals after the terminal one (\(name))") }
            if let violation = probe.violations.first { return .failed(violation) }
        }
        return .passed
    }

    private func rule18() -> RuleVerdict {
        let probe = subscribe(make(10), .init(initialRequest: .max(2)))
        probe.subscription?.cancel()
        probe.request(.max(3))
        settle()
        return verdict(probe, probe.received > 2 ? "received \(probe.received) elements; cancelled after 2" : nil)
    }

    /// 1.9, for every subscriber: two subscribers of one publisher each get `onSubscribe` before any other signal.
    /// A publisher that takes one subscriber only must still call `onSubscribe` on the second (and may then send it
    /// an error); dropping it silently breaks this rule. (Whether a publisher serves several subscribers is 1.11, a
    /// permission.)
    private func rule19() -> RuleVerdict {
        let publisher = make(3)
        let first = subscribe(publisher, .init(initialRequest: .unlimited))
        let second = subscribe(publisher, .init(initialRequest: .unlimited))
        for (name, probe) in [("first", first), ("second", second)] {
            let signal = probe.log.withLock { $0.events.first }
            if signal != "onSubscribe" {
                return verdict(probe, "the \(name) subscriber's first signal was \(signal ?? "nothing")")
            }
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

    /// 3.5, thread safety: a cancel from another thread, made while a delivery runs, stops that delivery, and a
    /// request after it delivers nothing. The first `onNext` waits (bounded) until the other thread's cancel has
    /// returned, so the cancel lands inside the delivery; a run in which the other thread came too late (the
    /// delivery had already ended: a very loaded machine) is repeated, up to five times. (3.5's idempotence is
    /// checked under 3.7, which states it on its own; its "returns in a timely manner" is not judged, as no test
    /// here judges durations.)
    private func rule35() -> RuleVerdict {
        for _ in 0..<5 {
            let probe = subscribe(make(100), .init(waitForRendezvous: true))
            let shared = probe
            let receivedAtCancel = Atomic<Int>(-1)
            Rendezvous.both(
                { shared.request(.max(50)) },
                {
                    Rendezvous.yield(until: { shared.log.withLock({ $0.received }) > 0 || shared.completion != nil })
                    receivedAtCancel.store(shared.received, ordering: .relaxed)
                    shared.subscription?.cancel()
                    shared.rendezvous.store(true, ordering: .releasing)
                })
            settle()
            guard receivedAtCancel.load(ordering: .relaxed) < 50 else { continue }
            let afterRace = probe.received
            probe.request(.max(5))
            settle()
            if afterRace >= 50 {
                return verdict(probe, "a cancel from another thread during the delivery did not stop it: all 50 arrived")
            }
            return verdict(
                probe,
                probe.received > afterRace ? "a request after the cross-thread cancel delivered more elements" : nil)
        }
        return .failed("in 5 attempts the other thread's cancel never came while the delivery ran; 3.5 not exercised")
    }

    private func rule36() -> RuleVerdict {
        let probe = subscribe(make(10), .init())
        probe.subscription?.cancel()
        probe.request(.max(5))
        settle()
        return verdict(probe, probe.received > 0 ? "request after cancel delivered \(probe.received)" : nil)
    }

    /// 3.7: once cancelled, further cancels are no-ops: two more cancels, one after the other, lead to no signal.
    private func rule37() -> RuleVerdict {
        let probe = subscribe(make(10), .init(initialRequest: .max(1)))
        probe.subscription?.cancel()
        settle()
        let before = probe.log.withLock { $0.events.count }
        probe.subscription?.cancel()
        probe.subscription?.cancel()
        settle()
        let after = probe.log.withLock { Array($0.events.dropFirst(before)) }
        return verdict(
            probe, after.isEmpty ? nil : "cancels after cancel were answered with \(after.joined(separator: ", "))")
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
