/// Keyed state for one stage: get, put, remove and iterate values by string key, with byte-size
/// accounting and cheap snapshots.
///
/// A backend belongs to one stage and is used from one thread at a time (it is not `Sendable`). Its
/// snapshot is `Sendable`: the stage captures it at a checkpoint barrier, and a background writer
/// serializes it while the stage keeps mutating the live state.
///
/// Implementations: `InMemoryStateBackend` (a dictionary), `MappedFileStateBackend` (an append log in a
/// memory-mapped file), `SpillingStateBackend` (RAM, then a memory-mapped file, then a disk file).
public protocol StateBackend<Value>: AnyObject {
    /// The type of the values.
    associatedtype Value: StateCodable

    /// A short name for metrics and reports (`memory`, `mmap`, `spill`).
    var kind: String { get }
    /// The number of keys. O(1).
    var count: Int { get }
    /// Live logical bytes: UTF-8 key bytes plus encoded value bytes of every live entry, the figure
    /// reported as `state_size_bytes`. Superseded records not yet compacted are not counted. O(1).
    var stateSizeBytes: Int { get }
    /// The value for `key`, or nil. O(1) expected (plus a decode for file-backed tiers).
    func value(forKey key: String) throws -> Value?
    /// Sets the value for `key`. O(1) amortized; may spill or compact (O(live entries)) at a threshold.
    func setValue(_ value: Value, forKey key: String) throws
    /// Removes `key`; returns whether it was there. O(1) expected.
    @discardableResult func removeValue(forKey key: String) throws -> Bool
    /// Calls `body` for every entry, in no particular order. O(count).
    func forEach(_ body: (String, Value) throws -> Void) throws
    /// A consistent, immutable view of the state now. O(1) for memory (copy-on-write), O(index) for the
    /// file-backed tiers, which copy their key → offset index but not the data; later writes do not show in it.
    func makeSnapshot() throws -> StateSnapshot<Value>
    /// Replaces the whole state with `entries`. O(entries).
    func restore(_ entries: [(key: String, value: Value)]) throws
    /// Removes every entry and releases spilled storage. O(count).
    func removeAll() throws
}

extension StateBackend {
    /// Replaces the whole state with the entries of `snapshot`. O(entries).
    public func restore(from snapshot: StateSnapshot<Value>) throws {
        var entries: [(key: String, value: Value)] = []
        entries.reserveCapacity(snapshot.count)
        try snapshot.forEach { entries.append((key: $0, value: $1)) }
        try restore(entries)
    }
}

/// An immutable view of a backend's state at one moment, safe to read from any thread.
public struct StateSnapshot<Value: StateCodable>: Sendable {
    /// The parts (one per tier); a key lives in exactly one part.
    let parts: [StateSnapshotPart<Value>]

    init(parts: [StateSnapshotPart<Value>]) { self.parts = parts }

    /// The number of entries. O(parts).
    public var count: Int { parts.reduce(0) { $0 + $1.count } }

    /// Live logical bytes, as `StateBackend.stateSizeBytes` was when the snapshot was taken. O(parts).
    public var stateSizeBytes: Int { parts.reduce(0) { $0 + $1.stateSizeBytes } }

    /// Calls `body` for every entry, in no particular order. O(count), plus a decode per file-backed entry.
    public func forEach(_ body: (String, Value) throws -> Void) throws {
        for part in parts { try part.forEach(body) }
    }

    /// Appends every entry as `key, encoded value` length-prefixed pairs (the checkpoint image). O(count).
    public func encodeEntries(into writer: inout BinaryWriter) throws {
        writer.write(UInt64(count))
        try forEach { key, value in
            writer.writeString(key)
            // Encode in place behind a length patched afterwards: no scratch buffer, no second copy.
            let lengthAt = writer.bytes.count
            writer.write(UInt32(0))
            value.encode(into: &writer)
            writer.patch(UInt32(writer.bytes.count - lengthAt - 4), at: lengthAt)
        }
    }

    /// Decodes what `encodeEntries(into:)` wrote. O(count).
    public static func decodeEntries(from reader: inout BinaryReader) throws -> [(key: String, value: Value)] {
        let count = try reader.readUInt64()
        guard count <= UInt64(reader.remaining / 8) else { throw reader.fail("entry count \(count) exceeds the data") }
        var entries: [(key: String, value: Value)] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            let key = try reader.readString()
            let raw = try reader.readBytes()
            var valueReader = BinaryReader(raw)
            let value = try Value(decoding: &valueReader)
            if !valueReader.isAtEnd { throw reader.fail("state value for key \(key) has trailing bytes") }
            entries.append((key: key, value: value))
        }
        return entries
    }
}

/// One tier's part of a snapshot.
enum StateSnapshotPart<Value: StateCodable>: Sendable {
    case memory([String: Value], bytes: Int)
    case log(LogSnapshot)

    var count: Int {
        switch self {
        case .memory(let entries, _): entries.count
        case .log(let log): log.index.count
        }
    }

    var stateSizeBytes: Int {
        switch self {
        case .memory(_, let bytes): bytes
        case .log(let log): log.liveBytes
        }
    }

    func forEach(_ body: (String, Value) throws -> Void) throws {
        switch self {
        case .memory(let entries, _):
            for (key, value) in entries { try body(key, value) }
        case .log(let log):
            for (key, location) in log.index {
                try body(key, try log.reader.decodeValue(Value.self, recordAt: location.offset))
            }
        }
    }
}
