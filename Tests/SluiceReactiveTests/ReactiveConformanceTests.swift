import OpenCombine
import Sluice
@testable import SluiceReactive
import SluiceTestKit
import Testing

/// Every applicable Reactive Streams rule, against Sluice's adapters (must pass) and against a fixture that breaks
/// that rule (must fail), so that no check passes vacuously.
@Suite struct ReactiveConformanceTests {
    struct SourceFailed: Error {}

    /// `0..<count`, or a source that throws after `failAfter` elements.
    struct CountingSource: PipelineSource {
        let count: Int
        var failAfter: Int?
        var next = 0
        mutating func read(into buffer: inout [Int], maxCount: Int) throws -> Bool {
            for _ in 0..<maxCount {
                if let failAfter, next >= failAfter { throw SourceFailed() }
                guard next < count else { return false }
                buffer.append(next)
                next += 1
            }
            return next < count
        }
    }

    static func pipelinePublisher(count: Int, failAfter: Int? = nil) -> some Publisher<Int, any Error> {
        Pipeline.source(CountingSource(count: count, failAfter: failAfter)).map { $0 + 1 }.publisher(batchSize: 16)
    }

    @Test("PipelinePublisher", arguments: ReactiveStreamsRule.publisherRules)
    func pipelinePublisherConforms(rule: ReactiveStreamsRule) {
        let kit = PublisherConformance(
            make: { Self.pipelinePublisher(count: $0) }, makeFailing: { Self.pipelinePublisher(count: 10, failAfter: 2) })
        let verdict = kit.check(rule)
        if rule.isApplicable {
            #expect(verdict == .passed, "rule \(rule): \(verdict)")
        } else {
            #expect(verdict.isAcceptable, "rule \(rule): \(verdict)")
        }
    }

    /// The fixture that breaks each applicable publisher or subscription rule.
    static let brokenPublisherFor: [String: BrokenPublisher.Violation] = [
        "1.1": .exceedsDemand, "1.2": .neverTerminates, "1.3": .unserialized, "1.4": .swallowsFailure,
        "1.5": .neverTerminates, "1.6": .answersRequestAfterTerminal, "1.7": .signalsAfterTerminal,
        "1.8": .ignoresCancel, "1.9": .rejectsSecondSubscriber, "3.2": .ignoresReentrantRequest,
        "3.3": .recursesUnbounded, "3.5": .racyCancel, "3.6": .ignoresCancel, "3.7": .secondCancelSignals,
        "3.8": .exceedsDemand, "3.9": .acceptsZeroDemand, "3.12": .ignoresCancel, "3.13": .retainsSubscriber,
        "3.17": .overflowsDemand,
    ]

    /// Runs every applicable publisher rule against `violation`'s fixture; the rules that failed. A rule whose
    /// check races two threads (1.3, 3.5) gets five attempts, like `brokenPublisherFails`.
    static func failingPublisherRules(_ violation: BrokenPublisher.Violation) -> Set<String> {
        let kit = PublisherConformance(
            make: { BrokenPublisher(count: $0, violation: violation) },
            makeFailing: { BrokenPublisher(count: 3, violation: violation, fails: true) })
        var failing: Set<String> = []
        for rule in ReactiveStreamsRule.publisherRules where rule.isApplicable {
            let attempts = ["1.3", "3.5"].contains(rule.number) ? 5 : 1
            for _ in 0..<attempts where !kit.check(rule).isAcceptable {
                failing.insert(rule.number)
                break
            }
        }
        return failing
    }

    /// Rules that once shared a check (1.6/1.7, 3.5/3.7) and 1.9 (which took over 1.11's second subscriber)
    /// each have a scenario of their own: their fixture fails that rule and no other.
    @Test(
        "a split rule's fixture fails only that rule",
        arguments: ["1.6", "1.7", "1.9", "3.5", "3.7"])
    func splitPublisherRuleFixtureFailsOnlyItsRule(rule: String) throws {
        let violation = try #require(Self.brokenPublisherFor[rule])
        #expect(Self.failingPublisherRules(violation) == [rule], "\(violation)")
    }

    @Test("broken publisher fails", arguments: ReactiveStreamsRule.publisherRules.filter(\.isApplicable))
    func brokenPublisherFails(rule: ReactiveStreamsRule) throws {
        let violation = try #require(Self.brokenPublisherFor[rule.number], "no broken fixture for rule \(rule.number)")
        let kit = PublisherConformance(
            make: { BrokenPublisher(count: $0, violation: violation) },
            makeFailing: { BrokenPublisher(count: 3, violation: violation, fails: true) })
        // Rules 1.3 and 2.7 catch a race between two threads, which a busy scheduler can keep from overlapping
        // in one attempt; every rule must catch its fixture within five attempts.
        var verdict = kit.check(rule)
        for _ in 1..<5 where verdict.isAcceptable { verdict = kit.check(rule) }
        guard case .failed = verdict else {
            Issue.record("rule \(rule): the \(violation) fixture was not caught in 5 attempts (\(verdict))")
            return
        }
    }

    /// A correct fixture (no violation) passes, so the broken ones fail for their violation alone.
    @Test("BrokenPublisher without a violation is caught only where it should be")
    func fixturesAreOtherwiseCorrect() {
        let kit = PublisherConformance(
            make: { BrokenPublisher(count: $0, violation: .retainsSubscriber) },
            makeFailing: { BrokenPublisher(count: 3, violation: .retainsSubscriber, fails: true) })
        for rule in ReactiveStreamsRule.publisherRules where rule.isApplicable && rule.number != "3.13" {
            #expect(kit.check(rule) == .passed, "rule \(rule): \(kit.check(rule))")
        }
    }

    // MARK: Subscribers

    struct SinkFull: Error {}

    @Test("SinkSubscriber", arguments: ReactiveStreamsRule.subscriberRules)
    func sinkSubscriberConforms(rule: ReactiveStreamsRule) {
        let kit = SubscriberConformance(
            make: { SinkSubscriber(BatchSink<Int> { _ in }, batchSize: 4, failure: ProbeFailure.self) },
            processed: { $0.consumedCount }, isTerminated: { $0.completion != nil },
            makeStopping: {
                // A sink that fails after three elements: the subscriber no longer needs the stream (rule 2.6).
                let taken = OutputCollector<Int>()
                let sink = BatchSink<Int> { batch in
                    taken.append(contentsOf: batch)
                    if taken.elements.count > 3 { throw SinkFull() }
                }
                return SinkSubscriber(sink, batchSize: 1, failure: ProbeFailure.self)
            })
        let verdict = kit.check(rule)
        if rule.isApplicable {
            #expect(verdict == .passed, "rule \(rule): \(verdict)")
        } else {
            #expect(verdict.isAcceptable, "rule \(rule): \(verdict)")
        }
    }

    static let brokenSubscriberFor: [String: BrokenSubscriber.Violation] = [
        "2.1": .noInitialRequest, "2.3": .requestsOnComplete, "2.4": .processesAfterTerminal,
        "2.5": .acceptsSecondSubscription, "2.6": .neverCancels, "2.7": .concurrentRequests,
        "2.8": .processesAfterCancel, "2.9": .ignoresEarlyCompletion, "2.10": .ignoresEarlyFailure,
    ]

    @Test("broken subscriber fails", arguments: ReactiveStreamsRule.subscriberRules.filter(\.isApplicable))
    func brokenSubscriberFails(rule: ReactiveStreamsRule) throws {
        let violation = try #require(Self.brokenSubscriberFor[rule.number], "no broken fixture for rule \(rule.number)")
        let kit = SubscriberConformance(
            make: { BrokenSubscriber(violation) }, processed: { $0.processed }, isTerminated: { $0.isTerminated },
            makeStopping: { BrokenSubscriber(violation, stopAfter: 3) })
        // Rules 1.3 and 2.7 catch a race between two threads, which a busy scheduler can keep from overlapping
        // in one attempt; every rule must catch its fixture within five attempts.
        var verdict = kit.check(rule)
        for _ in 1..<5 where verdict.isAcceptable { verdict = kit.check(rule) }
        guard case .failed = verdict else {
            Issue.record("rule \(rule): the \(violation) fixture was not caught in 5 attempts (\(verdict))")
            return
        }
    }

    /// 2.3 and 2.4 once shared a check; each now has its own scenario, and its fixture fails that rule only.
    @Test("a split subscriber rule's fixture fails only that rule", arguments: ["2.3", "2.4"])
    func splitSubscriberRuleFixtureFailsOnlyItsRule(rule: String) throws {
        let violation = try #require(Self.brokenSubscriberFor[rule])
        let kit = SubscriberConformance(
            make: { BrokenSubscriber(violation) }, processed: { $0.processed }, isTerminated: { $0.isTerminated },
            makeStopping: { BrokenSubscriber(violation, stopAfter: 3) })
        var failing: Set<String> = []
        for other in ReactiveStreamsRule.subscriberRules where other.isApplicable {
            let attempts = other.number == "2.7" ? 5 : 1
            for _ in 0..<attempts where !kit.check(other).isAcceptable {
                failing.insert(other.number)
                break
            }
        }
        #expect(failing == [rule], "\(violation)")
    }

    /// OpenCombine → Sluice: the subscriber inside `PublisherSource` passes every applicable subscriber rule, for
    /// elements of any type (`String` here) and both kinds of failure (`Never`: 2.10 cannot be exercised).
    @Test("PublisherLink", arguments: ReactiveStreamsRule.subscriberRules)
    func publisherLinkConforms(rule: ReactiveStreamsRule) {
        let failing = SubscriberConformance(
            make: { PublisherLink<Fail<Int, ProbeFailure>>(capacity: 8) },
            processed: { $0.channel.statistics().sentCount }, isTerminated: { $0.channel.isFinished })
        let neverFailing = SubscriberConformance(
            make: { PublisherLink<Empty<String, Never>>(capacity: 8) }, element: { "element \($0)" },
            processed: { $0.channel.statistics().sentCount }, isTerminated: { $0.channel.isFinished })
        for (name, verdict) in [("Int, ProbeFailure", failing.check(rule)), ("String, Never", neverFailing.check(rule))] {
            if rule.isApplicable && !(rule.number == "2.6" || (rule.number == "2.10" && name == "String, Never")) {
                #expect(verdict == .passed, "\(name): rule \(rule): \(verdict)")
            } else {
                // 2.6: a link stops needing elements only when its run ends, and the engine then cancels it.
                #expect(verdict.isAcceptable, "\(name): rule \(rule): \(verdict)")
                if rule.isApplicable { #expect(verdict != .passed, "\(name): rule \(rule) cannot be exercised") }
            }
        }
    }

    /// The same kit takes a subscriber of any element type: a `SinkSubscriber` of strings that never fails.
    @Test func sinkSubscriberOfStringsConforms() {
        let kit = SubscriberConformance(
            make: { SinkSubscriber(BatchSink<String> { _ in }, batchSize: 4) }, element: { "element \($0)" },
            processed: { $0.consumedCount }, isTerminated: { $0.completion != nil })
        for rule in ReactiveStreamsRule.subscriberRules where rule.isApplicable {
            let verdict = kit.check(rule)
            if rule.number == "2.6" || rule.number == "2.10" {
                guard case .notApplicable = verdict else {
                    Issue.record("rule \(rule): expected not applicable, got \(verdict)")
                    continue
                }
            } else {
                #expect(verdict == .passed, "rule \(rule): \(verdict)")
            }
        }
    }

    @Test func aCorrectBrokenSubscriberFixturePasses() {
        let kit = SubscriberConformance(
            make: { BrokenSubscriber(.none) }, processed: { $0.processed }, isTerminated: { $0.isTerminated },
            makeStopping: { BrokenSubscriber(.none, stopAfter: 3) })
        for rule in ReactiveStreamsRule.subscriberRules where rule.isApplicable {
            #expect(kit.check(rule) == .passed, "rule \(rule): \(kit.check(rule))")
        }
    }

    @Test func everyRuleOfTheSpecificationIsListedOnce() {
        let numbers = ReactiveStreamsRule.all.map(\.number)
        let expected = (1...11).map { "1.\($0)" } + (1...13).map { "2.\($0)" } + (1...17).map { "3.\($0)" }
        #expect(numbers == expected)
        #expect(ReactiveStreamsRule.all.filter { !$0.isApplicable }.allSatisfy { !($0.notApplicableBecause ?? "").isEmpty })
    }
}
