#if canImport(Glibc)
import Glibc
#endif

/// The real file system, through POSIX calls.
public struct PosixFileSystem: FileSystem {
    /// Creates the file system accessor.
    public init() {}

    /// True when `stat(2)` succeeds for `path` (following symbolic links).
    public func itemExists(at path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// True when `stat(2)` succeeds and the item is a directory.
    public func directoryExists(at path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates missing parents first, then `mkdir`s `path` with mode 0755; an existing directory is fine.
    public func createDirectory(at path: String) throws {
        if directoryExists(at: path) { return }
        let parent = parentDirectory(of: path)
        if parent != path, parent != ".", parent != "/", !directoryExists(at: parent) {
            try createDirectory(at: parent)
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw StateError.system("mkdir", path: path, errno: errno)
        }
    }

    /// Lists the directory with `readdir`, leaving out `.` and `..`, in the order the system gives.
    public func contentsOfDirectory(at path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw StateError.system("opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))  // d_name is NUL-terminated
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Reads the file in 64 KiB `read(2)` calls until its end, retrying on `EINTR`.
    public func readFile(at path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 { throw StateError.system("open", path: path, errno: errno) }
        defer { _ = close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StateError.system("read", path: path, errno: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// `pread`s up to `count` bytes from `offset` (fewer at the end of the file), retrying on `EINTR`.
    public func readFile(at path: String, offset: Int, count: Int) throws -> [UInt8] {
        precondition(offset >= 0 && count >= 0, "negative offset or count")
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 { throw StateError.system("open", path: path, errno: errno) }
        defer { _ = close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset + done))  // count > done >= 0
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw StateError.system("read", path: path, errno: errno)
            }
            if got == 0 { break }
            done += got
        }
        bytes.removeLast(count - done)
        return bytes
    }

    /// `st_size` from `stat(2)`, in bytes.
    public func fileSize(at path: String) throws -> Int {
        var info = stat()
        if stat(path, &info) != 0 { throw StateError.system("stat", path: path, errno: errno) }
        return Int(info.st_size)
    }

    /// Creates or truncates the file, writes `bytes`, `fsync`s it when `sync` is true, and closes it.
    public func writeFile(at path: String, bytes: [UInt8], sync: Bool) throws {
        let writer = try PosixFileWriter(path: path, truncate: true)
        try bytes.withUnsafeBytes { try writer.write($0) }
        if sync { try writer.sync() }
        try writer.close()
    }

    /// Opens the file with `O_APPEND` (created with mode 0644, emptied when `truncate`) for `write(2)` appends.
    public func makeWriter(at path: String, truncate: Bool) throws -> any FileWriter {
        try PosixFileWriter(path: path, truncate: truncate)
    }

    /// `truncate(2)` to `length` bytes.
    public func truncateFile(at path: String, to length: Int) throws {
        if truncate(path, off_t(length)) != 0 { throw StateError.system("truncate", path: path, errno: errno) }
    }

    /// `rename(2)`: atomic, replacing `destination`.
    public func rename(from source: String, to destination: String) throws {
        if Glibc.rename(source, destination) != 0 {
            throw StateError.system("rename to \(destination)", path: source, errno: errno)
        }
    }

    /// `unlink(2)`s the file; a missing file (`ENOENT`) is not an error.
    public func removeItem(at path: String) throws {
        if unlink(path) != 0 && errno != ENOENT { throw StateError.system("unlink", path: path, errno: errno) }
    }

    /// Opens the directory and `fsync`s it, making renames and creations in it durable.
    public func syncDirectory(at path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor < 0 { throw StateError.system("open directory", path: path, errno: errno) }
        defer { _ = close(descriptor) }
        if fsync(descriptor) != 0 { throw StateError.system("fsync directory", path: path, errno: errno) }
    }
}

/// Appends to a file with `write(2)`.
// @unchecked Sendable: confined to one thread at a time (a sink hands a writer over at a barrier, never shares it).
final class PosixFileWriter: FileWriter, @unchecked Sendable {
    let path: String
    private var descriptor: Int32
    private(set) var size: Int

    init(path: String, truncate: Bool) throws {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0)
        descriptor = open(path, flags, 0o644)
        if descriptor < 0 { throw StateError.system("open for writing", path: path, errno: errno) }
        var info = stat()
        size = fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(descriptor >= 0, "write after close")
        var done = 0
        while done < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)  // count > done >= 0
            if count < 0 {
                if errno == EINTR { continue }
                throw StateError.system("write", path: path, errno: errno)
            }
            done += count
            size += count
        }
    }

    func sync() throws {
        if fsync(descriptor) != 0 { throw StateError.system("fsync", path: path, errno: errno) }
    }

    func makeSyncHandle() throws -> FileSyncHandle {
        let duplicate = dup(descriptor)
        if duplicate < 0 { throw StateError.system("dup", path: path, errno: errno) }
        return FileSyncHandle(descriptor: duplicate, path: path)
    }

    func close() throws {
        guard descriptor >= 0 else { return }
        let result = Glibc.close(descriptor)
        descriptor = -1
        if result != 0 { throw StateError.system("close", path: path, errno: errno) }
    }

    deinit { if descriptor >= 0 { _ = Glibc.close(descriptor) } }
}
