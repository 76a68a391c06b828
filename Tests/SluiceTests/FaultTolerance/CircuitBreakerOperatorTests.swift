import Sluice
import SluiceTestKit
import Testing

@Suite struct CircuitBreakerOperatorTests {
    struct Failing: StageErrorCoding, Equatable {
        var value: Int
        var errorCode: String { "downstream" }
    }

    /// Elements 1…4 fail (the breaker opens at 50 % of 4 calls) and 5…8 are rejected while it is open; then
    /// the open duration passes, and a second run's first two elements are the probes that close it again.
    @Test(arguments: [FusionMode.enabled, .disabled])
    func opensOnTheErrorRateRoutesRejectionsAndClosesAfterProbes(fusion: FusionMode) throws {
        let clock = ManualClock()
        let breaker = CircuitBreaker(
            name: "enrich",
            configuration: .init(
                failureRateThreshold: 0.5, windowSize: 4, minimumCalls: 4, openDuration: .seconds(5), probeCount: 2),
            clock: clock)
        let output = OutputCollector<Int>()
        let deadLetters = DeadLetterCollector()
        func run(_ elements: ClosedRange<Int>) throws {
            let pipeline = Pipeline.source(elements)
                .circuitBreaker(
                    "enrich",
                    MapOperator(ClosureTransform { (value: Int) throws -> Int in
                        if value <= 4 { throw Failing(value: value) }
                        return value * 10
                    }), breaker: breaker)
                .deadLetters(DeadLetterPolicy(sink: deadLetters, burst: 1_000, clock: clock))
                .sink("out", output)
            _ = try SyncEngine(fusion: fusion).run(pipeline)
        }
        try run(1...8)
        #expect(output.elements.isEmpty)
        #expect(breaker.state == .open(sinceNanoseconds: 0))
        clock.advance(by: .seconds(5))
        try run(9...12)
        #expect(output.elements == [90, 100, 110, 120])
        let records = deadLetters.records
        #expect(
            records.map(\.errorCode)
                == Array(repeating: "downstream", count: 4) + Array(repeating: "circuit-open", count: 4))
        #expect(records.compactMap { $0.element as? Int } == Array(1...8))
        #expect(records.allSatisfy { $0.stageName == "enrich" })
        let rejection = try #require(records.last?.error as? CircuitBreakerError)
        #expect(rejection.code == .open && rejection.message.contains("'enrich'"))
        #expect(breaker.state == .closed)
        #expect(breaker.statistics.opened == 1 && breaker.statistics.rejected == 4 && breaker.statistics.probes == 2)
    }

    @Test func isNeverPureAndKeepsTheWrappedKind() {
        let op = CircuitBreakerOperator(
            MapOperator(ClosureTransform { (value: Int) in value }),
            breaker: CircuitBreaker(name: "b", clock: ManualClock()))
        #expect(!op.isPure)
        #expect(op.kind == .transform)
    }
}
