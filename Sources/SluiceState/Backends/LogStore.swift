/// Keyed state in an append log plus an in-memory index (key → record offset): the engine of the mmap
/// and disk tiers.
///
/// A write appends a record and points the index at it; the older record becomes dead bytes. When dead
/// bytes pass both `compactionMinimumBytes` and the live record bytes, `compactIfNeeded()` rewrites the live
/// records into fresh storage, dropping superseded ones (O(live records)).
final class LogStore<Value: StateCodable> {
    private(set) var storage: any LogStorage
    private let makeStorage: () throws -> any LogStorage
    private(set) var index: [String: LogLocation] = [:]
    /// Logical bytes (key + value) of live entries.
    private(set) var liveBytes = 0
    /// Storage bytes (with headers) of live records.
    private(set) var liveRecordBytes = 0
    /// Storage bytes of superseded or removed records.
    private(set) var deadBytes = 0
    /// Compactions so far.
    private(set) var compactions = 0
    let compactionMinimumBytes: Int
    private var scratch = BinaryWriter(capacity: 256)

    init(compactionMinimumBytes: Int = 1 << 16, makeStorage: @escaping () throws -> any LogStorage) throws {
        self.compactionMinimumBytes = compactionMinimumBytes
        self.makeStorage = makeStorage
        storage = try makeStorage()
    }

    var count: Int { index.count }

    func value(forKey key: String) throws -> Value? {
        guard let location = index[key] else { return nil }
        return try storage.makeReader().decodeValue(Value.self, recordAt: location.offset)
    }

    func contains(_ key: String) -> Bool { index[key] != nil }

    private static func encodeRecord(key: String, value: Value, into writer: inout BinaryWriter) -> (Int, Int) {
        let start = writer.bytes.count
        writer.write(UInt32(key.utf8.count))
        writer.write(UInt32(0))
        writer.writeRaw(key.utf8)
        let valueStart = writer.bytes.count
        value.encode(into: &writer)
        let valueLength = writer.bytes.count - valueStart
        writer.patch(UInt32(valueLength), at: start + 4)
        return (writer.bytes.count - start, key.utf8.count + valueLength)
    }

    private func forget(_ key: String) throws {
        guard let location = index.removeValue(forKey: key) else { return }
        let logical = key.utf8.count + location.valueLength
        liveBytes -= logical
        liveRecordBytes -= logical + logRecordHeaderSize
        deadBytes += logical + logRecordHeaderSize
    }

    func setValue(_ value: Value, forKey key: String) throws {
        scratch.removeAll()
        let (recordBytes, logical) = Self.encodeRecord(key: key, value: value, into: &scratch)
        let offset = try scratch.bytes.withUnsafeBytes { try storage.append($0) }
        try forget(key)
        index[key] = LogLocation(offset: offset, valueLength: logical - key.utf8.count)
        liveBytes += logical
        liveRecordBytes += recordBytes
        try compactIfNeeded()
    }

    /// Appends many entries with one write. O(entries).
    func setValues(_ entries: some Sequence<(key: String, value: Value)>) throws {
        var batch = BinaryWriter(capacity: 1 << 16)
        var placed: [(String, Int, Int, Int)] = []
        for (key, value) in entries {
            let start = batch.bytes.count
            let (recordBytes, logical) = Self.encodeRecord(key: key, value: value, into: &batch)
            placed.append((key, start, recordBytes, logical))
        }
        if placed.isEmpty { return }
        let base = try batch.bytes.withUnsafeBytes { try storage.append($0) }
        for (key, start, recordBytes, logical) in placed {
            try forget(key)
            index[key] = LogLocation(offset: base + start, valueLength: logical - key.utf8.count)
            liveBytes += logical
            liveRecordBytes += recordBytes
        }
        try compactIfNeeded()
    }

    @discardableResult func removeValue(forKey key: String) throws -> Bool {
        guard index[key] != nil else { return false }
        try forget(key)
        try compactIfNeeded()
        return true
    }

    func compactIfNeeded() throws {
        if deadBytes >= compactionMinimumBytes && deadBytes > liveRecordBytes { try compact() }
    }

    /// Rewrites the live records into new storage, dropping dead ones. O(live records).
    func compact() throws {
        let reader = storage.makeReader()
        let fresh = try makeStorage()
        var batch = BinaryWriter(capacity: liveRecordBytes)
        var newIndex: [String: LogLocation] = [:]
        newIndex.reserveCapacity(index.count)
        for (key, location) in index {
            newIndex[key] = LogLocation(offset: batch.bytes.count, valueLength: location.valueLength)
            batch.writeRaw(try reader.copyRecord(at: location.offset))
        }
        if !batch.bytes.isEmpty { _ = try batch.bytes.withUnsafeBytes { try fresh.append($0) } }
        storage = fresh
        index = newIndex
        deadBytes = 0
        compactions += 1
    }

    /// Every live entry, decoded. O(count).
    func forEach(_ body: (String, Value) throws -> Void) throws {
        let reader = storage.makeReader()
        for (key, location) in index {
            try body(key, try reader.decodeValue(Value.self, recordAt: location.offset))
        }
    }

    /// Every live entry, then empties the store and releases its file. O(count).
    func drain() throws -> [(key: String, value: Value)] {
        var entries: [(key: String, value: Value)] = []
        entries.reserveCapacity(index.count)
        try forEach { entries.append((key: $0, value: $1)) }
        try removeAll()
        return entries
    }

    func removeAll() throws {
        storage = try makeStorage()
        index = [:]
        liveBytes = 0
        liveRecordBytes = 0
        deadBytes = 0
    }

    func makeSnapshot() -> LogSnapshot {
        LogSnapshot(index: index, reader: storage.makeReader(), liveBytes: liveBytes)
    }
}

/// An immutable view of a log store: its index (copy-on-write) and a reader of its bytes.
struct LogSnapshot: Sendable {
    let index: [String: LogLocation]
    let reader: any LogReader
    let liveBytes: Int
}

/// Where a live record is, and how long its value is (so that forgetting it needs no read).
struct LogLocation: Sendable {
    var offset: Int
    var valueLength: Int
}
