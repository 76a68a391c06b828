import Sluice
import SluiceState
import SluiceTestKit

/// `macro/checkpoint/interval-1s` and its peer `macro/checkpoint/none`: the checkpointed keyed-sum pipeline (NDJSON
/// source → keyed sum with in-memory state → append-file sink) over the same records, with a checkpoint every second
/// and with none. Their throughput ratio is the cost of checkpointing (the target: at most 5 %).
///
/// `macro/checkpoint/concurrent/interval-1s` and `macro/checkpoint/concurrent/none` run the same pipeline on
/// `ConcurrentEngine` through an `EngineCheckpointSession` (source, stage and sink in tasks of their own, barriers
/// through the engine's channels). "none" is `CheckpointPolicy.disabled`: not one checkpoint, which the check
/// verifies; the interval variants check that at least one interval checkpoint fired per operation.
enum CheckpointCostBenchmarks {
    static let all: [Benchmark] = [
        cost("interval-1s", policy: .interval(nanoseconds: 1_000_000_000)).peer("macro/checkpoint/none"),
        cost("none", policy: .disabled),
        concurrent("interval-1s", policy: .interval(nanoseconds: 1_000_000_000))
            .peer("macro/checkpoint/concurrent/none"),
        concurrent("none", policy: .disabled),
    ]

    final class CostState {
        let input: [UInt8]
        let records: Int
        let policy: CheckpointPolicy
        var checkpoints = 0
        var intervalCheckpoints = 0
        var operations = 0
        var processed: UInt64 = 0

        /// Operations whose source read for long enough for the interval to fire twice, in which it never fired.
        var missedIntervals = 0
        private var operationStart: UInt64 = 0
        private let clock = SystemMonotonicClock()

        func start() { operationStart = clock.nowNanoseconds() }

        /// Records an operation whose source (`source`) has ended. An interval checkpoint starts at the source,
        /// between reads, so only the time the source was reading counts: on `ConcurrentEngine` a small input is
        /// read into the channels at once, and a slow host can stretch the rest of the run past two intervals
        /// with no read left to start a checkpoint.
        func record(_ report: PipelineRunReport, source: ReadTimedSource) {
            let elapsed = (source.lastReadNanoseconds ?? clock.nowNanoseconds()) &- operationStart
            checkpoints += report.completedCheckpoints.count
            // Every checkpoint but the one at the end of the input came from the interval.
            let fromInterval = max(0, report.completedCheckpoints.count - 1)
            intervalCheckpoints += fromInterval
            if let interval = policy.intervalNanoseconds, elapsed >= 2 * interval, fromInterval == 0 {
                missedIntervals += 1
            }
            operations += 1
            processed = report.recordsProcessed
        }

        init(records: Int, keys: Int, policy: CheckpointPolicy) {
            var generator = SeededRandomNumberGenerator(seed: 0xC057)
            var text = ""
            text.reserveCapacity(records * 48)
            for sequence in 0..<records {
                let key = Int.random(in: 0..<keys, using: &generator)
                text += "{\"seq\":\(sequence),\"key\":\"k\(key)\",\"value\":\(Int.random(in: 0..<1000, using: &generator))}\n"
            }
            input = Array(text.utf8)
            self.records = records
            self.policy = policy
        }
    }

    static func cost(_ variant: String, policy: CheckpointPolicy) -> Benchmark {
        Benchmark.synchronous(
            "macro/checkpoint/\(variant)",
            summary: "keyed-sum pipeline with in-memory state and an append-file sink, checkpoints: \(variant)",
            parameters: parameters,
            setup: { (parameters: BenchmarkParameters) throws -> BenchmarkSetup<CostState> in
                try setup(parameters, policy: policy)
            },
            operation: { (state: inout CostState) throws in
                let scratch = TemporaryDirectory(parent: defaultScratchDirectory(), prefix: "sluice-ckcost")
                defer { scratch.remove() }
                let parts = try Parts(state, scratch: scratch)
                state.start()
                let pipeline = CheckpointedPipeline(
                    source: parts.source, stage: parts.stage, sink: parts.sink, checkpoints: parts.checkpoints)
                try pipeline.recover()
                state.record(try pipeline.run(), source: parts.source)
            },
            check: check)
    }

    /// The pipeline's parts for one operation, in `scratch`: both variants run exactly these.
    struct Parts {
        let source: ReadTimedSource
        let stage = KeyedSumStage(state: InMemoryStateBackend<KeyedSum>())
        let sink: AppendFileSink
        let checkpoints: CheckpointConfiguration

        init(_ state: CostState, scratch: TemporaryDirectory) throws {
            source = ReadTimedSource(NDJSONFileSource(bytes: state.input, name: "input"))
            sink = AppendFileSink(path: scratch.path + "/out.ndjson")
            checkpoints = CheckpointConfiguration(
                catalog: try CheckpointCatalog(directory: scratch.path + "/ck"),
                journal: try ReplayJournal(path: scratch.path + "/ck/journal.log"), policy: state.policy)
        }
    }

    static let parameters = [
        BenchmarkParameterSpec("records", .int, "records per operation (default 2500000: about 3 s, so a 1 s interval fires)"),
        BenchmarkParameterSpec("keys", .int, "distinct keys, i.e. the state size (default 100000)"),
    ]

    static func setup(_ parameters: BenchmarkParameters, policy: CheckpointPolicy) throws -> BenchmarkSetup<CostState> {
        let records = parameters.int("records", default: 2_500_000)
        let keys = parameters.int("keys", default: 100_000)
        guard records > 0, keys > 0 else {
            throw HarnessError(code: .benchmarkSetup, message: "records and keys must be positive")
        }
        let state = CostState(records: records, keys: keys, policy: policy)
        return BenchmarkSetup(state: state, itemsPerOperation: Double(records), bytesPerOperation: Double(state.input.count))
    }

    /// Every record processed; "none" took no checkpoint; an interval variant's interval fired in every operation that
    /// lasted at least two intervals (the final checkpoint at the end of the input is not counted).
    static func check(_ state: CostState) -> String? {
        if state.processed != UInt64(state.records) {
            return "the pipeline processed \(state.processed) of \(state.records) records"
        }
        if state.policy == .disabled && state.checkpoints != 0 {
            return "the no-checkpoint variant took \(state.checkpoints) checkpoints"
        }
        if state.missedIntervals > 0 {
            return "in \(state.missedIntervals) of \(state.operations) operations lasting at least two intervals, no "
                + "interval checkpoint fired"
        }
        return nil
    }

    /// The same pipeline on `ConcurrentEngine`, checkpointed through an `EngineCheckpointSession`.
    static func concurrent(_ variant: String, policy: CheckpointPolicy) -> Benchmark {
        Benchmark.asynchronous(
            "macro/checkpoint/concurrent/\(variant)",
            summary: "keyed-sum pipeline on ConcurrentEngine (in-memory state, append-file sink), checkpoints: \(variant)",
            parameters: parameters,
            setup: { (parameters: BenchmarkParameters) async throws -> BenchmarkSetup<CostState> in
                try setup(parameters, policy: policy)
            },
            operation: { (state: inout CostState) async throws in
                let scratch = TemporaryDirectory(parent: defaultScratchDirectory(), prefix: "sluice-ckcost")
                defer { scratch.remove() }
                let parts = try Parts(state, scratch: scratch)
                state.start()
                let session = EngineCheckpointSession(
                    source: parts.source, stage: parts.stage, sink: parts.sink, checkpoints: parts.checkpoints)
                try session.recover()
                let pipeline = Pipeline.source(session.makeSource()).stage("sum", session.makeOperator())
                    .sink(session.makeSink())
                _ = try await ConcurrentEngine(metrics: .disabled).run(pipeline)
                state.record(session.report, source: parts.source)
            },
            check: check)
    }
}

/// A source that notes when it was last read, for the interval check of the checkpoint-cost benchmarks; the rest is
/// the wrapped source's.
final class ReadTimedSource: ReplayableSource {
    private let base: any ReplayableSource
    private let clock = SystemMonotonicClock()
    /// When `next()` was last called (nanoseconds of the monotonic clock); nil before the first read.
    private(set) var lastReadNanoseconds: UInt64?

    init(_ base: any ReplayableSource) {
        self.base = base
    }

    var name: String { base.name }
    var position: SourcePosition { base.position }

    func next() throws -> SourceRecord? {
        lastReadNanoseconds = clock.nowNanoseconds()
        return try base.next()
    }

    func seek(to position: SourcePosition) throws {
        try base.seek(to: position)
    }
}
