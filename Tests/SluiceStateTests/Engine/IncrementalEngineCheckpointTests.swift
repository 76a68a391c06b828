import Sluice
import SluiceState
import SluiceTestKit
import Testing

/// `EngineCheckpointSession` with `CheckpointConfiguration.incrementalSnapshots`: the engine's own checkpoint
/// writer puts the stage's state into an `IncrementalSnapshotStore` (only changed key groups), and recovery from
/// those checkpoints is the same as from full ones.
@Suite struct IncrementalEngineCheckpointTests {
    enum Mode: String, CaseIterable, CustomStringConvertible {
        case full, incremental
        var description: String { rawValue }
    }

    static let input = PipelineFixtures.input(count: 600, keys: 300, seed: 0x1AC)

    /// Source → count → two-phase-commit sink, on `engine`, checkpoint every 50 records.
    static func run(
        _ mode: Mode, engine: FanInCheckpointTests.EngineKind, folder: TemporaryDirectory, crashAfter: Int? = nil
    ) async throws -> (state: [String], recovery: RecoveryReport) {
        let stage = CountStage(
            state: mode == .incremental
                ? ChangeTrackingStateBackend<Int64>(base: InMemoryStateBackend()) : InMemoryStateBackend<Int64>())
        var sink: any CheckpointedSink = TwoPhaseCommitFileSink(directory: folder.file("out"))
        if let crashAfter { sink = CrashingSink(sink, crashAfter: crashAfter) }
        let session = EngineCheckpointSession(
            source: NDJSONFileSource(bytes: input), stage: stage, sink: sink,
            checkpoints: CheckpointConfiguration(
                catalog: try CheckpointCatalog(directory: folder.file("ck")), policy: .everyRecords(50),
                incrementalSnapshots: mode == .incremental
                    ? try IncrementalSnapshotStore(directory: folder.file("ck/state"), configuration: groups) : nil))
        let (recovery, _) = try session.recover()
        let pipeline = Pipeline.source(session.makeSource()).stage("count", session.makeOperator())
            .sink(session.makeSink())
        do {
            switch engine {
            case .sync: _ = try SyncEngine(batchSize: 16).run(pipeline)
            case .concurrent: _ = try await ConcurrentEngine(batchSize: 16, channelCapacity: 32).run(pipeline)
            }
        } catch {
            session.waitUntilCheckpointsAreDurable()
            throw error
        }
        return (try PipelineFixtures.stateLines(stage.state), recovery)
    }

    static var groups: IncrementalSnapshotStore.Configuration {
        var configuration = IncrementalSnapshotStore.Configuration()
        configuration.keyGroupCount = 128
        return configuration
    }

    static func committed(_ folder: TemporaryDirectory) throws -> [UInt8] {
        try TwoPhaseCommitFileSink.readCommittedOutput(directory: folder.file("out"))
    }

    /// A run that crashes and recovers ends with the same state and committed output from incremental checkpoints
    /// as from full ones, and as an uninterrupted run.
    @Test(arguments: [FanInCheckpointTests.EngineKind.sync, .concurrent])
    func recoveryFromIncrementalCheckpointsEqualsRecoveryFromFullOnes(_ engine: FanInCheckpointTests.EngineKind)
        async throws
    {
        let reference = TemporaryDirectory()
        defer { reference.remove() }
        let uninterrupted = try await Self.run(.full, engine: .sync, folder: reference)
        let expected = try Self.committed(reference)
        for crashAfter in [30, 275, 590] {
            var outcomes: [Mode: (state: [String], output: [UInt8], restored: UInt64?)] = [:]
            for mode in Mode.allCases {
                let folder = TemporaryDirectory()
                defer { folder.remove() }
                await #expect(throws: CrashingSink.Crash.self) {
                    try await Self.run(mode, engine: engine, folder: folder, crashAfter: crashAfter)
                }
                let resumed = try await Self.run(mode, engine: engine, folder: folder)
                outcomes[mode] = (resumed.state, try Self.committed(folder), resumed.recovery.restoredCheckpointID)
                if mode == .incremental, let restored = resumed.recovery.restoredCheckpointID {
                    // The checkpoint file names the store's snapshot instead of holding the state.
                    let catalog = try CheckpointCatalog(directory: folder.file("ck"), mode: .mustExist)
                    let (image, _) = try catalog.recover()
                    #expect(image?.keepsIncrementalState(ofStage: "count") == true)
                    #expect(image?.stages["count"]?.isEmpty ?? true)
                    let store = try IncrementalSnapshotStore(directory: folder.file("ck/state"), configuration: Self.groups)
                    #expect(store.snapshotIDs.contains(image?.id ?? 0) && restored >= 1)
                }
            }
            let full = try #require(outcomes[.full])
            let incremental = try #require(outcomes[.incremental])
            #expect(full.restored == incremental.restored, "crash after \(crashAfter)")
            #expect(incremental.state == full.state && full.state == uninterrupted.state, "crash after \(crashAfter)")
            #expect(incremental.output == full.output && full.output == expected, "crash after \(crashAfter)")
        }
    }

    /// Later checkpoints write only the key groups that changed: a checkpoint's data file is smaller than a full
    /// snapshot's when few keys changed, and earlier chunks are referenced.
    @Test func laterCheckpointsWriteOnlyChangedGroups() async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        _ = try await Self.run(.incremental, engine: .concurrent, folder: folder)
        let store = try IncrementalSnapshotStore(directory: folder.file("ck/state"), configuration: Self.groups)
        let newest = try #require(store.snapshotIDs.last)
        #expect(newest == 12)
        let files = try PosixFileSystem().contentsOfDirectory(at: folder.file("ck/state"))
        // Each of the 50-record checkpoints touches at most 50 of the 300 keys: at most 50 of the 128 groups'
        // chunks are rewritten, so some groups of the newest snapshot still point at older data files.
        let manifest = try PosixFileSystem().readFile(
            at: folder.file("ck/state/" + files.first { $0.hasPrefix("snapshot-") && $0.hasSuffix("12.manifest") }!))
        let referencedFiles = Set(
            String(decoding: manifest, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("chunk ") }
                .map { $0.split(separator: " ")[3] })
        #expect(referencedFiles.count > 1, "the newest snapshot references chunks of earlier ones")
    }

    /// A damaged chunk in the newest snapshot: recovery skips that checkpoint, restores the previous complete one,
    /// and the resumed run still ends exactly like an uninterrupted one.
    @Test(arguments: [FanInCheckpointTests.EngineKind.sync, .concurrent])
    func aCorruptChunkRollsBackToThePreviousCompleteCheckpoint(_ engine: FanInCheckpointTests.EngineKind) async throws {
        let reference = TemporaryDirectory()
        defer { reference.remove() }
        let uninterrupted = try await Self.run(.full, engine: .sync, folder: reference)
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        _ = try await Self.run(.incremental, engine: engine, folder: folder)
        let fileSystem = PosixFileSystem()
        let dataFile = folder.file("ck/state/chunks-00000000000000000012.dat")
        var bytes = try fileSystem.readFile(at: dataFile)
        bytes[bytes.count / 2] ^= 0x5A
        try fileSystem.writeFile(at: dataFile, bytes: bytes, sync: true)

        let resumed = try await Self.run(.incremental, engine: engine, folder: folder)
        #expect(resumed.recovery.restoredCheckpointID == 11, "\(resumed.recovery)")
        let skipped = try #require(resumed.recovery.skipped.first)
        #expect(skipped.id == 12)
        #expect(String(describing: skipped.error).contains("CRC-32C"), "\(skipped.error)")
        #expect(resumed.state == uninterrupted.state)
        #expect(try Self.committed(folder) == (try Self.committed(reference)))
    }
}
