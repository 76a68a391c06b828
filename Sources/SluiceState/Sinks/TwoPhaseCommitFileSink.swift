/// An exactly-once file sink: one file per checkpoint epoch, published by an atomic rename when the
/// checkpoint completes (two-phase commit).
///
/// Records of epoch `e` (those after barrier `e-1` and up to barrier `e`) go to `pending-<e>.ndjson`.
/// Pre-commit: at barrier `e`, the file is flushed, then it and its folder are `fsync`ed before checkpoint `e`
/// is committed.
/// Commit: once checkpoint `e` is durable, the file is renamed to `part-<e>.ndjson` and the folder synced.
/// Recovery from checkpoint `c` rolls forward every pending epoch `≤ c` (its checkpoint completed, the
/// rename did not), aborts every pending epoch `> c`, and retracts any part `> c` (possible only when
/// recovery fell back past a corrupt newer checkpoint, whose records are then replayed). The committed
/// output, `part-*` files in epoch order (`readCommittedOutput`), holds each record exactly once.
public final class TwoPhaseCommitFileSink: CheckpointedSink {
    /// The output folder.
    public let directory: String
    private let fileSystem: any FileSystem
    private var epoch: UInt64 = 1
    private var writer: (any FileWriter)?
    /// Whether a record went to the current epoch's pending file.
    private var epochHasRecords = false
    private var buffer: RecordBuffer

    /// Creates a sink writing into `directory` (created if missing at recovery).
    public init(directory: String, fileSystem: any FileSystem = PosixFileSystem(), bufferLimit: Int = 1 << 16) {
        self.directory = directory
        self.fileSystem = fileSystem
        buffer = RecordBuffer(limit: bufferLimit)
    }

    /// `.exactlyOnce`: an epoch's file is published once, by a rename, after its checkpoint is durable.
    public var deliveryGuarantee: DeliveryGuarantee { .exactlyOnce }

    static func name(_ prefix: String, _ epoch: UInt64) -> String {
        let digits = String(epoch)
        return prefix + "-" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".ndjson"
    }

    static func epoch(of name: String, prefix: String) -> UInt64? {
        guard name.hasPrefix(prefix + "-"), name.hasSuffix(".ndjson") else { return nil }
        return UInt64(name.dropFirst(prefix.count + 1).dropLast(7))
    }

    /// Creates the folder, rolls forward pending epochs up to the restored checkpoint, removes later pending and
    /// part files, syncs the folder and opens `pending-<nextCheckpointID>`. Returns a note per file changed.
    public func recover(restoredCheckpointID: UInt64?, nextCheckpointID: UInt64) throws -> [String] {
        try fileSystem.createDirectoryDurably(at: directory)
        let restored = restoredCheckpointID ?? 0
        var notes: [String] = []
        for name in try fileSystem.contentsOfDirectory(at: directory).sorted() {
            let path = joinPath(directory, name)
            if let pending = Self.epoch(of: name, prefix: "pending") {
                if pending <= restored {
                    try fileSystem.rename(from: path, to: joinPath(directory, Self.name("part", pending)))
                    notes.append("rolled forward epoch \(pending) (its checkpoint completed before the crash)")
                } else {
                    try fileSystem.removeItem(at: path)
                    notes.append("aborted pending epoch \(pending) (its checkpoint never completed)")
                }
            } else if let part = Self.epoch(of: name, prefix: "part"), part > restored {
                try fileSystem.removeItem(at: path)
                notes.append("retracted committed epoch \(part): its checkpoint was unusable, its records are replayed")
            }
        }
        try fileSystem.syncDirectory(at: directory)
        epoch = nextCheckpointID
        try openEpoch()
        return notes
    }

    private func openEpoch() throws {
        writer = try fileSystem.makeWriter(at: joinPath(directory, Self.name("pending", epoch)), truncate: true)
        epochHasRecords = false
    }

    /// Buffers the record and a newline; writes the buffer to the epoch's pending file once it reaches
    /// `bufferLimit` bytes.
    public func write(_ record: UnsafeRawBufferPointer) throws {
        epochHasRecords = true
        if buffer.append(record) { try flush() }
    }

    private func flush() throws {
        try buffer.flush(to: writer)
    }

    /// Writes out and closes `pending-<checkpointID>`, opens the next epoch's file, and returns the commit:
    /// `makeDurable` syncs the file and the folder, `commit` renames it to `part-<checkpointID>` and syncs the
    /// folder. Precondition: `checkpointID` is the current epoch.
    public func barrier(_ checkpointID: UInt64) throws -> SinkEpochCommit {
        precondition(checkpointID == epoch, "barrier \(checkpointID) while writing epoch \(epoch)")
        try flush()
        guard let closing = writer else { preconditionFailure("barrier before recover") }
        let handle = try closing.makeSyncHandle()
        try closing.close()
        let pending = joinPath(directory, Self.name("pending", checkpointID))
        let part = joinPath(directory, Self.name("part", checkpointID))
        let directory = directory
        let fileSystem = fileSystem
        epoch = checkpointID + 1
        try openEpoch()
        return SinkEpochCommit(
            // The pending file's data, then its name: a power loss after the checkpoint commits must still find
            // `pending-<e>` to roll forward.
            makeDurable: {
                try handle.sync()
                try fileSystem.syncDirectory(at: directory)
            },
            commit: {
                try fileSystem.rename(from: pending, to: part)
                try fileSystem.syncDirectory(at: directory)
            })
    }

    /// Writes the buffer to the current pending file and closes it; that epoch is not published. A pending file
    /// that got no record (a run whose last barrier came after its last record) is removed, so a finished run
    /// leaves only its `part-*` files (if that removal fails, the next recovery removes it); one with records
    /// stays for the next recovery to abort.
    public func finish() throws {
        try flush()
        guard let closing = writer else { return }
        try closing.close()
        writer = nil
        // Best effort: the file is empty and unpublished, and the next recovery removes it anyway.
        if !epochHasRecords { try? fileSystem.removeItem(at: joinPath(directory, Self.name("pending", epoch))) }
    }

    /// The committed output: every `part-*` file in `directory`, in epoch order, concatenated. O(output).
    public static func readCommittedOutput(
        directory: String, fileSystem: any FileSystem = PosixFileSystem()
    ) throws -> [UInt8] {
        let parts = try fileSystem.contentsOfDirectory(at: directory).compactMap { name in
            epoch(of: name, prefix: "part").map { ($0, name) }
        }.sorted { $0.0 < $1.0 }
        var output: [UInt8] = []
        for (_, name) in parts { output.append(contentsOf: try fileSystem.readFile(at: joinPath(directory, name))) }
        return output
    }
}
