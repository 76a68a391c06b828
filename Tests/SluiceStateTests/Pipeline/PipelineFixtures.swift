import SluiceState
import SluiceTestKit

/// Counts records per key (the record's bytes) and emits `seq key count`.
final class CountStage: KeyedStateStage {
    let name = "count"
    let state: any StateBackend<Int64>
    private var line: [UInt8] = []

    init(state: any StateBackend<Int64>) { self.state = state }

    func process(_ record: SourceRecord, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        let key = String(decoding: record.bytes, as: UTF8.self)
        let count = (try state.value(forKey: key) ?? 0) + 1
        try state.setValue(count, forKey: key)
        line = Array("\(record.sequence) \(key) \(count)".utf8)
        try line.withUnsafeBytes { try emit($0) }
    }
}

enum PipelineFixtures {
    /// `count` lines, each a key among `keys`, chosen by `seed`.
    static func input(count: Int, keys: Int, seed: UInt64) -> [UInt8] {
        var random = SeededRandomNumberGenerator(seed: seed)
        var text = ""
        for _ in 0..<count { text += "key\(Int.random(in: 0..<keys, using: &random))\n" }
        return Array(text.utf8)
    }

    /// The sequence numbers of `seq key count` output lines.
    static func sequences(in output: [UInt8]) -> [UInt64] {
        output.split(separator: UInt8(ascii: "\n")).compactMap { line in
            line.split(separator: UInt8(ascii: " ")).first.flatMap { UInt64(String(decoding: $0, as: UTF8.self)) }
        }
    }

    /// The state as sorted `key=count` strings.
    static func stateLines(_ state: any StateBackend<Int64>) throws -> [String] {
        var lines: [String] = []
        try state.forEach { lines.append("\($0)=\($1)") }
        return lines.sorted()
    }

    /// Runs a pipeline to the end (after recovery) and returns its final state lines.
    static func run(
        input: [UInt8], folder: TemporaryDirectory, exactlyOnce: Bool, fileSystem: any FileSystem,
        backend: BackendKind = .memory, policy: CheckpointPolicy = .everyRecords(50),
        onProgress: (PipelineProgress) throws -> Void = { _ in }
    ) throws -> (state: [String], report: PipelineRunReport, recovery: RecoveryReport) {
        let catalog = try CheckpointCatalog(directory: folder.file("ck"), fileSystem: fileSystem)
        let journal = try ReplayJournal(path: folder.file("ck/journal.log"), fileSystem: fileSystem)
        let sink: any CheckpointedSink =
            exactlyOnce
            ? TwoPhaseCommitFileSink(directory: folder.file("out"), fileSystem: fileSystem)
            : AppendFileSink(path: folder.file("out.txt"), fileSystem: fileSystem)
        let stage = CountStage(state: try backend.make(Int64.self))
        let pipeline = CheckpointedPipeline(
            source: NDJSONFileSource(bytes: input), stage: stage, sink: sink,
            checkpoints: CheckpointConfiguration(catalog: catalog, journal: journal, policy: policy))
        let (recovery, _) = try pipeline.recover()
        let report = try pipeline.run(progressEvery: 10, onProgress: onProgress)
        return (try stateLines(stage.state), report, recovery)
    }

    static func output(folder: TemporaryDirectory, exactlyOnce: Bool) throws -> [UInt8] {
        exactlyOnce
            ? try TwoPhaseCommitFileSink.readCommittedOutput(directory: folder.file("out"))
            : try PosixFileSystem().readFile(at: folder.file("out.txt"))
    }
}
