import Sluice

/// The macro closed loop through the engine's public JSON stages (what a user's pipeline runs), with the
/// hand-built macro pipeline (`macro/pipeline/closed`: its own framing and token decoding in `.stateful` stages)
/// as the peer measured in the same run; and the same loop with framing and parsing in one stage and one pass
/// (`macro/pipeline/closed-onepass`, peer: the two-stage form).
enum JSONStageBenchmarks {
    static let all: [Benchmark] = [closedThroughStages, closedOnePass]

    struct State {
        var stream: GeneratedEventStream
        var outcome: MacroPipeline.Outcome?
    }

    /// `macro/pipeline/closed-stages`: `.frames(.newlineDelimited).values()` → map → filter → aggregate.
    static let closedThroughStages = closedLoop(
        "macro/pipeline/closed-stages", stages: ".frames(.newlineDelimited) → .values()", onePass: false
    ).peer("macro/pipeline/closed")

    /// `macro/pipeline/closed-onepass`: `.values(.newlineDelimited)` (framing and parsing in one pass) → map → filter
    /// → aggregate.
    static let closedOnePass = closedLoop(
        "macro/pipeline/closed-onepass", stages: ".values(.newlineDelimited)", onePass: true
    ).peer("macro/pipeline/closed-stages")

    private static func closedLoop(_ name: String, stages: String, onePass: Bool) -> Benchmark {
        Benchmark.synchronous(
            name,
            summary:
                "generated NDJSON events through the public stages: BufferByteSource (64 KiB) → \(stages) "
                + "→ weigh → filter → aggregate by key (SyncEngine, closed loop)",
            parameters: MacroBenchmarks.streamParameters,
            setup: { (parameters: BenchmarkParameters) throws -> BenchmarkSetup<State> in
                let stream = try MacroBenchmarks.makeStream(parameters)
                return BenchmarkSetup(
                    state: State(stream: stream),
                    itemsPerOperation: Double(stream.expectation.eventCount),
                    bytesPerOperation: Double(stream.expectation.byteCount))
            },
            operation: { (state: inout State) throws in
                state.outcome = try StageEventPipeline(onePass: onePass).run(state.stream)
            },
            check: { (state: State) -> String? in MacroPipeline.check(state.outcome, against: state.stream.expectation) })
    }
}
