import Sluice
import SluiceState
import SluiceTestKit

/// `soak/checkpoint/<guarantee>`: one operation runs a checkpointed pipeline (NDJSON source → keyed sum →
/// file sink), abandons it at a seeded record as a crash would, recovers, and runs it to the end; the
/// sequence checker then counts lost and duplicated records.
///
/// The "crash" is in-process (the run is abandoned at a progress point, its in-flight checkpoints finish
/// or fail); the SIGKILL version with a real child process is `CrashInjectionTests`.
enum CheckpointSoakBenchmarks {
    static let all: [Benchmark] = DeliveryGuarantee.allCases.map(checkpointSoak)

    final class SoakState {
        let guarantee: DeliveryGuarantee
        let input: [UInt8]
        let recordCount: Int
        let checkpointEvery: UInt64
        var random = SeededRandomNumberGenerator(seed: 0x50A4)
        var recoveryNanoseconds: [UInt64] = []
        var snapshotNanoseconds: [UInt64] = []
        var pauseNanoseconds: [UInt64] = []
        var lost: UInt64 = 0
        var duplicates = 0
        var expected: UInt64 = 0
        var failure: String?

        init(guarantee: DeliveryGuarantee, records: Int, checkpointEvery: UInt64) {
            self.guarantee = guarantee
            recordCount = records
            self.checkpointEvery = checkpointEvery
            var generator = SeededRandomNumberGenerator(seed: 0x1A7A)
            var text = ""
            for sequence in 0..<records {
                let key = Int.random(in: 0..<1000, using: &generator)
                let value = Int.random(in: 0..<1000, using: &generator)
                text += "{\"seq\":\(sequence),\"key\":\"k\(key)\",\"value\":\(value)}\n"
            }
            input = Array(text.utf8)
        }
    }

    struct Crash: Error {}

    static func makePipeline(_ state: SoakState, folder: String) throws -> CheckpointedPipeline<KeyedSumStage> {
        let sink: any CheckpointedSink =
            state.guarantee == .exactlyOnce
            ? TwoPhaseCommitFileSink(directory: folder + "/out") : AppendFileSink(path: folder + "/out.ndjson")
        return CheckpointedPipeline(
            source: NDJSONFileSource(bytes: state.input, name: "input"),
            stage: KeyedSumStage(state: InMemoryStateBackend<KeyedSum>()), sink: sink,
            checkpoints: CheckpointConfiguration(
                catalog: try CheckpointCatalog(directory: folder + "/ck"),
                journal: try ReplayJournal(path: folder + "/ck/journal.log"), policy: .everyRecords(state.checkpointEvery)))
    }

    static func cycle(_ state: SoakState) throws {
        let scratch = TemporaryDirectory(parent: defaultScratchDirectory(), prefix: "sluice-soak")
        defer { scratch.remove() }
        let folder = scratch.path
        let crashAt = UInt64.random(in: 1..<UInt64(state.recordCount), using: &state.random)
        let first = try makePipeline(state, folder: folder)
        try first.recover()
        do {
            _ = try first.run(progressEvery: 100) { progress in
                if progress.recordsProcessed >= crashAt { throw Crash() }
            }
        } catch is Crash {}
        let clock = SystemMonotonicClock()
        let second = try makePipeline(state, folder: folder)
        let start = clock.nowNanoseconds()
        try second.recover()
        state.recoveryNanoseconds.append(clock.nowNanoseconds() - start)
        let report = try second.run()
        state.snapshotNanoseconds += report.snapshotDurationsNanoseconds
        state.pauseNanoseconds += report.pauseDurationsNanoseconds
        let output =
            state.guarantee == .exactlyOnce
            ? try TwoPhaseCommitFileSink.readCommittedOutput(directory: folder + "/out")
            : try PosixFileSystem().readFile(at: folder + "/out.ndjson")
        var checker = SequenceChecker(expectedCount: UInt64(state.recordCount))
        checker.observe(KeyedSumStage.outputSequences(in: output))
        let result = checker.report
        state.lost += result.lostCount
        state.duplicates += result.duplicateCount
        state.expected += UInt64(state.recordCount)
        if !result.isAtLeastOnce || (state.guarantee == .exactlyOnce && !result.isExactlyOnce) {
            state.failure = state.failure ?? "\(state.guarantee.rawValue) violated after a crash at \(crashAt): \(result)"
        }
    }

    static func percentile(_ values: [UInt64], _ fraction: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction + 0.5))])
    }

    static func checkpointSoak(_ guarantee: DeliveryGuarantee) -> Benchmark {
        Benchmark.synchronous(
            "soak/checkpoint/\(guarantee.rawValue)",
            summary: "crash at a seeded record, recover, finish; counts lost and duplicated records (\(guarantee.rawValue))",
            parameters: [
                BenchmarkParameterSpec("records", .int, "records per cycle (default 20000; nightly 200000)"),
                BenchmarkParameterSpec("checkpointEvery", .int, "records between checkpoints (default 1000)"),
            ],
            setup: { (parameters: BenchmarkParameters) throws -> BenchmarkSetup<SoakState> in
                let records = parameters.int("records", default: 20_000)
                let every = parameters.int("checkpointEvery", default: 1000)
                guard records > 1, every > 0 else {
                    throw HarnessError(code: .benchmarkSetup, message: "records must be > 1 and checkpointEvery > 0")
                }
                return BenchmarkSetup(
                    state: SoakState(guarantee: guarantee, records: records, checkpointEvery: UInt64(every)),
                    itemsPerOperation: Double(records))
            },
            operation: { (state: inout SoakState) throws in try cycle(state) },
            check: { (state: SoakState) -> String? in state.failure },
            probes: { (state: SoakState) -> BenchmarkProbes in
                var values: [BenchmarkMetric: Double] = [:]
                if let p50 = percentile(state.recoveryNanoseconds, 0.5) { values[.recoveryTimeP50] = p50 / 1e6 }
                if let p99 = percentile(state.recoveryNanoseconds, 0.99) { values[.recoveryTimeP99] = p99 / 1e6 }
                if let snapshot = percentile(state.snapshotNanoseconds, 0.5) { values[.snapshotDuration] = snapshot / 1e6 }
                if let pause = percentile(state.pauseNanoseconds, 0.5) { values[.checkpointPause] = pause / 1e6 }
                if state.expected > 0 {
                    values[.recordsLostPercent] = Double(state.lost) / Double(state.expected) * 100
                    values[.duplicateRatio] = Double(state.duplicates) / Double(state.expected)
                }
                return BenchmarkProbes(values: values)
            })
    }
}
