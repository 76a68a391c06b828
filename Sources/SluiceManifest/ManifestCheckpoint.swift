import SluiceJSON
import SluiceState

/// The progress record a checkpointed manifest run keeps in its folder (`checkpoint.json`, replaced atomically):
/// the checkpoint's id, the input offset up to which every document's output is durable, and whether the run
/// finished.
public struct ManifestCheckpoint: Sendable, Hashable {
    /// The checkpoint id (also the sink's epoch).
    public var id: UInt64
    /// Input bytes fully handled: a resumed run reads on from here.
    public var offset: Int
    /// Documents written up to this checkpoint.
    public var documents: Int
    /// Whether the run reached the end of its input.
    public var complete: Bool

    /// The file inside the checkpoint folder.
    public static func path(in folder: String) -> String { folder + "/checkpoint.json" }

    /// Reads the checkpoint in `folder`; nil when there is none.
    /// - Throws: `StateError`/`JSONParseError` when it exists but cannot be read, or a `ManifestRunError`
    ///   when its content is not a checkpoint.
    public static func load(from folder: String, fileSystem: any FileSystem = PosixFileSystem()) throws -> ManifestCheckpoint? {
        let path = path(in: folder)
        guard fileSystem.itemExists(at: path) else { return nil }
        let value = try JSONDocumentParser.parse(try fileSystem.readFile(at: path))
        guard case .number(let id)? = value["id"], let idValue = id.int64Value, idValue >= 0,
            case .number(let offset)? = value["offset"], let offsetValue = offset.int64Value,
            case .number(let documents)? = value["documents"], let documentsValue = documents.int64Value,
            case .bool(let complete)? = value["complete"]
        else {
            throw ManifestRunError(code: .checkpoint, message: "\(path) is not a manifest checkpoint (id, offset, documents, complete)")
        }
        return ManifestCheckpoint(id: UInt64(idValue), offset: Int(offsetValue), documents: Int(documentsValue), complete: complete)
    }

    /// Writes the checkpoint into `folder`, atomically and durably.
    func save(in folder: String, fileSystem: any FileSystem) throws {
        let value = JSONValue.object([
            JSONMember(key: "id", value: .number(.int(Int64(id)))),
            JSONMember(key: "offset", value: .number(.int(Int64(offset)))),
            JSONMember(key: "documents", value: .number(.int(Int64(documents)))),
            JSONMember(key: "complete", value: .bool(complete)),
        ])
        try fileSystem.writeAtomically(try JSONSerializer().serialize(value), to: Self.path(in: folder))
    }
}

/// Ties a manifest run's output to checkpoints, through SluiceState's checkpointed file sinks: at-least-once
/// appends to one file (`AppendFileSink`), exactly-once writes one part per epoch and publishes it when its
/// checkpoint is durable (`TwoPhaseCommitFileSink`).
///
/// A checkpoint: the sink closes its epoch (flush, `fsync`), `checkpoint.json` is replaced atomically, then the
/// epoch is published. Taken every `every` documents when the pipeline has no stateful stage (a resumed run then
/// skips the input before the offset), and once at the end or when the run is stopped. Confined to the sink's
/// thread or task (the engines call a sink from one at a time), hence `@unchecked Sendable`.
final class CheckpointCoordinator: @unchecked Sendable {
    private let sink: any CheckpointedSink
    private let folder: String
    private let fileSystem: any FileSystem
    private let every: Int
    /// Whether mid-run checkpoints are resumable (no stateful stage).
    let isResumable: Bool
    private var nextID: UInt64
    private var sinceLast = 0
    private var documents: Int
    private var lastEnd: Int
    private(set) var last: ManifestCheckpoint?

    init(
        sink: any CheckpointedSink, folder: String, fileSystem: any FileSystem, every: Int, isResumable: Bool,
        restored: ManifestCheckpoint?
    ) throws {
        self.sink = sink
        self.folder = folder
        self.fileSystem = fileSystem
        self.every = every
        self.isResumable = isResumable
        nextID = (restored?.id ?? 0) + 1
        documents = restored?.documents ?? 0
        lastEnd = restored?.offset ?? 0
        last = restored
        _ = try sink.recover(restoredCheckpointID: restored?.id, nextCheckpointID: nextID)
    }

    /// Writes one record (without its newline).
    func write(_ record: UnsafeRawBufferPointer) throws {
        try sink.write(record)
    }

    /// Counts a batch whose last record ends at `end`; checkpoints when due.
    func didWrite(count: Int, lastEnd end: Int) throws {
        documents += count
        sinceLast += count
        if isResumable { lastEnd = end }
        if isResumable && sinceLast >= every { try checkpoint(complete: false, commit: true) }
    }

    /// The final checkpoint: `complete` when the input ended; a stopped stateful run records offset 0 and leaves
    /// its last epoch uncommitted (a rerun starts over and drops it).
    func finish(complete: Bool) throws {
        try checkpoint(complete: complete, commit: complete || isResumable)
        try sink.finish()
    }

    private func checkpoint(complete: Bool, commit: Bool) throws {
        sinceLast = 0
        let id = nextID
        nextID += 1
        let epoch = try sink.barrier(id)
        guard commit else { return }
        try epoch.makeDurable()
        let checkpoint = ManifestCheckpoint(id: id, offset: isResumable ? lastEnd : 0, documents: documents, complete: complete)
        try checkpoint.save(in: folder, fileSystem: fileSystem)
        try epoch.commit()
        last = checkpoint
    }
}
