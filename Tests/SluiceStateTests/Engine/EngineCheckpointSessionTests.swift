import Sluice
import SluiceState
import SluiceTestKit
import Testing

@Suite struct EngineCheckpointSessionTests {
    static let input = CheckpointedPipelineTests.input

    /// A session over the shared input with a checkpoint every 50 records in `folder/ck`.
    static func makeSession(
        folder: TemporaryDirectory, fileSystem: any FileSystem, stage: CountStage, sink: any CheckpointedSink
    ) throws -> EngineCheckpointSession<CountStage> {
        EngineCheckpointSession(
            source: NDJSONFileSource(bytes: input), stage: stage, sink: sink,
            checkpoints: CheckpointConfiguration(
                catalog: try CheckpointCatalog(directory: folder.file("ck"), fileSystem: fileSystem),
                journal: try ReplayJournal(path: folder.file("ck/journal.log"), fileSystem: fileSystem),
                policy: .everyRecords(50)))
    }

    /// Runs the checkpointed pipeline on the SyncEngine; returns the state lines and the session's report.
    static func runOnEngine(
        folder: TemporaryDirectory, fileSystem: any FileSystem = PosixFileSystem(), batchSize: Int = 64,
        backend: BackendKind = .memory
    ) throws -> (state: [String], report: PipelineRunReport, recovery: RecoveryReport) {
        let stage = CountStage(state: try backend.make(Int64.self))
        let session = try makeSession(
            folder: folder, fileSystem: fileSystem, stage: stage,
            sink: TwoPhaseCommitFileSink(directory: folder.file("out"), fileSystem: fileSystem))
        let (recovery, _) = try session.recover()
        let pipeline = Pipeline.source(session.makeSource()).stage("count", session.makeOperator())
            .sink(session.makeSink())
        _ = try SyncEngine(batchSize: batchSize).run(pipeline)
        return (try PipelineFixtures.stateLines(stage.state), session.report, recovery)
    }

    @Test(arguments: [1, 7, 64, 1000])
    func engineRunMatchesTheDriverExactly(_ batchSize: Int) throws {
        let reference = try CheckpointedPipelineTests.reference(exactlyOnce: true)
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let run = try Self.runOnEngine(folder: folder, batchSize: batchSize)
        #expect(run.state == reference.state, "batch \(batchSize)")
        #expect(run.report.completedCheckpoints == Array(1...12), "batch \(batchSize)")
        #expect(try PipelineFixtures.output(folder: folder, exactlyOnce: true) == reference.output, "batch \(batchSize)")
        let catalog = try CheckpointCatalog(directory: folder.file("ck"), mode: .mustExist)
        #expect(catalog.entries.last?.id == 12 && catalog.entries.last?.parentID == 11)
    }

    /// The same session on `ConcurrentEngine`: source, stage and sink in tasks of their own, barriers through
    /// the engine's bounded channels.
    static func runOnConcurrentEngine(
        folder: TemporaryDirectory, fileSystem: any FileSystem = PosixFileSystem(), batchSize: Int,
        exactlyOnce: Bool = true
    ) async throws -> (state: [String], report: PipelineRunReport, recovery: RecoveryReport) {
        let stage = CountStage(state: InMemoryStateBackend())
        let sink: any CheckpointedSink =
            exactlyOnce
            ? TwoPhaseCommitFileSink(directory: folder.file("out"), fileSystem: fileSystem)
            : AppendFileSink(path: folder.file("out.txt"), fileSystem: fileSystem)
        let session = try makeSession(folder: folder, fileSystem: fileSystem, stage: stage, sink: sink)
        let (recovery, _) = try session.recover()
        let pipeline = Pipeline.source(session.makeSource()).stage("count", session.makeOperator())
            .sink(session.makeSink())
        _ = try await ConcurrentEngine(batchSize: batchSize, channelCapacity: max(batchSize, 16)).run(pipeline)
        return (try PipelineFixtures.stateLines(stage.state), session.report, recovery)
    }

    @Test(arguments: [1, 7, 64, 1000])
    func concurrentEngineRunMatchesTheDriverExactly(_ batchSize: Int) async throws {
        for exactlyOnce in [true, false] {
            let reference = try CheckpointedPipelineTests.reference(exactlyOnce: exactlyOnce)
            let folder = TemporaryDirectory()
            defer { folder.remove() }
            let run = try await Self.runOnConcurrentEngine(folder: folder, batchSize: batchSize, exactlyOnce: exactlyOnce)
            #expect(run.state == reference.state, "batch \(batchSize)")
            #expect(run.report.completedCheckpoints == Array(1...12), "batch \(batchSize)")
            #expect(run.report.recordsProcessed == UInt64(PipelineFixtures.sequences(in: reference.output).count))
            #expect(
                try PipelineFixtures.output(folder: folder, exactlyOnce: exactlyOnce) == reference.output,
                "batch \(batchSize)")
        }
    }

    @Test func fullDiskMidRunThenRestartOnTheConcurrentEngineIsExactlyOnce() async throws {
        let reference = try CheckpointedPipelineTests.reference(exactlyOnce: true)
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let fileSystem = FaultInjectingFileSystem()
        fileSystem.setQuota(6_000)
        await #expect(throws: StateError.self) {
            try await Self.runOnConcurrentEngine(folder: folder, fileSystem: fileSystem, batchSize: 16)
        }
        fileSystem.setQuota(nil)
        let resumed = try await Self.runOnConcurrentEngine(folder: folder, fileSystem: fileSystem, batchSize: 16)
        #expect(resumed.recovery.restoredCheckpointID != nil, "\(resumed.recovery)")
        #expect(resumed.state == reference.state)
        #expect(try PipelineFixtures.output(folder: folder, exactlyOnce: true) == reference.output)
    }

    @Test func fullDiskMidRunThenRestartOnTheEngineIsExactlyOnce() throws {
        let reference = try CheckpointedPipelineTests.reference(exactlyOnce: true)
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let fileSystem = FaultInjectingFileSystem()
        // Enough for a few epochs, then the disk is full.
        fileSystem.setQuota(6_000)
        let error = #expect(throws: StateError.self) { try Self.runOnEngine(folder: folder, fileSystem: fileSystem) }
        #expect(error?.code == .diskFull)
        fileSystem.setQuota(nil)
        let resumed = try Self.runOnEngine(folder: folder, fileSystem: fileSystem)
        #expect(resumed.recovery.restoredCheckpointID != nil, "\(resumed.recovery)")
        #expect(resumed.state == reference.state)
        #expect(try PipelineFixtures.output(folder: folder, exactlyOnce: true) == reference.output)
    }
}

@Suite struct CheckpointCoordinatorStateMachineTests {
    @Test func assemblesACheckpointFromItsParts() {
        var machine = CheckpointCoordinatorStateMachine(
            sourceNames: ["in"], stageNames: ["count"], lastCheckpointID: 4)
        #expect(machine.nextCheckpointID == 5)
        let barrier = CheckpointBarrier(id: 5)
        machine.sourceEmitted(barrier, position: SourcePosition(source: "in", nextSequence: 10, byteOffset: 99))
        let state = InMemoryStateBackend<Int64>()
        state.setValue(3, forKey: "a")
        let snapshot = state.makeSnapshot()
        machine.stageSnapshotted(
            barrier,
            capture: StageStateCapture(
                name: "count", encode: { try snapshot.encodeEntries(into: &$0) }, stateSizeBytes: snapshot.stateSizeBytes))
        #expect(machine.openCount == 1)
        let action = machine.sinkPrepared(barrier, commit: SinkEpochCommit(makeDurable: {}, commit: {}))
        guard case .persist(let capture, _) = action else { return }
        #expect(capture.id == 5 && capture.parentID == 4 && capture.sources.first?.nextSequence == 10)
        #expect(capture.stages.map(\.name) == ["count"])
        #expect(machine.openCount == 0 && machine.nextCheckpointID == 6)
    }
}
