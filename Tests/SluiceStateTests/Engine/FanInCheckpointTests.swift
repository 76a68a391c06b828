import Sluice
import SluiceState
import SluiceTestKit
import Synchronization
import Testing

/// A checkpointed sink that crashes the run (throws) after a number of records: the process dying mid-run.
final class CrashingSink: CheckpointedSink {
    struct Crash: Error {}
    let base: any CheckpointedSink
    private var remaining: Int

    init(_ base: any CheckpointedSink, crashAfter records: Int) {
        self.base = base
        remaining = records
    }

    var deliveryGuarantee: DeliveryGuarantee { base.deliveryGuarantee }

    func recover(restoredCheckpointID: UInt64?, nextCheckpointID: UInt64) throws -> [String] {
        try base.recover(restoredCheckpointID: restoredCheckpointID, nextCheckpointID: nextCheckpointID)
    }

    func write(_ record: UnsafeRawBufferPointer) throws {
        guard remaining > 0 else { throw Crash() }
        remaining -= 1
        try base.write(record)
    }

    func barrier(_ checkpointID: UInt64) throws -> SinkEpochCommit { try base.barrier(checkpointID) }
    func finish() throws { try base.finish() }
}

/// Fan-in checkpoints: barriers from several inputs are aligned at the merge (`BarrierAligner` in the engines'
/// merge), the stage snapshots once per checkpoint, and a run that crashes and recovers commits exactly what an
/// uninterrupted run commits, on both engines.
@Suite struct FanInCheckpointTests {
    /// Disjoint keys per source, so that each key's count depends only on its own source's order (which every
    /// path keeps), not on how the merge interleaves the sources.
    static let left = Array(PipelineFixtures.input(count: 300, keys: 23, seed: 0xA11CE).map { $0 == UInt8(ascii: "k") ? UInt8(ascii: "l") : $0 })
    static let right = Array(PipelineFixtures.input(count: 170, keys: 11, seed: 0xB0B).map { $0 == UInt8(ascii: "k") ? UInt8(ascii: "r") : $0 })
    static let mixed = PipelineFixtures.input(count: 400, keys: 29, seed: 0xD1A)

    enum Shape: String, CaseIterable, CustomStringConvertible {
        /// Two sources → merge → count → sink.
        case twoSources
        /// One source → partition by key → two pass-through stages → merge → count → sink.
        case diamond
        var description: String { rawValue }
    }

    enum EngineKind: Sendable { case sync, concurrent }

    typealias Element = StreamElement<SourceRecord>

    /// Builds the graph of `shape` over a fresh session on `folder` and runs it on `engine`. `crashAfter` makes the
    /// sink crash after that many records. Returns the state lines and the recovery report.
    static func run(
        _ shape: Shape, engine: EngineKind, folder: TemporaryDirectory, crashAfter: Int? = nil,
        incremental: Bool = false, batchSize: Int = 8
    ) async throws -> (state: [String], recovery: RecoveryReport) {
        let sources: [any ReplayableSource] =
            shape == .twoSources
            ? [NDJSONFileSource(bytes: left, name: "left"), NDJSONFileSource(bytes: right, name: "right")]
            : [NDJSONFileSource(bytes: mixed, name: "mixed")]
        let tracked = ChangeTrackingStateBackend<Int64>(base: InMemoryStateBackend())
        let stage = CountStage(state: incremental ? tracked : InMemoryStateBackend<Int64>())
        var sink: any CheckpointedSink = TwoPhaseCommitFileSink(directory: folder.file("out"))
        if let crashAfter { sink = CrashingSink(sink, crashAfter: crashAfter) }
        let session = EngineCheckpointSession(
            sources: sources, stage: stage, sink: sink,
            checkpoints: CheckpointConfiguration(
                catalog: try CheckpointCatalog(directory: folder.file("ck")),
                journal: try ReplayJournal(path: folder.file("ck/journal.log")), policy: .everyRecords(40),
                incrementalSnapshots: incremental
                    ? try IncrementalSnapshotStore(directory: folder.file("ck/state"), configuration: smallGroups) : nil))
        let (recovery, _) = try session.recover()
        var graph = PipelineGraph(name: "fan-in")
        switch shape {
        case .twoSources:
            for (index, source) in session.makeSources().enumerated() {
                graph.addSource("in\(index)", source)
                graph.connect("in\(index)", to: "merge")
            }
        case .diamond:
            graph.addSource("in", session.makeSource())
            graph.addPartition("split", of: Element.self) { element -> String in
                // Barriers go to every path; only records are routed by key.
                guard case .record(let record) = element else { return "" }
                return String(decoding: record.bytes, as: UTF8.self)
            }
            graph.connect("in", to: "split")
            for path in ["p0", "p1"] {
                graph.addStage(path, MapOperator<Element, Element> { $0 })
                graph.connect("split", to: path)
                graph.connect(path, to: "merge")
            }
        }
        graph.addMerge("merge", of: Element.self)
        graph.addStage("count", session.makeOperator())
        graph.addSink("out", session.makeSink())
        graph.connect("merge", to: "count")
        graph.connect("count", to: "out")
        do {
            switch engine {
            case .sync: _ = try SyncEngine(batchSize: batchSize).run(graph)
            case .concurrent:
                _ = try await ConcurrentEngine(batchSize: batchSize, channelCapacity: 2 * batchSize).run(graph)
            }
        } catch {
            // The process is gone: what the writer had started still lands (or not) before the restart reads it.
            session.waitUntilCheckpointsAreDurable()
            throw error
        }
        return (try PipelineFixtures.stateLines(stage.state), recovery)
    }

    static var smallGroups: IncrementalSnapshotStore.Configuration {
        var configuration = IncrementalSnapshotStore.Configuration()
        configuration.keyGroupCount = 8
        return configuration
    }

    /// The committed output's lines, sorted (the merge interleaves inputs; each line names its record).
    static func committedLines(_ folder: TemporaryDirectory) throws -> [String] {
        let bytes = try TwoPhaseCommitFileSink.readCommittedOutput(directory: folder.file("out"))
        return bytes.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }.sorted()
    }

    static func reference(_ shape: Shape) async throws -> (state: [String], lines: [String]) {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let run = try await run(shape, engine: .sync, folder: folder)
        return (run.state, try committedLines(folder))
    }

    /// Runs `body` under the schedule controller with `seed`; returns whether it completed, and why not.
    static func controlled(seed: UInt64, _ body: @escaping @Sendable () async throws -> Void) -> ScheduleOutcome {
        ScheduleController.run(seed: seed, strategy: .randomWalk, maxSteps: 400_000, body)
    }

    @Test(arguments: Shape.allCases)
    func syncEngineAlignsAndRecoversExactlyOnce(_ shape: Shape) async throws {
        let reference = try await Self.reference(shape)
        #expect(reference.lines.count == (shape == .twoSources ? 470 : 400))
        for crashAfter in [5, 97, 260] {
            let folder = TemporaryDirectory()
            defer { folder.remove() }
            await #expect(throws: CrashingSink.Crash.self) {
                try await Self.run(shape, engine: .sync, folder: folder, crashAfter: crashAfter)
            }
            let resumed = try await Self.run(shape, engine: .sync, folder: folder)
            #expect(resumed.state == reference.state, "\(shape), crash after \(crashAfter)")
            #expect(try Self.committedLines(folder) == reference.lines, "\(shape), crash after \(crashAfter)")
        }
    }

    /// The concurrent engine under seeded schedules: each seed is one reproducible interleaving of sources, merge
    /// readers, stage and sink, and a seeded crash point. A crashed run restored from its last complete checkpoint
    /// commits exactly the uninterrupted run's records, and ends in its state.
    @Test(arguments: Shape.allCases)
    func concurrentEngineAlignsAndRecoversExactlyOnceUnderSeededSchedules(_ shape: Shape) async throws {
        let reference = try await Self.reference(shape)
        for seed in UInt64(1)...6 {
            var random = SeededRandomNumberGenerator(seed: seed)
            let crashAfter = Int.random(in: 1..<reference.lines.count, using: &random)
            // Even seeds keep the stage's state in incremental snapshots, odd ones in the checkpoint files.
            let incremental = seed % 2 == 0
            let folder = TemporaryDirectory()
            defer { folder.remove() }
            let state = Mutex<(crashed: Bool, resumed: [String], restored: UInt64?)>((false, [], nil))
            let crashed = Self.controlled(seed: seed) {
                do {
                    _ = try await Self.run(
                        shape, engine: .concurrent, folder: folder, crashAfter: crashAfter, incremental: incremental)
                } catch is CrashingSink.Crash {
                    state.withLock { $0.crashed = true }
                }
            }
            #expect(crashed.isCompleted, "seed \(seed), \(shape): \(crashed.ending)")
            let resumed = Self.controlled(seed: seed &+ 1_000) {
                let run = try await Self.run(shape, engine: .concurrent, folder: folder, incremental: incremental)
                state.withLock {
                    $0.resumed = run.state
                    $0.restored = run.recovery.restoredCheckpointID
                }
            }
            #expect(resumed.isCompleted, "seed \(seed), \(shape): \(resumed.ending)")
            let outcome = state.withLock { $0 }
            #expect(outcome.crashed, "seed \(seed), \(shape): the sink should have crashed after \(crashAfter) records")
            #expect(outcome.resumed == reference.state, "seed \(seed), \(shape), crash after \(crashAfter), incremental \(incremental)")
            #expect(
                try Self.committedLines(folder) == reference.lines,
                "seed \(seed), \(shape), crash after \(crashAfter), restored \(String(describing: outcome.restored))")
        }
    }

    /// Without a crash the concurrent run takes one checkpoint per 40 records of each source (the merge forwards
    /// each barrier once: the coordinator would stop the run on a second copy), and commits everything.
    @Test func concurrentRunCommitsEverythingWithAlignedCheckpoints() async throws {
        let reference = try await Self.reference(.twoSources)
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let run = try await Self.run(.twoSources, engine: .concurrent, folder: folder, batchSize: 16)
        #expect(run.state == reference.state)
        #expect(try Self.committedLines(folder) == reference.lines)
        let catalog = try CheckpointCatalog(directory: folder.file("ck"), mode: .mustExist)
        // 300 records on the left: barriers 1…7 after every 40, then a final one (8) at its end; the right ends
        // first (after barrier 4 and a final barrier 5) and is recorded at its end in every later checkpoint.
        #expect(catalog.entries.last?.id == 8)
        let (image, _) = try catalog.recover()
        #expect(image?.position(ofSource: "right")?.nextSequence == 170)
        #expect(image?.position(ofSource: "left")?.nextSequence == 300)
    }
}
