import OpenCombine
import Sluice
import SluiceReactive
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
        "1.5": .neverTerminates, "1.6": .signalsAfterTerminal, "1.7": .signalsAfterTerminal, "1.8": .ignoresCancel,
        "1.9": .elementBeforeSubscribe, "1.11": .rejectsSecondSubscriber, "3.2": .ignoresReentrantRequest,
        "3.3": .recursesUnbounded, "3.5": .ignoresCancel, "3.6": .ignoresCancel, "3.7": .ignoresCancel,
        "3.8": .exceedsDemand, "3.9": .acceptsZeroDemand, "3.12": .ignoresCancel, "3.13": .retainsSubscriber,
        "3.17": .overflowsDemand,
    ]

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
        "2.1": .noInitialRequest, "2.3": .requestsOnComplete, "2.4": .requestsOnComplete,
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
