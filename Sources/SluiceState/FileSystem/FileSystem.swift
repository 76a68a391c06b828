/// The file operations that checkpoints, journals and checkpointed sinks need, behind a protocol so that
/// tests can inject faults (a byte quota that simulates a full disk, refused paths that simulate missing
/// permissions) without root tricks or a special mount.
///
/// Paths are plain POSIX path strings. Every method either completes or throws a `StateError` whose code
/// says what went wrong (`diskFull`, `permissionDenied`, `ioFailure`) and whose `path` names the file.
public protocol FileSystem: Sendable {
    /// Whether anything exists at `path`.
    func itemExists(at path: String) -> Bool
    /// Whether a directory exists at `path`.
    func directoryExists(at path: String) -> Bool
    /// Creates the directory at `path` and any missing parents; succeeds when it already exists.
    func createDirectory(at path: String) throws
    /// The names (not paths) of the entries in the directory at `path`, unordered. O(entries).
    func contentsOfDirectory(at path: String) throws -> [String]
    /// The whole content of the file at `path`. O(file size).
    func readFile(at path: String) throws -> [UInt8]
    /// Up to `count` bytes of the file at `path` from `offset` (fewer at the end of the file). O(count).
    func readFile(at path: String, offset: Int, count: Int) throws -> [UInt8]
    /// The size in bytes of the file at `path`.
    func fileSize(at path: String) throws -> Int
    /// Creates or truncates the file at `path` and writes `bytes`; when `sync` is true, also `fsync`s it.
    func writeFile(at path: String, bytes: [UInt8], sync: Bool) throws
    /// Opens the file at `path` for appending (created when missing); `truncate` empties it first.
    func makeWriter(at path: String, truncate: Bool) throws -> any FileWriter
    /// Shrinks (or extends with zeros) the file at `path` to `length` bytes.
    func truncateFile(at path: String, to length: Int) throws
    /// Atomically renames `source` to `destination`, replacing it.
    func rename(from source: String, to destination: String) throws
    /// Removes the file at `path`; succeeds when it does not exist.
    func removeItem(at path: String) throws
    /// `fsync`s the directory at `path`, making renames and creations in it durable.
    func syncDirectory(at path: String) throws
}

/// An open file that appends bytes; confined to one thread at a time.
public protocol FileWriter: AnyObject, Sendable {
    /// The path this writer appends to.
    var path: String { get }
    /// Bytes in the file so far (including what this writer appended).
    var size: Int { get }
    /// Appends `bytes` (a `write(2)` loop: on return every byte reached the kernel).
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// `fsync`s the file.
    func sync() throws
    /// A separately owned handle that can `fsync` this file from another thread, even after `close()`.
    func makeSyncHandle() throws -> FileSyncHandle
    /// Closes the file. Calling any other member afterwards is a programmer error.
    func close() throws
}

/// A duplicated file descriptor whose only job is to make a file durable from a background thread.
public final class FileSyncHandle: Sendable {
    private let descriptor: Int32
    /// The file this handle syncs.
    public let path: String
    private let observer: (@Sendable (String) -> Void)?

    /// Takes ownership of `descriptor` (closed on deinit); `observer` is told the path after each successful sync
    /// (file systems that record the order of syncs use it).
    public init(descriptor: Int32, path: String, observer: (@Sendable (String) -> Void)? = nil) {
        self.descriptor = descriptor
        self.path = path
        self.observer = observer
    }

    /// A second handle on the same file (a duplicated descriptor) that tells `observer` after each sync.
    public func observed(by observer: @escaping @Sendable (String) -> Void) throws -> FileSyncHandle {
        let duplicate = dup(descriptor)
        if duplicate < 0 { throw StateError.system("dup", path: path, errno: errno) }
        return FileSyncHandle(descriptor: duplicate, path: path, observer: observer)
    }

    /// `fsync`s the file.
    public func sync() throws {
        if fsync(descriptor) != 0 { throw StateError.system("fsync", path: path, errno: errno) }
        observer?(path)
    }

    deinit { _ = Glibc.close(descriptor) }
}

extension FileSystem {
    /// Replaces the file at `path` with `bytes` so that a reader sees either the old or the new content,
    /// never a mix, even across a crash: write a temporary file, `fsync` it, rename it over `path`, `fsync`
    /// the directory. O(bytes).
    public func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp"
        do {
            try writeFile(at: temporary, bytes: bytes, sync: true)
            try rename(from: temporary, to: path)
        } catch {
            try? removeItem(at: temporary)
            throw error
        }
        try syncDirectory(at: parentDirectory(of: path))
    }
}

extension FileSystem {
    /// Creates the folder at `path` and any missing parents, `fsync`ing each new folder's parent so that the new
    /// entries survive a power loss (a crash of the process alone never loses them: the page cache survives it).
    /// Succeeds when the folder exists. O(depth).
    public func createDirectoryDurably(at path: String) throws {
        if directoryExists(at: path) { return }
        let parent = parentDirectory(of: path)
        if parent != path, !directoryExists(at: parent) { try createDirectoryDurably(at: parent) }
        try createDirectory(at: path)
        try syncDirectory(at: parent)
    }

    /// Opens `path` for appending like `makeWriter`; when that creates the file, also `fsync`s its folder, so the
    /// new name is durable before any checkpoint that relies on the file commits.
    public func makeDurableWriter(at path: String, truncate: Bool) throws -> any FileWriter {
        let isNew = !itemExists(at: path)
        let writer = try makeWriter(at: path, truncate: truncate)
        if isNew { try syncDirectory(at: parentDirectory(of: path)) }
        return writer
    }
}

/// The folder part of `path` (`.` when there is none).
func parentDirectory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
}

/// `directory/name`.
func joinPath(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

#if canImport(Glibc)
import Glibc
#endif
