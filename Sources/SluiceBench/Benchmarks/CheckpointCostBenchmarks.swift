import Sluice
import SluiceState
import SluiceTestKit

/// `macro/checkpoint/interval-1s` and its peer `macro/checkpoint/none`: the checkpointed keyed-sum pipeline (NDJSON
/// source → keyed sum with in-memory state → append-file sink) over the same records, with a checkpoint every second
/// and with none. Their throughput ratio is the cost of checkpointing (the target: at most 5 %).
enum CheckpointCostBenchmarks {
    static let all: [Benchmark] = [
        cost("interval-1s", policy: .interval(nanoseconds: 1_000_000_000)).peer("macro/checkpoint/none"),
        cost("none", policy: .never),
    ]

    final class CostState {
        let input: [UInt8]
        let records: Int
        let policy: CheckpointPolicy
        var checkpoints = 0
        var operations = 0
        var processed: UInt64 = 0

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
            parameters: [
                BenchmarkParameterSpec("records", .int, "records per operation (default 2500000: about 3 s, so a 1 s interval fires)"),
                BenchmarkParameterSpec("keys", .int, "distinct keys, i.e. the state size (default 100000)"),
            ],
            setup: { (parameters: BenchmarkParameters) throws -> BenchmarkSetup<CostState> in
                let records = parameters.int("records", default: 2_500_000)
                let keys = parameters.int("keys", default: 100_000)
                guard records > 0, keys > 0 else {
                    throw HarnessError(code: .benchmarkSetup, message: "records and keys must be positive")
                }
                let state = CostState(records: records, keys: keys, policy: policy)
                return BenchmarkSetup(
                    state: state, itemsPerOperation: Double(records), bytesPerOperation: Double(state.input.count))
            },
            operation: { (state: inout CostState) throws in
                let scratch = TemporaryDirectory(parent: defaultScratchDirectory(), prefix: "sluice-ckcost")
                defer { scratch.remove() }
                let pipeline = CheckpointedPipeline(
                    source: NDJSONFileSource(bytes: state.input, name: "input"),
                    stage: KeyedSumStage(state: InMemoryStateBackend<KeyedSum>()),
                    sink: AppendFileSink(path: scratch.path + "/out.ndjson"),
                    checkpoints: CheckpointConfiguration(
                        catalog: try CheckpointCatalog(directory: scratch.path + "/ck"),
                        journal: try ReplayJournal(path: scratch.path + "/ck/journal.log"), policy: state.policy))
                try pipeline.recover()
                let report = try pipeline.run()
                state.checkpoints += report.completedCheckpoints.count
                state.operations += 1
                state.processed = report.recordsProcessed
            },
            check: { (state: CostState) -> String? in
                if state.processed != UInt64(state.records) {
                    return "the pipeline processed \(state.processed) of \(state.records) records"
                }
                // (The default size lasts about 3 s per operation here, so the 1 s interval fires two or three times;
                // the count is not checked because it depends on the machine's speed.)
                return nil
            })
    }
}
