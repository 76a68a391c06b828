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

    /// `mmap`.
    public var kind: String { "mmap" }
    /// Keys in the in-memory index.
    public var count: Int { store.count }
    /// UTF-8 key bytes plus encoded value bytes of the live records; dead records are not counted.
    public var stateSizeBytes: Int { store.liveBytes }
    /// Bytes the mapping occupies (live, dead and free space).
    public var storageBytes: Int { store.storage.storageBytes }
    /// Compactions run so far.
    public var compactionCount: Int { store.compactions }

    /// Looks `key` up in the index and decodes its record from the mapping; nil when absent.
    public func value(forKey key: String) throws -> Value? { try store.value(forKey: key) }
    /// Appends a record to the mapped log (growing the file as needed) and points the index at it; may compact.
    public func setValue(_ value: Value, forKey key: String) throws { try store.setValue(value, forKey: key) }
    /// Drops `key` from the index (its record becomes dead bytes); may compact. False when it was not there.
    @discardableResult public func removeValue(forKey key: String) throws -> Bool {
        try store.removeValue(forKey: key)
    }
    /// Decodes and passes every live record, in index order (unspecified).
    public func forEach(_ body: (String, Value) throws -> Void) throws { try store.forEach(body) }
    /// The index (copy-on-write) and a reader of the current mapping; no record is copied.
    public func makeSnapshot() -> StateSnapshot<Value> { StateSnapshot(parts: [.log(store.makeSnapshot())]) }

    /// Replaces the log with fresh storage holding `entries`, written in one append.
    public func restore(_ entries: [(key: String, value: Value)]) throws {
        try store.removeAll()
        try store.setValues(entries)
    }

    /// Replaces the log with fresh, empty storage; the old mapping goes when no snapshot reads it any more.
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
