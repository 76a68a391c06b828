import Synchronization

/// A file system that forwards to another one but can fail like a real disk does: a byte quota that
/// simulates a full device (`diskFull`), and refused path prefixes that simulate missing permissions
/// (`permissionDenied`).
///
/// Tests run as root on the CI machines, where `chmod` does not stop anything, so permission failures are
/// simulated here rather than with file modes. The quota counts every byte written through this instance
/// (file writes and writers); a write that would pass it writes nothing and throws, like `ENOSPC` does
/// for a whole-buffer write.
public final class FaultInjectingFileSystem: FileSystem {
    struct Faults {
        var remainingBytes: Int?
        var refusedPrefixes: [String] = []
        var bytesWritten = 0
    }

    private let base: any FileSystem
    private let faults: Mutex<Faults>

    /// Wraps `base`; `quotaBytes` limits the bytes that may be written from now on (nil: no limit).
    public init(base: any FileSystem = PosixFileSystem(), quotaBytes: Int? = nil) {
        self.base = base
        faults = Mutex(Faults(remainingBytes: quotaBytes))
    }

    /// Sets the bytes that may still be written (nil: no limit).
    public func setQuota(_ bytes: Int?) { faults.withLock { $0.remainingBytes = bytes } }

    /// Refuses every operation on paths starting with `prefix`, as `EACCES` would.
    public func refuseAccess(under prefix: String) { faults.withLock { $0.refusedPrefixes.append(prefix) } }

    /// Lifts every refusal.
    public func allowAll() { faults.withLock { $0.refusedPrefixes.removeAll() } }

    /// Bytes written through this instance so far.
    public var bytesWritten: Int { faults.withLock { $0.bytesWritten } }

    func check(_ path: String) throws {
        let refused = faults.withLock { state in state.refusedPrefixes.contains { path.hasPrefix($0) } }
        if refused { throw StateError.system("access (injected)", path: path, errno: EACCES) }
    }

    func charge(_ count: Int, path: String) throws {
        let allowed = faults.withLock { state -> Bool in
            if let remaining = state.remainingBytes {
                if count > remaining { return false }
                state.remainingBytes = remaining - count
            }
            state.bytesWritten += count
            return true
        }
        if !allowed { throw StateError.system("write (injected quota)", path: path, errno: ENOSPC) }
    }

    /// Forwards to the base file system; refusals do not apply.
    public func itemExists(at path: String) -> Bool { base.itemExists(at: path) }
    /// Forwards to the base file system; refusals do not apply.
    public func directoryExists(at path: String) -> Bool { base.directoryExists(at: path) }

    /// Throws `EACCES` under a refused prefix; otherwise forwards.
    public func createDirectory(at path: String) throws {
        try check(path)
        try base.createDirectory(at: path)
    }

    /// Throws `EACCES` under a refused prefix; otherwise forwards.
    public func contentsOfDirectory(at path: String) throws -> [String] {
        try check(path)
        return try base.contentsOfDirectory(at: path)
    }

    /// Throws `EACCES` under a refused prefix; otherwise forwards.
    public func readFile(at path: String) throws -> [UInt8] {
        try check(path)
        return try base.readFile(at: path)
    }

    /// Throws `EACCES` under a refused prefix; otherwise forwards.
    public func readFile(at path: String, offset: Int, count: Int) throws -> [UInt8] {
        try check(path)
        return try base.readFile(at: path, offset: offset, count: count)
    }

    /// Throws `EACCES` under a refused prefix; otherwise forwards.
    public func fileSize(at path: String) throws -> Int {
        try check(path)
        return try base.fileSize(at: path)
    }

    /// Throws `EACCES` under a refused prefix, or `ENOSPC` (writing nothing) when `bytes` would pass the quota;
    /// otherwise charges them to the quota and forwards.
    public func writeFile(at path: String, bytes: [UInt8], sync: Bool) throws {
        try check(path)
        try charge(bytes.count, path: path)
        try base.writeFile(at: path, bytes: bytes, sync: sync)
    }

    /// Throws `EACCES` under a refused prefix; otherwise wraps the base writer so that each write is checked
    /// and charged to the quota.
    public func makeWriter(at path: String, truncate: Bool) throws -> any FileWriter {
        try check(path)
        return QuotaWriter(base: try base.makeWriter(at: path, truncate: truncate), owner: self)
    }

    /// Throws `EACCES` under a refused prefix; otherwise forwards (not charged to the quota).
    public func truncateFile(at path: String, to length: Int) throws {
        try check(path)
        try base.truncateFile(at: path, to: length)
    }

    /// Throws `EACCES` when either path is under a refused prefix; otherwise forwards.
    public func rename(from source: String, to destination: String) throws {
        try check(source)
        try check(destination)
        try base.rename(from: source, to: destination)
    }

    /// Throws `EACCES` under a refused prefix; otherwise forwards.
    public func removeItem(at path: String) throws {
        try check(path)
        try base.removeItem(at: path)
    }

    /// Throws `EACCES` under a refused prefix; otherwise forwards.
    public func syncDirectory(at path: String) throws {
        try check(path)
        try base.syncDirectory(at: path)
    }
}

/// A writer whose writes are charged against the owning file system's quota.
// @unchecked Sendable: confined like the writer it wraps; `owner` is itself Sendable (Mutex).
final class QuotaWriter: FileWriter, @unchecked Sendable {
    let base: any FileWriter
    let owner: FaultInjectingFileSystem

    init(base: any FileWriter, owner: FaultInjectingFileSystem) {
        self.base = base
        self.owner = owner
    }

    var path: String { base.path }
    var size: Int { base.size }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try owner.check(path)
        try owner.charge(bytes.count, path: path)
        try base.write(bytes)
    }

    func sync() throws { try base.sync() }
    func makeSyncHandle() throws -> FileSyncHandle { try base.makeSyncHandle() }
    func close() throws { try base.close() }
}

#if canImport(Glibc)
import Glibc
#endif
