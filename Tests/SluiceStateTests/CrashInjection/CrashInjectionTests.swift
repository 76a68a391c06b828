import Foundation
import SluiceState
import SluiceTestKit
import Testing

/// Kills a real worker process with SIGKILL at seeded moments, restarts it, and checks that output and
/// state come out as an uninterrupted run's would. No sleeps: the test waits on the worker's progress lines.
@Suite(.serialized) struct CrashInjectionTests {
    static let recordCount = 1500
    static let kills = 5

    struct Scenario: CustomStringConvertible, Sendable {
        var exactlyOnce: Bool
        var backend: String
        var engine = "driver"
        var description: String { "\(exactlyOnce ? "exactly-once" : "at-least-once")/\(backend)/\(engine)" }
    }

    static let scenarios = [
        Scenario(exactlyOnce: false, backend: "memory"), Scenario(exactlyOnce: true, backend: "memory"),
        Scenario(exactlyOnce: true, backend: "spill"),
        Scenario(exactlyOnce: false, backend: "memory", engine: "concurrent"),
        Scenario(exactlyOnce: true, backend: "memory", engine: "concurrent"),
    ]

    /// Writes `{"seq":N,"key":"kK","value":V}` lines.
    static func writeInput(to path: String, seed: UInt64) throws {
        var random = SeededRandomNumberGenerator(seed: seed)
        var text = ""
        for sequence in 0..<recordCount {
            let key = Int.random(in: 0..<23, using: &random)
            let value = Int.random(in: -100...1000, using: &random)
            text += "{\"seq\":\(sequence),\"key\":\"k\(key)\",\"value\":\(value)}\n"
        }
        try PosixFileSystem().writeFile(at: path, bytes: Array(text.utf8), sync: false)
    }

    static func arguments(_ folder: TemporaryDirectory, _ scenario: Scenario, run: String) -> [String] {
        [
            "--input", folder.file("input.ndjson"), "--output", folder.file("\(run)-out"), "--checkpoints",
            folder.file("\(run)-ck"), "--state-out", folder.file("\(run)-state.txt"), "--mode",
            scenario.exactlyOnce ? "exactly-once" : "at-least-once", "--backend", scenario.backend,
            "--checkpoint-every", "40", "--progress-every", "25", "--engine", scenario.engine,
        ]
    }

    static func output(_ folder: TemporaryDirectory, _ scenario: Scenario, run: String) throws -> [UInt8] {
        scenario.exactlyOnce
            ? try TwoPhaseCommitFileSink.readCommittedOutput(directory: folder.file("\(run)-out"))
            : try PosixFileSystem().readFile(at: folder.file("\(run)-out"))
    }

    /// Runs the worker to the end without interruption; returns its stdout lines.
    @discardableResult
    static func runToEnd(_ arguments: [String], seed: UInt64) throws -> [String] {
        let worker = try WorkerProcess(arguments)
        var lines: [String] = []
        while let line = worker.nextLine() { lines.append(line) }
        let end = worker.wait()
        #expect(!end.killed && end.status == 0, "seed \(seed): worker failed: \(end.stderr)")
        #expect(lines.last?.hasPrefix("done ") == true, "seed \(seed): \(lines.suffix(3))")
        return lines
    }

    @Test(arguments: scenarios)
    func killedAndRestartedWorkerMatchesAnUninterruptedRun(_ scenario: Scenario) throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0xC4A5_0000 + (scenario.exactlyOnce ? 1 : 0))
        let seed = random.seed
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        try Self.writeInput(to: folder.file("input.ndjson"), seed: seed)
        try Self.runToEnd(Self.arguments(folder, scenario, run: "reference"), seed: seed)

        var killsDone = 0
        for _ in 0..<Self.kills {
            let worker = try WorkerProcess(Self.arguments(folder, scenario, run: "crash") + ["--pace"])
            // Kill after a seeded number of progress lines, once this run has completed a checkpoint of its
            // own (so that every restart makes progress; the pipeline keeps at most two checkpoints in flight).
            let target = Int.random(in: 1...6, using: &random)
            var progressLines = 0
            var restored: UInt64 = 0
            while let line = worker.nextLine() {
                if line.hasPrefix("recovered restored checkpoint ") {
                    restored = UInt64(line.split(separator: " ")[3].prefix { $0.isNumber }) ?? 0
                }
                guard line.hasPrefix("progress ") else { continue }
                progressLines += 1
                let completed = line.split(separator: " ").last.flatMap { UInt64($0) } ?? 0
                worker.acknowledge()
                if progressLines >= target && completed > restored {
                    worker.kill()
                    break
                }
            }
            if worker.wait().killed { killsDone += 1 }
        }
        #expect(killsDone == Self.kills, "seed \(seed): every kill landed before the input ended")
        let final = try Self.runToEnd(Self.arguments(folder, scenario, run: "crash"), seed: seed)
        #expect(final.contains { $0.hasPrefix("recovered restored checkpoint") }, "seed \(seed): \(final.prefix(3))")

        let referenceState = try PosixFileSystem().readFile(at: folder.file("reference-state.txt"))
        let crashState = try PosixFileSystem().readFile(at: folder.file("crash-state.txt"))
        #expect(crashState == referenceState, "seed \(seed): final state differs from the uninterrupted run")

        let output = try Self.output(folder, scenario, run: "crash")
        var checker = SequenceChecker(expectedCount: UInt64(Self.recordCount))
        checker.observe(KeyedSumStage.outputSequences(in: output))
        let report = checker.report
        #expect(report.isAtLeastOnce, "seed \(seed) \(scenario): \(report)")
        if scenario.exactlyOnce {
            #expect(report.isExactlyOnce, "seed \(seed) \(scenario): \(report)")
            #expect(output == (try Self.output(folder, scenario, run: "reference")), "seed \(seed): output differs")
        }
    }

    @Test func corruptNewestSnapshotRecoversFromThePreviousOne() throws {
        let scenario = Scenario(exactlyOnce: true, backend: "memory")
        let seed: UInt64 = SeededRandomNumberGenerator.fromEnvironment(default: 0xBAD5_0000).seed
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        try Self.writeInput(to: folder.file("input.ndjson"), seed: seed)
        try Self.runToEnd(Self.arguments(folder, scenario, run: "reference"), seed: seed)

        // Run until at least three checkpoints are complete, then kill.
        let worker = try WorkerProcess(Self.arguments(folder, scenario, run: "crash") + ["--pace"])
        while let line = worker.nextLine() {
            guard line.hasPrefix("progress ") else { continue }
            let completed = line.split(separator: " ").last.flatMap { UInt64($0) } ?? 0
            if completed >= 3 {
                worker.kill()
                break
            }
            worker.acknowledge()
        }
        #expect(worker.wait().killed, "seed \(seed)")

        let checkpoints = folder.file("crash-ck")
        let catalog = try CheckpointCatalog(directory: checkpoints, mode: .mustExist)
        let entries = catalog.entries
        try #require(entries.count >= 2, "seed \(seed): \(entries)")
        let newest = entries[entries.count - 1]
        let previous = entries[entries.count - 2]
        let path = checkpoints + "/" + newest.fileName
        var bytes = try PosixFileSystem().readFile(at: path)
        for offset in [20, bytes.count / 2, bytes.count - 1] { bytes[offset] ^= 0xA5 }
        try PosixFileSystem().writeFile(at: path, bytes: bytes, sync: false)

        let lines = try Self.runToEnd(Self.arguments(folder, scenario, run: "crash"), seed: seed)
        #expect(lines.contains { $0.hasPrefix("recovered skipped checkpoint \(newest.id): corrupt snapshot") }, "\(lines.prefix(4))")
        #expect(lines.contains { $0.hasPrefix("recovered restored checkpoint \(previous.id) (fallback") }, "\(lines.prefix(4))")
        let output = try Self.output(folder, scenario, run: "crash")
        #expect(output == (try Self.output(folder, scenario, run: "reference")), "seed \(seed): output differs")
        let referenceState = try PosixFileSystem().readFile(at: folder.file("reference-state.txt"))
        #expect(try PosixFileSystem().readFile(at: folder.file("crash-state.txt")) == referenceState, "seed \(seed)")
    }

    @Test func missingCheckpointFolderIsAClearErrorFromTheWorker() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        try Self.writeInput(to: folder.file("input.ndjson"), seed: 1)
        let worker = try WorkerProcess(
            Self.arguments(folder, Scenario(exactlyOnce: true, backend: "memory"), run: "x") + ["--must-exist"])
        let end = worker.wait()
        #expect(!end.killed && end.status == 1)
        #expect(end.stderr.hasPrefix("error: checkpoint folder missing: "), "\(end.stderr)")
        #expect(end.stderr.contains(folder.file("x-ck")))
        #expect(!PosixFileSystem().itemExists(at: folder.file("x-out")), "nothing was written")
    }
}
