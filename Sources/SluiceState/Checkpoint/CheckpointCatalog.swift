import Synchronization

/// A folder of checkpoint files plus a manifest that chains them (each entry names its parent).
///
/// Writes are atomic and durable: a snapshot file is written to a temporary name, `fsync`ed, renamed and the
/// folder `fsync`ed; then the manifest is replaced the same way. A checkpoint exists once the manifest lists
/// it. Older checkpoints beyond `retainedCount` are deleted after the new manifest is durable.
///
/// `recover()` walks the chain from the newest entry: a snapshot that is missing or fails its checksum is
/// skipped, moved aside (`*.corrupt`), and reported; the newest good one is restored. Thread-safe.
public final class CheckpointCatalog: Sendable {
    /// How to treat a missing folder.
    public enum OpenMode: Sendable {
        /// Create the folder (and its parents) when it is missing: a first run.
        case createIfMissing
        /// A missing folder is a `checkpointFolderMissing` error: a restart expects its checkpoints.
        case mustExist
    }

    /// The folder.
    public let directory: String
    /// How many checkpoints to keep (the newest ones).
    public let retainedCount: Int
    private let fileSystem: any FileSystem
    private let chain: Mutex<[CatalogEntry]>

    var manifestPath: String { joinPath(directory, "MANIFEST") }

    /// Opens the catalog in `directory`, reading its manifest if there is one. O(manifest).
    ///
    /// Throws `checkpointFolderMissing`, `checkpointFolderUnreadable` (cannot list or read it),
    /// `corruptCatalog` (a damaged manifest is never ignored: that could silently lose progress),
    /// or `permissionDenied`.
    public init(
        directory: String, fileSystem: any FileSystem = PosixFileSystem(), retainedCount: Int = 3,
        mode: OpenMode = .createIfMissing
    ) throws {
        precondition(retainedCount >= 2, "keep at least two checkpoints, so that a corrupt newest one has a fallback")
        self.directory = directory
        self.retainedCount = retainedCount
        self.fileSystem = fileSystem
        if !fileSystem.directoryExists(at: directory) {
            if fileSystem.itemExists(at: directory) {
                throw StateError(
                    code: .checkpointFolderUnreadable, message: "the checkpoint path is not a folder", path: directory)
            }
            guard mode == .createIfMissing else {
                throw StateError(
                    code: .checkpointFolderMissing,
                    message: "the checkpoint folder does not exist; create it or start with a fresh catalog",
                    path: directory)
            }
            try fileSystem.createDirectoryDurably(at: directory)
        }
        do {
            _ = try fileSystem.contentsOfDirectory(at: directory)
        } catch let error as StateError {
            throw StateError(
                code: error.code == .permissionDenied ? .permissionDenied : .checkpointFolderUnreadable,
                message: "cannot list the checkpoint folder: \(error.message)", path: directory, errno: error.errno)
        }
        let manifest = joinPath(directory, "MANIFEST")
        var entries: [CatalogEntry] = []
        if fileSystem.itemExists(at: manifest) {
            let bytes: [UInt8]
            do {
                bytes = try fileSystem.readFile(at: manifest)
            } catch let error as StateError {
                throw StateError(
                    code: error.code == .permissionDenied ? .permissionDenied : .checkpointFolderUnreadable,
                    message: "cannot read the manifest: \(error.message)", path: manifest, errno: error.errno)
            }
            entries = try CatalogManifest.decode(bytes, path: manifest)
        }
        chain = Mutex(entries)
    }

    /// The listed checkpoints, oldest first.
    public var entries: [CatalogEntry] { chain.withLock { $0 } }

    /// The largest id ever listed (corrupt ones included), so that new ids never reuse a file name.
    public var newestListedID: UInt64? { chain.withLock { $0.map(\.id).max() } }

    static func fileName(for id: UInt64) -> String {
        let digits = String(id)
        return "checkpoint-" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".snap"
    }

    /// Durably adds a serialized checkpoint (`CheckpointFile.encode`) to the chain, then prunes. O(size).
    ///
    /// On error (full disk, refused access) the manifest still lists only the previous checkpoints, which
    /// stay intact: a failed checkpoint loses nothing that was durable.
    @discardableResult
    public func commit(_ bytes: [UInt8], id: UInt64, parentID: UInt64?) throws -> CatalogEntry {
        // The header's payload checksum identifies the file: no second pass over a large snapshot.
        guard let checksum = CheckpointFile.storedChecksum(of: bytes) else {
            preconditionFailure("commit takes what CheckpointFile.encode produced")
        }
        let entry = CatalogEntry(
            id: id, parentID: parentID, fileName: Self.fileName(for: id), byteCount: bytes.count, checksum: checksum)
        try fileSystem.writeAtomically(bytes, to: joinPath(directory, entry.fileName))
        let (kept, dropped) = chain.withLock { entries -> ([CatalogEntry], [CatalogEntry]) in
            var next = entries.filter { $0.id != id }
            next.append(entry)
            let dropCount = max(0, next.count - retainedCount)
            return (Array(next.dropFirst(dropCount)), Array(next.prefix(dropCount)))
        }
        try fileSystem.writeAtomically(CatalogManifest.encode(kept), to: manifestPath)
        chain.withLock { $0 = kept }
        for old in dropped { try? fileSystem.removeItem(at: joinPath(directory, old.fileName)) }
        return entry
    }

    /// Loads the newest good checkpoint, skipping (and quarantining) damaged newer ones. O(checkpoint size).
    ///
    /// Returns nil for the image when the catalog lists nothing. Throws `noUsableSnapshot` when it lists
    /// checkpoints and none of them is usable: starting over silently would replay or lose output.
    public func recover() throws -> (image: CheckpointImage?, report: RecoveryReport) {
        try recover { _ in }
    }

    /// Like `recover()`, and a checkpoint whose file verifies must also pass `validate` (which loads what the
    /// checkpoint references elsewhere, such as an incremental snapshot): one that throws a `StateError` is
    /// skipped and quarantined like a damaged file, and the previous one is tried.
    public func recover(
        validate: (CheckpointImage) throws -> Void
    ) throws -> (image: CheckpointImage?, report: RecoveryReport) {
        let listed = entries
        var report = RecoveryReport()
        report.listedCount = listed.count
        for entry in listed.reversed() {
            let path = joinPath(directory, entry.fileName)
            do {
                let bytes = try fileSystem.readFile(at: path)
                let stored = CheckpointFile.storedChecksum(of: bytes)
                guard stored == entry.checksum, bytes.count == entry.byteCount else {
                    throw StateError(
                        code: .corruptSnapshot,
                        message:
                            "file header checksum \(stored.map(hex) ?? "none") (\(bytes.count) bytes) does not match the manifest's \(hex(entry.checksum)) (\(entry.byteCount) bytes)",
                        path: path)
                }
                // Verifies the header and payload checksums.
                let image = try CheckpointFile.decode(bytes, path: path)
                guard image.id == entry.id else {
                    throw StateError(
                        code: .corruptSnapshot, message: "file holds checkpoint \(image.id), manifest says \(entry.id)",
                        path: path)
                }
                try validate(image)
                report.restoredCheckpointID = image.id
                report.sources = image.sources
                try dropEntries(newerThan: image.id)
                return (image, report)
            } catch let error as StateError {
                if error.code == .permissionDenied { throw error }
                var quarantined: String? = nil
                if fileSystem.itemExists(at: path) {
                    let target = path + ".corrupt"
                    if (try? fileSystem.rename(from: path, to: target)) != nil { quarantined = target }
                }
                report.skipped.append(RecoveryReport.Skipped(id: entry.id, error: error, quarantinedPath: quarantined))
            }
        }
        if listed.isEmpty { return (nil, report) }
        throw StateError(
            code: .noUsableSnapshot,
            message: "all \(listed.count) listed checkpoints are unusable:\n" + report.description, path: directory)
    }

    /// Rewrites the manifest without the entries newer than `id` (they were found unusable).
    private func dropEntries(newerThan id: UInt64) throws {
        let (current, kept) = chain.withLock { ($0, $0.filter { $0.id <= id }) }
        guard kept.count != current.count else { return }
        try fileSystem.writeAtomically(CatalogManifest.encode(kept), to: manifestPath)
        chain.withLock { $0 = kept }
    }
}
