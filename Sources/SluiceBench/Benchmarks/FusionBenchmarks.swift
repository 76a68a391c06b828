import Sluice
import Synchronization

/// Meso benchmarks: chains of pure transforms run by the synchronous engine, with fusion on and off
/// (design document: FusionChain). The pair of each length is the peer for the other.
enum FusionBenchmarks {
    static let all: [Benchmark] = [3, 5, 10].flatMap { length in
        [chain(length: length, fusion: .enabled).peer("meso/fusion/chain\(length)/unfused"),
         chain(length: length, fusion: .disabled)]
    }

    /// The elements a chain run pushes through.
    static let defaultElements = 10_000

    /// Sums what the sink receives, so the output can be checked after the run.
    final class ChecksumSink: Sendable {
        private let state = Mutex((sum: 0, count: 0))
        func add(_ batch: [Int]) {
            state.withLock { state in
                for value in batch { state.sum &+= value }
                state.count += batch.count
            }
        }
        func take() -> (sum: Int, count: Int) {
            state.withLock { state in
                defer { state = (0, 0) }
                return state
            }
        }
    }

    /// One step of every transform in the chains: cheap, pure, and not foldable by the optimizer across runs.
    @inline(__always)
    static func step(_ value: Int) -> Int { value &* 3 &+ 1 }

    struct ChainState {
        var run: () throws -> PipelineStatistics
        var sink: ChecksumSink
        var expected: (sum: Int, count: Int)
        var last: (sum: Int, count: Int) = (0, 0)
        var fusedSegments = 0
        var statistics: PipelineStatistics?
    }

    /// `meso/fusion/chain<N>/<fused|unfused>`: N pure maps over `elements` integers, SyncEngine, batch 256.
    static func chain(length: Int, fusion: FusionMode) -> Benchmark {
        let mode = fusion == .enabled ? "fused" : "unfused"
        return Benchmark.synchronous(
            "meso/fusion/chain\(length)/\(mode)",
            summary: "\(length) pure maps over integers on the synchronous engine, fusion \(fusion)",
            parameters: [BenchmarkParameterSpec("elements", .int, "elements per run; default \(defaultElements)")],
            setup: { (parameters: BenchmarkParameters) throws -> BenchmarkSetup<ChainState> in
                let count = max(1, parameters.int("elements", default: defaultElements))
                let input = Array(0..<count)
                var expected = (sum: 0, count: count)
                for value in input {
                    var x = value
                    for _ in 0..<length { x = step(x) }
                    expected.sum &+= x
                }
                let sink = ChecksumSink()
                let engine = SyncEngine(fusion: fusion, batchSize: 256, metrics: .disabled)
                let run = makeRun(length: length, input: input, sink: sink, engine: engine)
                return BenchmarkSetup(
                    state: ChainState(run: run, sink: sink, expected: expected), itemsPerOperation: Double(count))
            },
            operation: { (state: inout ChainState) throws in
                let statistics = try state.run()
                state.fusedSegments = statistics.fusedStageCount
                state.statistics = statistics
                state.last = state.sink.take()
            },
            check: { (state: ChainState) -> String? in
                if state.last.count != state.expected.count || state.last.sum != state.expected.sum {
                    return "sink saw \(state.last.count) elements summing to \(state.last.sum), "
                        + "expected \(state.expected.count) summing to \(state.expected.sum)"
                }
                if fusion == .enabled && state.fusedSegments == 0 { return "fusion is on but no segment was fused" }
                if fusion == .disabled && state.fusedSegments != 0 { return "fusion is off but a segment was fused" }
                return nil
            },
            probes: { (state: ChainState) -> BenchmarkProbes in
                // The engine's own counters for the last run (one operation).
                guard let statistics = state.statistics else { return BenchmarkProbes() }
                return BenchmarkProbes(values: [
                    .pipelineDocsTotal: Double(statistics.sinkCount),
                    .stageErrorTotal: Double(statistics.deadLetters.errorCount),
                    .poisonRoutedTotal: Double(statistics.deadLetters.routedCount),
                ])
            })
    }

    static func makeRun(length: Int, input: [Int], sink: ChecksumSink, engine: SyncEngine)
        -> () throws -> PipelineStatistics
    {
        let consume = BatchSink<Int> { sink.add($0) }
        let source = Pipeline.source(input)
        switch length {
        case 3:
            let pipeline = source.map { (value: Int) -> Int in step(value) }.map { (value: Int) -> Int in step(value) }
                .map { (value: Int) -> Int in step(value) }.sink(consume)
            return { try engine.run(pipeline) }
        case 5:
            let pipeline = source.map { (value: Int) -> Int in step(value) }.map { (value: Int) -> Int in step(value) }
                .map { (value: Int) -> Int in step(value) }.map { (value: Int) -> Int in step(value) }
                .map { (value: Int) -> Int in step(value) }.sink(consume)
            return { try engine.run(pipeline) }
        default:
            precondition(length == 10, "chains of 3, 5 or 10 stages")
            // Two statements of five: one chain of ten took the type checker 7.8 s (the closures' types spelled
            // out, 1.7 s).
            let half = source.map { (value: Int) -> Int in step(value) }.map { (value: Int) -> Int in step(value) }
                .map { (value: Int) -> Int in step(value) }.map { (value: Int) -> Int in step(value) }
                .map { (value: Int) -> Int in step(value) }
            let pipeline = half.map { (value: Int) -> Int in step(value) }.map { (value: Int) -> Int in step(value) }
                .map { (value: Int) -> Int in step(value) }.map { (value: Int) -> Int in step(value) }
                .map { (value: Int) -> Int in step(value) }.sink(consume)
            return { try engine.run(pipeline) }
        }
    }
}
