import SluiceState
import SluiceTestKit
import Testing

@Suite struct CheckpointedPipelineTests {
    static let input = PipelineFixtures.input(count: 600, keys: 37, seed: 0xC0FFEE)

    static func reference(exactlyOnce: Bool) throws -> (state: [String], output: [UInt8]) {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let run = try PipelineFixtures.run(
            input: input, folder: folder, exactlyOnce: exactlyOnce, fileSystem: PosixFileSystem())
        return (run.state, try PipelineFixtures.output(folder: folder, exactlyOnce: exactlyOnce))
    }

    @Test(arguments: BackendKind.allCases)
    func uninterruptedRunIsExactlyOnceOnEveryBackend(_ backend: BackendKind) throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let run = try PipelineFixtures.run(
            input: Self.input, folder: folder, exactlyOnce: true, fileSystem: PosixFileSystem(), backend: backend)
        #expect(run.report.recordsProcessed == 600)
        #expect(run.report.completedCheckpoints == Array(1...12))
        #expect(run.report.snapshotDurationsNanoseconds.count == 12 && run.report.pauseDurationsNanoseconds.count == 12)
        var checker = SequenceChecker(expectedCount: 600)
        checker.observe(PipelineFixtures.sequences(in: try PipelineFixtures.output(folder: folder, exactlyOnce: true)))
        #expect(checker.report.isExactlyOnce, "\(checker.report)")
        #expect(run.state == (try Self.reference(exactlyOnce: true)).state)
    }

    @Test(arguments: [false, true])
    func fullDiskStopsThePipelineAndARestartLosesNothing(_ exactlyOnce: Bool) throws {
        let reference = try Self.reference(exactlyOnce: exactlyOnce)
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0xD15C)
        let seed = random.seed
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let fileSystem = FaultInjectingFileSystem()
        // The disk fills up at a seeded moment, part-way through the run.
        let fillAt = UInt64.random(in: 100...500, using: &random)
        let error = #expect(throws: StateError.self, "seed \(seed)") {
            _ = try PipelineFixtures.run(
                input: Self.input, folder: folder, exactlyOnce: exactlyOnce, fileSystem: fileSystem
            ) { progress in
                if progress.recordsProcessed >= fillAt { fileSystem.setQuota(0) }
            }
        }
        #expect(error?.code == .diskFull, "seed \(seed): \(String(describing: error))")
        fileSystem.setQuota(nil)
        let resumed = try PipelineFixtures.run(
            input: Self.input, folder: folder, exactlyOnce: exactlyOnce, fileSystem: fileSystem)
        #expect(resumed.state == reference.state, "seed \(seed)")
        let output = try PipelineFixtures.output(folder: folder, exactlyOnce: exactlyOnce)
        var checker = SequenceChecker(expectedCount: 600)
        checker.observe(PipelineFixtures.sequences(in: output))
        if exactlyOnce {
            #expect(output == reference.output, "seed \(seed): \(checker.report)")
        } else {
            #expect(checker.report.isAtLeastOnce, "seed \(seed): \(checker.report)")
        }
    }

    /// Tests run as root here, so refused access is simulated by the injectable file system.
    @Test func refusedOutputAccessStopsThePipelineAndARestartLosesNothing() throws {
        let reference = try Self.reference(exactlyOnce: true)
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let fileSystem = FaultInjectingFileSystem()
        let error = #expect(throws: StateError.self) {
            _ = try PipelineFixtures.run(input: Self.input, folder: folder, exactlyOnce: true, fileSystem: fileSystem) {
                progress in
                if progress.recordsProcessed == 270 { fileSystem.refuseAccess(under: folder.file("out")) }
            }
        }
        #expect(error?.code == .permissionDenied && error?.path?.hasPrefix(folder.file("out")) == true)
        fileSystem.allowAll()
        let resumed = try PipelineFixtures.run(input: Self.input, folder: folder, exactlyOnce: true, fileSystem: fileSystem)
        #expect(resumed.state == reference.state)
        #expect(try PipelineFixtures.output(folder: folder, exactlyOnce: true) == reference.output)
    }

    @Test func intervalPolicyFollowsTheClock() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let clock = ManualClock()
        let catalog = try CheckpointCatalog(directory: folder.file("ck"))
        let stage = CountStage(state: InMemoryStateBackend<Int64>())
        let pipeline = CheckpointedPipeline(
            source: NDJSONFileSource(bytes: Self.input), stage: stage,
            sink: TwoPhaseCommitFileSink(directory: folder.file("out")),
            checkpoints: CheckpointConfiguration(
                catalog: catalog, policy: .interval(nanoseconds: 1_000_000_000), clock: clock))
        try pipeline.recover()
        // One virtual second passes every 128 records: checkpoints land at the next 64-record check.
        let report = try pipeline.run(progressEvery: 128) { _ in
            pipeline.waitUntilCheckpointsAreDurable()
            clock.advance(by: .seconds(1))
        }
        #expect(report.completedCheckpoints.count == 5, "4 on the clock + the final one: \(report.completedCheckpoints)")
        var checker = SequenceChecker(expectedCount: 600)
        checker.observe(PipelineFixtures.sequences(in: try PipelineFixtures.output(folder: folder, exactlyOnce: true)))
        #expect(checker.report.isExactlyOnce, "\(checker.report)")
    }

    @Test func restartAfterCompletionDoesNothingMore() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let first = try PipelineFixtures.run(input: Self.input, folder: folder, exactlyOnce: true, fileSystem: PosixFileSystem())
        let second = try PipelineFixtures.run(input: Self.input, folder: folder, exactlyOnce: true, fileSystem: PosixFileSystem())
        #expect(second.report.recordsProcessed == 0 && second.state == first.state)
        #expect(second.recovery.restoredCheckpointID == 12)
    }
}
