import SluiceState
import SluiceTestKit
import Testing

/// Every create or rename a checkpoint guarantee relies on is followed by an `fsync` of its folder, before the
/// step that relies on it: checked on the order of operations a recording file system saw.
@Suite struct DurableSyncOrderTests {
    /// The index of the first operation equal to `line`, failing the test when it is missing.
    static func index(of line: String, in operations: [String], after start: Int = 0) -> Int {
        let found = operations[start...].firstIndex(of: line)
        #expect(found != nil, "missing `\(line)` after operation \(start) in:\n\(operations.joined(separator: "\n"))")
        return found ?? Int.max
    }

    static func runOneEpoch(exactlyOnce: Bool) throws -> [String] {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let fileSystem = RecordingFileSystem(root: folder.path)
        let catalog = try CheckpointCatalog(directory: folder.file("state/ck"), fileSystem: fileSystem)
        let journal = try ReplayJournal(path: folder.file("state/ck/journal.log"), fileSystem: fileSystem)
        let sink: any CheckpointedSink =
            exactlyOnce
            ? TwoPhaseCommitFileSink(directory: folder.file("out"), fileSystem: fileSystem)
            : AppendFileSink(path: folder.file("out.txt"), fileSystem: fileSystem)
        let pipeline = CheckpointedPipeline(
            source: NDJSONFileSource(bytes: Array("a\nb\nc\n".utf8)), stage: CountStage(state: InMemoryStateBackend()),
            sink: sink, checkpoints: CheckpointConfiguration(catalog: catalog, journal: journal, policy: .never))
        try pipeline.recover()
        _ = try pipeline.run()
        return fileSystem.operations
    }

    @Test func newFoldersAreSyncedInTheirParents() throws {
        let operations = try Self.runOneEpoch(exactlyOnce: true)
        let state = Self.index(of: "mkdir state", in: operations)
        let parentSync = Self.index(of: "syncdir .", in: operations, after: state)
        let checkpoints = Self.index(of: "mkdir state/ck", in: operations, after: parentSync)
        _ = Self.index(of: "syncdir state", in: operations, after: checkpoints)
        let out = Self.index(of: "mkdir out", in: operations)
        _ = Self.index(of: "syncdir .", in: operations, after: out)
    }

    @Test func exactlyOnceEpochSyncsFileThenNameThenCommitsThenPublishes() throws {
        let operations = try Self.runOneEpoch(exactlyOnce: true)
        let pending = "out/" + "pending-00000000000000000001.ndjson"
        let part = "out/" + "part-00000000000000000001.ndjson"
        let snapshot = "state/ck/checkpoint-00000000000000000001.snap"
        let created = Self.index(of: "create \(pending)", in: operations)
        let dataSync = Self.index(of: "fsync \(pending)", in: operations, after: created)
        let nameSync = Self.index(of: "syncdir out", in: operations, after: dataSync)
        let snapshotFile = Self.index(of: "fsync \(snapshot).tmp", in: operations, after: nameSync)
        let snapshotRename = Self.index(of: "rename \(snapshot).tmp -> \(snapshot)", in: operations, after: snapshotFile)
        let snapshotName = Self.index(of: "syncdir state/ck", in: operations, after: snapshotRename)
        let manifest = Self.index(
            of: "rename state/ck/MANIFEST.tmp -> state/ck/MANIFEST", in: operations, after: snapshotName)
        let manifestName = Self.index(of: "syncdir state/ck", in: operations, after: manifest)
        let publish = Self.index(of: "rename \(pending) -> \(part)", in: operations, after: manifestName)
        _ = Self.index(of: "syncdir out", in: operations, after: publish)
    }

    @Test func atLeastOnceSinkFileAndJournalNamesAreSyncedBeforeTheCheckpointCommits() throws {
        let operations = try Self.runOneEpoch(exactlyOnce: false)
        let created = Self.index(of: "create out.txt", in: operations)
        let nameSync = Self.index(of: "syncdir .", in: operations, after: created)
        let dataSync = Self.index(of: "fsync out.txt", in: operations, after: nameSync)
        let manifest = Self.index(
            of: "rename state/ck/MANIFEST.tmp -> state/ck/MANIFEST", in: operations, after: dataSync)
        let journal = Self.index(of: "create state/ck/journal.log", in: operations, after: manifest)
        let journalName = Self.index(of: "syncdir state/ck", in: operations, after: journal)
        _ = Self.index(of: "fsync state/ck/journal.log", in: operations, after: journalName)
    }
}
