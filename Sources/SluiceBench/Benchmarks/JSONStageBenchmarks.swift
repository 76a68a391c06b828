import Sluice

/// The macro closed loop through the engine's public JSON stages (what a user's pipeline runs), with the
/// hand-built macro pipeline (`macro/pipeline/closed`: its own framing and token decoding in `.stateful` stages)
/// as the peer measured in the same run.
enum JSONStageBenchmarks {
    static let all: [Benchmark] = [closedThroughStages]

    struct State {
        var stream: GeneratedEventStream
        var outcome: MacroPipeline.Outcome?
    }

    /// `macro/pipeline/closed-stages`: `.frames(.newlineDelimited).values()` → map → filter → aggregate.
    static let closedThroughStages = Benchmark.synchronous(
        "macro/pipeline/closed-stages",
        summary:
            "generated NDJSON events through the public stages: BufferByteSource (64 KiB) → .frames(.newlineDelimited) "
            + "→ .values() → weigh → filter → aggregate by key (SyncEngine, closed loop)",
        parameters: MacroBenchmarks.streamParameters,
        setup: { (parameters: BenchmarkParameters) throws -> BenchmarkSetup<State> in
            let stream = try MacroBenchmarks.makeStream(parameters)
            return BenchmarkSetup(
                state: State(stream: stream),
                itemsPerOperation: Double(stream.expectation.eventCount),
                bytesPerOperation: Double(stream.expectation.byteCount))
        },
        operation: { (state: inout State) throws in
            state.outcome = try StageEventPipeline().run(state.stream)
        },
        check: { (state: State) -> String? in MacroPipeline.check(state.outcome, against: state.stream.expectation) }
    ).peer("macro/pipeline/closed")
}
