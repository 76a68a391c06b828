// sluice-checkpoint-worker: the child process of the crash-injection tests.
//
// Runs file source → keyed aggregation → file sink with checkpoints, recovering from the checkpoint folder
// first. Prints `recovered <report>` lines, then `progress <records> <last completed checkpoint>` every
// --progress-every records (with --pace it then waits for a line on stdin, so a test can pick the moment to
// kill it), then `done <records>`. Exit 0 on success, 1 with `error: ...` on stderr.
//
// --engine driver (the default) runs the `CheckpointedPipeline` driver; --engine concurrent runs the same
// pipeline on `ConcurrentEngine` through an `EngineCheckpointSession` (source, stage and sink in tasks of their
// own, barriers through the engine's channels); --engine sync runs that session on `SyncEngine`.
#if canImport(Glibc)
import Glibc
#endif
import Sluice
import SluiceState

struct Options {
    var input = ""
    var output = ""
    var checkpoints = ""
    var stateOut: String?
    var exactlyOnce = false
    var checkpointEvery: UInt64 = 100
    var progressEvery: UInt64 = 0
    var pace = false
    var backend = "memory"
    var mustExist = false
    var engine = "driver"
}

/// Writes all of `text` to `descriptor` (unbuffered, so a kill loses nothing already said).
func emit(_ text: String, to descriptor: Int32) {
    var bytes = Array(text.utf8)
    var done = 0
    while done < bytes.count {
        // bytes.count > done >= 0, so the buffer is non-empty and baseAddress is non-nil.
        let count = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress! + done, $0.count - done) }
        if count <= 0 { return }
        done += count
    }
}

func fail(_ message: String) -> Never {
    emit("error: \(message)\n", to: 2)
    exit(1)
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    func value(_ flag: String) -> String {
        guard let value = arguments.next() else { fail("\(flag) needs a value") }
        return value
    }
    while let flag = arguments.next() {
        switch flag {
        case "--input": options.input = value(flag)
        case "--output": options.output = value(flag)
        case "--checkpoints": options.checkpoints = value(flag)
        case "--state-out": options.stateOut = value(flag)
        case "--mode":
            switch value(flag) {
            case "exactly-once": options.exactlyOnce = true
            case "at-least-once": options.exactlyOnce = false
            case let other: fail("unknown mode \(other): use at-least-once or exactly-once")
            }
        case "--checkpoint-every":
            guard let count = UInt64(value(flag)), count > 0 else { fail("--checkpoint-every needs a positive count") }
            options.checkpointEvery = count
        case "--progress-every":
            guard let count = UInt64(value(flag)) else { fail("--progress-every needs a count") }
            options.progressEvery = count
        case "--pace": options.pace = true
        case "--must-exist": options.mustExist = true
        case "--backend": options.backend = value(flag)
        case "--engine":
            options.engine = value(flag)
            guard ["driver", "sync", "concurrent"].contains(options.engine) else {
                fail("unknown engine \(options.engine): use driver, sync or concurrent")
            }
        default: fail("unknown argument \(flag)")
        }
    }
    if options.input.isEmpty || options.output.isEmpty || options.checkpoints.isEmpty {
        fail("usage: sluice-checkpoint-worker --input FILE --output PATH --checkpoints DIR [--mode M] ...")
    }
    return options
}

func say(_ line: String) { emit(line + "\n", to: 1) }

func makeBackend(_ name: String) throws -> any StateBackend<KeyedSum> {
    switch name {
    case "memory": return InMemoryStateBackend<KeyedSum>()
    case "mmap": return try MappedFileStateBackend<KeyedSum>(initialCapacity: 4096, compactionMinimumBytes: 4096)
    case "spill":
        return try SpillingStateBackend<KeyedSum>(
            policy: SpillPolicy(memoryMaxKeys: 16, memoryMaxBytes: nil, mappedMaxKeys: 32, mappedMaxBytes: nil),
            compactionMinimumBytes: 1024)
    default: fail("unknown backend \(name): use memory, mmap or spill")
    }
}

let options = parseOptions()
do {
    let catalog = try CheckpointCatalog(
        directory: options.checkpoints, mode: options.mustExist ? .mustExist : .createIfMissing)
    let journal = try ReplayJournal(path: options.checkpoints + "/journal.log")
    let sink: any CheckpointedSink =
        options.exactlyOnce
        ? TwoPhaseCommitFileSink(directory: options.output) : AppendFileSink(path: options.output)
    let stage = KeyedSumStage(state: try makeBackend(options.backend))
    let source = try NDJSONFileSource(path: options.input, name: "input")
    let configuration = CheckpointConfiguration(
        catalog: catalog, journal: journal, policy: .everyRecords(options.checkpointEvery))
    let run: PipelineRunReport
    if options.engine == "driver" {
        let pipeline = CheckpointedPipeline(source: source, stage: stage, sink: sink, checkpoints: configuration)
        let (report, notes) = try pipeline.recover()
        for line in report.description.split(separator: "\n") { say("recovered \(line)") }
        for note in notes { say("sink \(note)") }
        run = try pipeline.run(progressEvery: options.progressEvery) { progress in
            say("progress \(progress.recordsProcessed) \(progress.lastCompletedCheckpoint.map(String.init) ?? "-")")
            if options.pace { _ = readLine() }
        }
    } else {
        let session = EngineCheckpointSession(source: source, stage: stage, sink: sink, checkpoints: configuration)
        let (report, notes) = try session.recover()
        for line in report.description.split(separator: "\n") { say("recovered \(line)") }
        for note in notes { say("sink \(note)") }
        let pace = options.pace
        let pipeline = Pipeline.source(session.makeSource()).stage("aggregate", session.makeOperator())
            .sink(
                session.makeSink(progressEvery: options.progressEvery) { written, completed in
                    guard pace else { return say("progress \(written) \(completed.map(String.init) ?? "-")") }
                    // Paced (a test picks the kill moment): report checkpoints as durable as they will get, since
                    // here the writer runs behind the sink instead of in step with it.
                    session.waitUntilCheckpointsAreDurable()
                    say("progress \(written) \(session.report.completedCheckpoints.last.map(String.init) ?? "-")")
                    _ = readLine()
                })
        if options.engine == "concurrent" {
            _ = try await ConcurrentEngine(batchSize: 64, channelCapacity: 256, metrics: .disabled).run(pipeline)
        } else {
            _ = try SyncEngine(batchSize: 64, metrics: .disabled).run(pipeline)
        }
        run = session.report
    }
    if let path = options.stateOut {
        var lines: [String] = []
        try stage.state.forEach { key, value in lines.append("\(key) \(value.count) \(value.sum)") }
        let text = lines.sorted().joined(separator: "\n") + "\n"
        try PosixFileSystem().writeAtomically(Array(text.utf8), to: path)
    }
    say("done \(run.recordsProcessed) \(run.completedCheckpoints.last.map(String.init) ?? "-")")
} catch {
    fail("\(error)")
}
