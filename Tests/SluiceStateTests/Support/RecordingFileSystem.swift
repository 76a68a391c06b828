import SluiceState
import Synchronization

/// A file system that forwards to the real one and records, in order, every operation that changes what a power
/// loss would keep: file writes and their syncs, renames, folder creations and folder syncs. Paths are recorded
/// relative to `root`, so tests can compare sequences.
final class RecordingFileSystem: FileSystem {
    let base = PosixFileSystem()
    let root: String
    private let log = Mutex<[String]>([])

    init(root: String) { self.root = root }

    /// The operations so far, e.g. `fsync out/pending-…1.ndjson`, `syncdir out`, `rename a -> b`.
    var operations: [String] { log.withLock { $0 } }

    func short(_ path: String) -> String {
        guard path.hasPrefix(root) else { return path }
        let rest = path.dropFirst(root.count).drop { $0 == "/" }
        return rest.isEmpty ? "." : String(rest)
    }

    func record(_ line: String) { log.withLock { $0.append(line) } }

    func itemExists(at path: String) -> Bool { base.itemExists(at: path) }
    func directoryExists(at path: String) -> Bool { base.directoryExists(at: path) }
    func createDirectory(at path: String) throws {
        try base.createDirectory(at: path)
        record("mkdir \(short(path))")
    }
    func contentsOfDirectory(at path: String) throws -> [String] { try base.contentsOfDirectory(at: path) }
    func readFile(at path: String) throws -> [UInt8] { try base.readFile(at: path) }
    func readFile(at path: String, offset: Int, count: Int) throws -> [UInt8] {
        try base.readFile(at: path, offset: offset, count: count)
    }
    func fileSize(at path: String) throws -> Int { try base.fileSize(at: path) }
    func writeFile(at path: String, bytes: [UInt8], sync: Bool) throws {
        let isNew = !base.itemExists(at: path)
        try base.writeFile(at: path, bytes: bytes, sync: sync)
        if isNew { record("create \(short(path))") }
        if sync { record("fsync \(short(path))") }
    }
    func makeWriter(at path: String, truncate: Bool) throws -> any FileWriter {
        let isNew = !base.itemExists(at: path)
        let writer = try base.makeWriter(at: path, truncate: truncate)
        if isNew { record("create \(short(path))") }
        return RecordingWriter(base: writer, owner: self)
    }
    func truncateFile(at path: String, to length: Int) throws { try base.truncateFile(at: path, to: length) }
    func rename(from source: String, to destination: String) throws {
        try base.rename(from: source, to: destination)
        record("rename \(short(source)) -> \(short(destination))")
    }
    func removeItem(at path: String) throws { try base.removeItem(at: path) }
    func syncDirectory(at path: String) throws {
        try base.syncDirectory(at: path)
        record("syncdir \(short(path))")
    }
}

/// A writer whose syncs (direct or through a sync handle) are recorded by its owner.
// @unchecked Sendable: confined like the writer it wraps; `owner` is Sendable (Mutex).
final class RecordingWriter: FileWriter, @unchecked Sendable {
    let base: any FileWriter
    let owner: RecordingFileSystem

    init(base: any FileWriter, owner: RecordingFileSystem) {
        self.base = base
        self.owner = owner
    }

    var path: String { base.path }
    var size: Int { base.size }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try base.write(bytes) }
    func sync() throws {
        try base.sync()
        owner.record("fsync \(owner.short(path))")
    }
    func makeSyncHandle() throws -> FileSyncHandle {
        let owner = owner
        return try base.makeSyncHandle().observed { owner.record("fsync \(owner.short($0))") }
    }
    func close() throws { try base.close() }
}
