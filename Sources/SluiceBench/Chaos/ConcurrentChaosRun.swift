import Sluice
import SluiceState
import SluiceTestKit

/// What the concurrent chaos driver injects, all triggered by counts (deterministic), never by wall time.
struct ConcurrentChaosConfiguration: Sendable {
    var exactlyOnce = false
    /// Input records per cycle.
    var records = 20_000
    /// Distinct keys.
    var keys = 64
    /// Supervised partitions of the validating stage.
    var partitions = 4
    /// Records between checkpoints.
    var checkpointEvery = 500
    /// The sink crashes the run after this many records in one incarnation (0: never).
    var crashAfterRecords = 4_000
    /// Every this-many-th input record is poison (0: none).
    var poisonEvery = 997
    /// The sink pauses every this many records (0: never), for `slowMicroseconds`.
    var slowEvery = 5_000
    var slowMicroseconds = 2_000
    /// Every this-many-th checkpoint the sink holds `memoryPressureBytes` until the next one (0: never).
    var memoryPressureEveryCheckpoints = 5
    var memoryPressureBytes = 16 << 20
    var seed: UInt64 = 0xC4A0_5EED
}

/// What a chaos run found.
struct ConcurrentChaosReport {
    var cycles = 0
    var crashes = 0
    var recoveryNanoseconds: [UInt64] = []
    var check = KeyedSequenceChecker.Report(expected: 0, seen: 0, lost: 0, duplicated: 0, reordered: 0)
    var poisonInjected = 0
    var poisonQuarantined = 0
    var partitionRestarts = 0
    var stateMismatches = 0
    var recordsDelivered = 0
    var elapsedNanoseconds: UInt64 = 0
    var failure: String?
    /// The memory-pressure holds that ended with a release, and the share of their memory that came back, by
    /// resident set size and (when jemalloc is the allocator) by allocated bytes.
    var memoryHolds = 0
    var memoryReturnedFractionRSS: Double?
    var memoryReturnedFractionAllocated: Double?
}

/// The chaos driver on the real engine: cycles of source → supervised validating stage (partitions) → keyed sum
/// (checkpointed state) → crashing, slow, memory-hungry sink, on `ConcurrentEngine` through an
/// `EngineCheckpointSession`. A crash ends the incarnation; the next one recovers from the last complete checkpoint
/// (recovery time: crash to the first record the new incarnation writes). Each cycle's committed output goes through
/// a per-key sequence checker (the stage's per-key `count` is the sequence number) and its final state is compared
/// with the input's.
struct ConcurrentChaosRun {
    let configuration: ConcurrentChaosConfiguration
    let clock: any MonotonicClock
    /// Reads memory around the sink's memory-pressure holds.
    var memoryProbe: MemoryProbe = .process

    struct Input {
        var bytes: [UInt8]
        var expectedCounts: [String: Int]
        var expectedSums: [String: Int64]
        var poison: Int
    }

    func makeInput(cycle: Int) -> Input {
        var random = SeededRandomNumberGenerator(seed: configuration.seed &+ UInt64(cycle))
        var text = ""
        var counts: [String: Int] = [:]
        var sums: [String: Int64] = [:]
        var poison = 0
        text.reserveCapacity(configuration.records * 48)
        for sequence in 0..<configuration.records {
            let key = "k\(Int.random(in: 0..<configuration.keys, using: &random))"
            let value = Int64.random(in: -100...1000, using: &random)
            if configuration.poisonEvery > 0 && sequence % configuration.poisonEvery == configuration.poisonEvery - 1 {
                text += "{\"seq\":\(sequence),\"key\":\"\(key)\",\"value\":\(value),\"poison\":true}\n"
                poison += 1
            } else {
                text += "{\"seq\":\(sequence),\"key\":\"\(key)\",\"value\":\(value)}\n"
                counts[key, default: 0] += 1
                sums[key, default: 0] += value
            }
        }
        return Input(bytes: Array(text.utf8), expectedCounts: counts, expectedSums: sums, poison: poison)
    }

    /// Runs cycles until `seconds` of `clock` have passed (at least one); stops early when `shouldStop` says so.
    func run(seconds: Double, shouldStop: @Sendable () -> Bool) async -> ConcurrentChaosReport {
        var report = ConcurrentChaosReport()
        let start = clock.nowNanoseconds()
        var checker = KeyedSequenceChecker(expected: [:])
        let memory = MemoryPressureLog(probe: memoryProbe)
        repeat {
            do {
                try await cycle(report.cycles, into: &report, checker: &checker, memory: memory)
            } catch {
                report.failure = "cycle \(report.cycles): \(error)"
                break
            }
            report.cycles += 1
        } while Double(clock.nowNanoseconds() &- start) / 1e9 < seconds && !shouldStop()
        report.elapsedNanoseconds = clock.nowNanoseconds() &- start
        report.check = checker.report
        report.memoryHolds = memory.holds.count
        report.memoryReturnedFractionRSS = memory.returnedFraction(\.rssBytes)
        report.memoryReturnedFractionAllocated = memory.returnedFraction(\.allocatedBytes)
        return report
    }

    private func cycle(
        _ index: Int, into report: inout ConcurrentChaosReport, checker: inout KeyedSequenceChecker,
        memory: MemoryPressureLog
    ) async throws {
        let input = makeInput(cycle: index)
        let folder = TemporaryDirectory(parent: defaultScratchDirectory(), prefix: "sluice-chaos")
        defer { folder.remove() }
        let statistics = SupervisionStatistics()
        let deadLetters = DeadLetterCollector()
        var crashedAt: UInt64?
        var finalState: [String: KeyedSum] = [:]
        var incarnations = 0
        while true {
            incarnations += 1
            if incarnations > 10_000 { throw HarnessError(code: .benchmarkSetup, message: "no progress after 10000 restarts") }
            let base: any CheckpointedSink =
                configuration.exactlyOnce
                ? TwoPhaseCommitFileSink(directory: folder.file("out")) : AppendFileSink(path: folder.file("out.ndjson"))
            let sink = ChaosSink(base: base, configuration: configuration, crashes: true, clock: clock, memory: memory)
            let stage = KeyedSumStage(state: InMemoryStateBackend<KeyedSum>())
            let session = EngineCheckpointSession(
                source: NDJSONFileSource(bytes: input.bytes, name: "input"), stage: stage, sink: sink,
                checkpoints: CheckpointConfiguration(
                    catalog: try CheckpointCatalog(directory: folder.file("ck")),
                    journal: try ReplayJournal(path: folder.file("ck/journal.log")),
                    policy: .everyRecords(UInt64(configuration.checkpointEvery))))
            try session.recover()
            let pipeline = Pipeline.source("input", session.makeSource())
                .supervised(
                    "validate", partitions: configuration.partitions,
                    // No backoff: a restarting partition would turn barriers away.
                    policy: RestartPolicy(initialDelay: .zero, jitter: 0, maxRestarts: 1 << 30, window: .seconds(1)),
                    clock: AnyMonotonicClock(clock), seed: configuration.seed, statistics: statistics,
                    partition: ChaosValidator.partition, makeBranch: { _ in ChaosValidator() }
                )
                .stage("aggregate", session.makeOperator())
                .deadLetters(DeadLetterPolicy(sink: deadLetters, clock: clock))
                .sink("sink", session.makeSink())
            do {
                _ = try await ConcurrentEngine(batchSize: 128, channelCapacity: 1024, metrics: .disabled).run(pipeline)
                if let crashedAt, let first = sink.firstWriteAt { report.recoveryNanoseconds.append(first &- crashedAt) }
                try stage.state.forEach { finalState[$0] = $1 }
                report.partitionRestarts += statistics.restarts.reduce(0, +)
                break
            } catch is InjectedCrash {
                session.waitUntilCheckpointsAreDurable()
                if let previous = crashedAt, let first = sink.firstWriteAt { report.recoveryNanoseconds.append(first &- previous) }
                report.crashes += 1
                crashedAt = clock.nowNanoseconds()
            }
            report.partitionRestarts += statistics.restarts.reduce(0, +)
        }
        let output =
            configuration.exactlyOnce
            ? try TwoPhaseCommitFileSink.readCommittedOutput(directory: folder.file("out"))
            : try PosixFileSystem().readFile(at: folder.file("out.ndjson"))
        var cycleChecker = KeyedSequenceChecker(expected: input.expectedCounts.mapKeys { "\(index)/\($0)" })
        for line in output.split(separator: UInt8(ascii: "\n")) {
            guard let (key, count) = Self.keyAndCount(line) else { continue }
            report.recordsDelivered += 1
            cycleChecker.observe(key: "\(index)/\(key)", number: count)
        }
        let cycleReport = cycleChecker.report
        checker.merge(cycleReport)
        report.poisonInjected += input.poison
        // Replays after a crash quarantine a poison record again: count each record once.
        let quarantined = deadLetters.records.compactMap { record -> UInt64? in
            guard record.errorCode == "partition-failed",
                case .record(let source)? = record.element as? StreamElement<SourceRecord>
            else { return nil }
            return source.sequence
        }
        report.poisonQuarantined += Set(quarantined).count
        for (key, count) in input.expectedCounts {
            let state = finalState[key]
            if state?.count != Int64(count) || state?.sum != input.expectedSums[key] { report.stateMismatches += 1 }
        }
        if finalState.count != input.expectedCounts.count { report.stateMismatches += 1 }
    }

    /// `key` and `count` of a `{"seq":…,"key":"…","count":…,"sum":…}` output line.
    static func keyAndCount(_ line: ArraySlice<UInt8>) -> (String, Int)? {
        let text = String(decoding: line, as: UTF8.self)
        guard let keyStart = text.range(of: "\"key\":\""), let countStart = text.range(of: "\"count\":") else { return nil }
        let key = text[keyStart.upperBound...].prefix { $0 != "\"" }
        let count = text[countStart.upperBound...].prefix { $0.isNumber }
        guard let number = Int(count) else { return nil }
        return (String(key), number)
    }
}

extension Dictionary {
    fileprivate func mapKeys(_ transform: (Key) -> String) -> [String: Value] {
        Dictionary<String, Value>(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}
