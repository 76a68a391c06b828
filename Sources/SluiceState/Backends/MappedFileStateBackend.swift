/// Keyed state in an append log inside a memory-mapped file, with the key → offset index in memory.
///
/// Values live outside the Swift heap, so state can exceed what the heap comfortably holds while reads stay
/// memory-speed (the kernel pages the file). The file grows by doubling (`posix_fallocate`, then a new
/// mapping: a full disk is a `diskFull` error, never a `SIGBUS`), and is compacted when superseded records
/// outweigh live ones. The file is scratch space, unlinked at creation: durability comes from checkpoints.
public final class MappedFileStateBackend<Value: StateCodable>: StateBackend {
    let store: LogStore<Value>

    /// Creates an empty state whose file lives in `directory` (default: `$TMPDIR` or `/tmp`).
    ///
    /// - Parameters:
    ///   - initialCapacity: the first mapping's size in bytes; it doubles as needed.
    ///   - compactionMinimumBytes: dead bytes below this never trigger a compaction.
    public init(
        directory: String = defaultScratchDirectory(), initialCapacity: Int = 1 << 16,
        compactionMinimumBytes: Int = 1 << 16
    ) throws {
        store = try LogStore(compactionMinimumBytes: compactionMinimumBytes) {
            try MappedLogStorage(directory: directory, initialCapacity: initialCapacity)
        }
    }

    public var kind: String { "mmap" }
    public var count: Int { store.count }
    public var stateSizeBytes: Int { store.liveBytes }
    /// Bytes the mapping occupies (live, dead and free space).
    public var storageBytes: Int { store.storage.storageBytes }
    /// Compactions run so far.
    public var compactionCount: Int { store.compactions }

    public func value(forKey key: String) throws -> Value? { try store.value(forKey: key) }
    public func setValue(_ value: Value, forKey key: String) throws { try store.setValue(value, forKey: key) }
    @discardableResult public func removeValue(forKey key: String) throws -> Bool {
        try store.removeValue(forKey: key)
    }
    public func forEach(_ body: (String, Value) throws -> Void) throws { try store.forEach(body) }
    public func makeSnapshot() -> StateSnapshot<Value> { StateSnapshot(parts: [.log(store.makeSnapshot())]) }

    public func restore(_ entries: [(key: String, value: Value)]) throws {
        try store.removeAll()
        try store.setValues(entries)
    }

    public func removeAll() throws { try store.removeAll() }
}

/// `$TMPDIR` when set, else `/tmp`.
public func defaultScratchDirectory() -> String {
    if let value = getenv("TMPDIR") {
        let text = String(cString: value)
        if !text.isEmpty { return text }
    }
    return "/tmp"
}

#if canImport(Glibc)
import Glibc
#endif
