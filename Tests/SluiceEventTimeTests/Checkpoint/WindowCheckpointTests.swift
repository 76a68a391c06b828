import Sluice
import SluiceEventTime
import SluiceState
import SluiceTestKit
import Synchronization
import Testing

/// Window and trigger state checkpointed through the SluiceState backends: a run stopped part-way and restored
/// from its last checkpoint fires exactly as an uninterrupted run.
@Suite("Window checkpoints")
struct WindowCheckpointTests {
    struct Stop: Error {}

    /// `{"key":"kN","t":T,"v":V}` lines, out of order by up to 40 ms.
    static func input(seed: UInt64) -> [UInt8] {
        var random = SeededRandomNumberGenerator(seed: seed)
        var text = ""
        for index in 0..<1_500 {
            let time = index * 10 - Int.random(in: 0...40, using: &random)
            text += "{\"key\":\"k\(Int.random(in: 0..<6, using: &random))\",\"t\":\(time),\"v\":\(Int.random(in: 0..<100, using: &random))}\n"
        }
        return Array(text.utf8)
    }

    struct Reading: Sendable {
        var key: String
        var time: Int64
        var value: Int64
    }

    /// A tiny fixed-layout decoder for the test lines; a line it cannot read is an invalid record.
    static func decode(_ record: SourceRecord) throws -> Reading {
        let text = String(decoding: record.bytes, as: UTF8.self)
        let parts = text.split(whereSeparator: { "{}\":,".contains($0) }).map(String.init)
        guard parts.count == 6, let time = Int64(parts[3]), let value = Int64(parts[5]) else {
            throw StateError(code: .invalidRecord, message: "record \(record.sequence) is not a reading")
        }
        return Reading(key: parts[1], time: time, value: value)
    }

    enum Shape: String, CaseIterable, Sendable {
        case sliding, session, countEarly
    }

    static func makeStage(_ shape: Shape, backend: WindowStateBackend) throws -> WindowedKeyedStage<String, SumAccumulator<Reading>, Trigger> {
        let (assigner, trigger): (WindowAssigner, Trigger) =
            switch shape {
            case .sliding: (.sliding(size: 300, slide: 100), .eventTime())
            case .session: (.session(gap: 25), .eventTime(lateEvery: 1))
            case .countEarly: (.tumbling(size: 500), .eventTime(early: .every(7)))
            }
        return WindowedKeyedStage(
            state: try backend.make(), assigner: assigner, trigger: trigger,
            accumulator: SumAccumulator<Reading> { $0.value }, key: { $0.key },
            configuration: WindowConfiguration(allowedLateness: 30), decode: decode, timestamp: { $0.time },
            maxOutOfOrderness: 20,
            format: format)
    }

    /// One output line per firing: key, window, count, sum, timing, firing index.
    @Sendable
    static func format(_ result: WindowResult<String, SumAccumulator<Reading>.Partial>, _ line: inout [UInt8]) {
        line.append(
            contentsOf:
                "\(result.key) \(result.window) \(result.value.count) \(result.value.sum) \(result.pane.timing.rawValue) \(result.pane.index)"
                .utf8)
    }

    static func run(
        _ shape: Shape, input: [UInt8], folder: TemporaryDirectory, backend: WindowStateBackend, stopAt: UInt64? = nil
    ) throws -> PipelineRunReport {
        try run(stage: try makeStage(shape, backend: backend), input: input, folder: folder, stopAt: stopAt)
    }

    /// Runs `stage` under `CheckpointedPipeline` (a checkpoint every 97 records), stopping at record `stopAt`.
    static func run<Stage: KeyedStateStage>(
        stage: Stage, input: [UInt8], folder: TemporaryDirectory, stopAt: UInt64?
    ) throws -> PipelineRunReport {
        let pipeline = CheckpointedPipeline(
            source: NDJSONFileSource(bytes: input), stage: stage,
            sink: TwoPhaseCommitFileSink(directory: folder.file("out")),
            checkpoints: CheckpointConfiguration(
                catalog: try CheckpointCatalog(directory: folder.file("ck")), policy: .everyRecords(97)))
        try pipeline.recover()
        return try pipeline.run(progressEvery: 1) { progress in
            if let stopAt, progress.recordsProcessed >= stopAt { throw Stop() }
        }
    }

    @Test(arguments: Shape.allCases, WindowStateBackend.allCases)
    func restoredRunFiresLikeUninterruptedRun(_ shape: Shape, backend: WindowStateBackend) throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x3E57)
        let seed = random.seed
        let input = Self.input(seed: seed)
        let reference = TemporaryDirectory()
        defer { reference.remove() }
        _ = try Self.run(shape, input: input, folder: reference, backend: backend)
        let expected = try TwoPhaseCommitFileSink.readCommittedOutput(directory: reference.file("out"))
        #expect(!expected.isEmpty)

        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let stopAt = UInt64.random(in: 200...1_300, using: &random)
        #expect(throws: Stop.self) { _ = try Self.run(shape, input: input, folder: folder, backend: backend, stopAt: stopAt) }
        _ = try Self.run(shape, input: input, folder: folder, backend: backend)
        let restored = try TwoPhaseCommitFileSink.readCommittedOutput(directory: folder.file("out"))
        #expect(
            restored == expected,
            "seed \(seed), stopped at record \(stopAt): \(String(decoding: restored.suffix(200), as: UTF8.self))")
    }

    /// The same windows under `EngineCheckpointSession` on `ConcurrentEngine`, with the state in incremental
    /// snapshots: the stage's `captureState` writes the window state into its backend before the incremental
    /// snapshot is taken, so a stopped and restored run still fires exactly like an uninterrupted one.
    @Test(arguments: Shape.allCases)
    func incrementalEngineCheckpointsRestoreWindowsExactly(_ shape: Shape) async throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x1C4E)
        let seed = random.seed
        let input = Self.input(seed: seed)
        let reference = TemporaryDirectory()
        defer { reference.remove() }
        _ = try Self.run(shape, input: input, folder: reference, backend: .memory)
        let expected = try TwoPhaseCommitFileSink.readCommittedOutput(directory: reference.file("out"))

        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let lineCount = expected.split(separator: UInt8(ascii: "\n")).count
        let stopAt = Int.random(in: (lineCount / 5)...(lineCount * 4 / 5), using: &random)
        func engineRun(stopAt: Int?) async throws {
            let stage = try Self.makeStage(shape, backend: .changeTracking)
            var sink: any CheckpointedSink = TwoPhaseCommitFileSink(directory: folder.file("out"))
            if let stopAt { sink = StoppingSink(sink, after: stopAt) }
            let session = EngineCheckpointSession(
                source: NDJSONFileSource(bytes: input), stage: stage, sink: sink,
                checkpoints: CheckpointConfiguration(
                    catalog: try CheckpointCatalog(directory: folder.file("ck")), policy: .everyRecords(97),
                    incrementalSnapshots: try IncrementalSnapshotStore(directory: folder.file("ck/state"))))
            try session.recover()
            let pipeline = Pipeline.source(session.makeSource()).stage("window", session.makeOperator())
                .sink(session.makeSink())
            do {
                _ = try await ConcurrentEngine(batchSize: 16, channelCapacity: 32).run(pipeline)
            } catch {
                session.waitUntilCheckpointsAreDurable()
                throw error
            }
        }
        await #expect(throws: Stop.self) { try await engineRun(stopAt: stopAt) }
        try await engineRun(stopAt: nil)
        let restored = try TwoPhaseCommitFileSink.readCommittedOutput(directory: folder.file("out"))
        #expect(restored == expected, "seed \(seed), stopped after \(stopAt) output lines")
    }
}

/// The checkpointed stage with the configured watermark strategy: two source partitions (odd and even keys)
/// and an idle timeout. Partition 1 falls silent for 300 records, goes idle after 50 (1 ms of processing time per
/// record), and comes back 200 ms of event time behind, so its first elements after the silence are late (the
/// idle decision changes the output). A run stopped and restored must make the same decisions: restored from the
/// checkpoint at record 679, partition 1 must still be idle (were it not, it would hold the watermark back
/// again until record 729, and its elements at 700 would be on time).
@Suite("Window checkpoints with partitioned watermarks")
struct PartitionedWatermarkCheckpointTests {
    typealias Reading = WindowCheckpointTests.Reading

    /// Processing time follows the records: the decoder sets it to 1 ms per record sequence number, so an
    /// uninterrupted and a restored run read the same time at each record.
    final class RecordClock: MonotonicClock {
        let now = Atomic<UInt64>(0)
        func nowNanoseconds() -> UInt64 { now.load(ordering: .acquiring) }
    }

    static func input(seed: UInt64) -> [UInt8] {
        var random = SeededRandomNumberGenerator(seed: seed)
        var text = ""
        for index in 0..<1_500 {
            var key = Int.random(in: 0..<6, using: &random)
            var time = index * 10 - Int.random(in: 0...40, using: &random)
            if key % 2 == 1 {
                if (400..<700).contains(index) { key -= 1 } else if index >= 700 { time -= 200 }
            }
            text += "{\"key\":\"k\(key)\",\"t\":\(time),\"v\":\(Int.random(in: 0..<100, using: &random))}\n"
        }
        return Array(text.utf8)
    }

    static func run(
        input: [UInt8], folder: TemporaryDirectory, backend: WindowStateBackend, idleTimeout: Int64?,
        stopAt: UInt64? = nil
    ) throws {
        let clock = RecordClock()
        let stage = WindowedKeyedStage(
            state: try backend.make(), assigner: .sliding(size: 300, slide: 100), trigger: Trigger.eventTime(),
            accumulator: SumAccumulator<Reading> { $0.value }, key: { $0.key },
            configuration: WindowConfiguration(allowedLateness: 30, clock: clock),
            decode: { record in
                clock.now.store((record.sequence + 1) * 1_000_000, ordering: .releasing)
                return try WindowCheckpointTests.decode(record)
            },
            timestamp: { $0.time }, maxOutOfOrderness: 20, watermarkPartitions: 2,
            partition: { Int($0.key.dropFirst()) ?? 0 }, idleTimeout: idleTimeout,
            format: WindowCheckpointTests.format)
        _ = try WindowCheckpointTests.run(stage: stage, input: input, folder: folder, stopAt: stopAt)
    }

    @Test(arguments: WindowStateBackend.allCases)
    func restoredRunMakesTheSameIdleDecisions(backend: WindowStateBackend) throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x1D1E)
        let seed = random.seed
        let input = Self.input(seed: seed)
        let reference = TemporaryDirectory()
        defer { reference.remove() }
        _ = try Self.run(input: input, folder: reference, backend: backend, idleTimeout: 50)
        let expected = String(decoding: try TwoPhaseCommitFileSink.readCommittedOutput(directory: reference.file("out")), as: UTF8.self)
        let withoutIdle = TemporaryDirectory()
        defer { withoutIdle.remove() }
        try Self.run(input: input, folder: withoutIdle, backend: backend, idleTimeout: nil)
        #expect(
            String(decoding: try TwoPhaseCommitFileSink.readCommittedOutput(directory: withoutIdle.file("out")), as: UTF8.self)
                != expected,
            "seed \(seed): the idle timeout changes the firings")

        for stopAt in [690, UInt64.random(in: 300...1_300, using: &random)] {
            let folder = TemporaryDirectory()
            defer { folder.remove() }
            #expect(throws: WindowCheckpointTests.Stop.self) {
                try Self.run(input: input, folder: folder, backend: backend, idleTimeout: 50, stopAt: stopAt)
            }
            try Self.run(input: input, folder: folder, backend: backend, idleTimeout: 50)
            let restored = String(
                decoding: try TwoPhaseCommitFileSink.readCommittedOutput(directory: folder.file("out")), as: UTF8.self)
            // Compare line by line, so that a failure names the first firing that differs.
            let difference = zip(restored.split(separator: "\n"), expected.split(separator: "\n")).first { $0 != $1 }
            #expect(
                restored == expected,
                "seed \(seed), stopped at record \(stopAt): first difference \(difference.map { "\($0.0) vs \($0.1)" } ?? "in length")")
        }
    }
}

/// A checkpointed sink that stops the run (throws `Stop`) after a number of output lines.
final class StoppingSink: CheckpointedSink {
    let base: any CheckpointedSink
    private var remaining: Int

    init(_ base: any CheckpointedSink, after lines: Int) {
        self.base = base
        remaining = lines
    }

    var deliveryGuarantee: DeliveryGuarantee { base.deliveryGuarantee }
    func recover(restoredCheckpointID: UInt64?, nextCheckpointID: UInt64) throws -> [String] {
        try base.recover(restoredCheckpointID: restoredCheckpointID, nextCheckpointID: nextCheckpointID)
    }
    func write(_ record: UnsafeRawBufferPointer) throws {
        guard remaining > 0 else { throw WindowCheckpointTests.Stop() }
        remaining -= 1
        try base.write(record)
    }
    func barrier(_ checkpointID: UInt64) throws -> SinkEpochCommit { try base.barrier(checkpointID) }
    func finish() throws { try base.finish() }
}
