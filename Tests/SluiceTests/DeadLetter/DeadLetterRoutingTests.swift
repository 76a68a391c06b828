import Sluice
import SluiceTestKit
import Testing

struct ParityError: StageErrorCoding, Equatable {
    var value: Int
    var errorCode: String { "odd" }
}

@Suite struct DeadLetterRoutingTests {
    @Test(arguments: [FusionMode.enabled, .disabled])
    func failedElementIsRoutedAndPipelineGoesOn(fusion: FusionMode) throws {
        let output = OutputCollector<Int>()
        let deadLetters = DeadLetterCollector()
        let pipeline = Pipeline.source(1...10)
            .map("check") { value in
                if value % 4 == 0 { throw ParityError(value: value) }
                return value
            }
            .map("scale") { $0 * 10 }
            .deadLetters(DeadLetterPolicy(sink: deadLetters, clock: ManualClock()))
            .sink("out", output)
        let statistics = try SyncEngine(fusion: fusion).run(pipeline)
        #expect(output.elements == [10, 20, 30, 50, 60, 70, 90, 100])
        let records = deadLetters.records
        #expect(records.map(\.stageName) == ["check", "check"])
        #expect(records.compactMap { $0.element as? Int } == [4, 8])
        #expect(records.compactMap { $0.error as? ParityError } == [ParityError(value: 4), ParityError(value: 8)])
        #expect(records.map(\.errorCode) == ["odd", "odd"])
        #expect(records[0].fingerprint == DeadLetterFingerprint.of(4))
        #expect(records[0].fingerprint != records[1].fingerprint)
        #expect(statistics[stage: "check"]?.errors == 2)
        #expect(statistics[stage: "check"]?.emitted == 8)
        #expect(statistics.deadLetters.routedCount == 2)
        #expect(statistics.deadLetters.errorsByStage == ["check": 2])
        #expect(deadLetters.summaries.count == 1)
    }

    @Test func fingerprintIsStableAcrossRuns() {
        #expect(DeadLetterFingerprint.of("poison") == DeadLetterFingerprint.of("poison"))
        #expect(DeadLetterFingerprint.of([UInt8]("ab".utf8)) == DeadLetterFingerprint.fnv1a([0x61, 0x62]))
        // FNV-1a 64 of the empty input is its offset basis.
        #expect(DeadLetterFingerprint.fnv1a([UInt8]()) == 0xcbf2_9ce4_8422_2325)
    }

    @Test func stormIsRateLimitedAndSummarizedPerStageAndCode() {
        let clock = ManualClock()
        let deadLetters = DeadLetterCollector()
        let router = DeadLetterRouter(
            policy: DeadLetterPolicy(sink: deadLetters, ratePerSecond: 2, burst: 3, clock: clock))
        for value in 0..<10 { router.route(element: value, error: ParityError(value: value), stageName: "a") }
        router.route(element: -1, error: ParityError(value: -1), stageName: "b")
        #expect(deadLetters.records.count == 4)  // burst of 3 for "a", 1 for "b": buckets are per stage
        var summary = router.summary
        #expect(summary.errorsByStage == ["a": 10, "b": 1])
        #expect(summary.routedCount == 4)
        #expect(summary.suppressed == [.init(stageName: "a", errorCode: "odd"): 7])

        clock.advance(by: .milliseconds(500))  // refills one token at 2 per second
        router.route(element: 10, error: ParityError(value: 10), stageName: "a")
        router.route(element: 11, error: ParityError(value: 11), stageName: "a")
        summary = router.summary
        #expect(summary.routedCount == 5)
        #expect(summary.suppressedCount == 8)
        #expect(summary.errorCount == 13)
        #expect(deadLetters.records.last?.element as? Int == 10)
    }

    @Test func tokenBucketRefillsWithVirtualTimeAndCapsAtBurst() {
        var bucket = TokenBucket(ratePerSecond: 10, burst: 2, now: 0)
        let times: [UInt64] = [0, 0, 0, 50_000_000, 100_000_000, 10_000_000_000, 10_000_000_000, 10_000_000_000]
        let taken = times.map { bucket.tryTake(now: $0) }
        // Two at once, none at half a token, one after a full token, and refills cap at the burst of two.
        #expect(taken == [true, true, false, false, true, true, true, false])
    }

    @Test func stormInsidePipelineCountsEveryErrorButRoutesOnlyTheBurst() throws {
        let deadLetters = DeadLetterCollector()
        let pipeline = Pipeline.source(0..<1_000)
            .map("explode") { value -> Int in throw ParityError(value: value) }
            .deadLetters(DeadLetterPolicy(sink: deadLetters, ratePerSecond: 1, burst: 5, clock: ManualClock()))
            .sink(OutputCollector<Int>())
        let statistics = try SyncEngine().run(pipeline)
        #expect(statistics[stage: "explode"]?.errors == 1_000)
        #expect(statistics.deadLetters.routedCount == 5)
        #expect(statistics.deadLetters.suppressed == [.init(stageName: "explode", errorCode: "odd"): 995])
        #expect(deadLetters.records.count == 5)
        #expect(deadLetters.summaries.first?.suppressedCount == 995)
    }
}
