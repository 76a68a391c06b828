import Sluice

/// One chunk of an incremental snapshot: the entries of one key group, either all of them (a base chunk) or
/// the ones that changed since the previous snapshot (a delta chunk, where a missing value is a removal).
///
/// Encoding: `u32 group`, `u8 kind`, `u64 count`, then per entry the key (length-prefixed), a `u8` presence flag
/// and, when present, the value (length-prefixed). A chunk is identified in the manifest by where it lives (data
/// file, offset, length) and checked by its CRC-32C.
enum SnapshotChunk {
    enum Kind: UInt8 {
        case base = 0
        case delta = 1
    }

    /// The key group of `key` among `groupCount`: the engine's stable key hash and key groups (`KeyGroups`), the
    /// same in every process and the same grouping the partitioned stages keep their state in.
    static func group(of key: String, groupCount: Int) -> Int {
        KeyGroups(count: groupCount).group(for: key)
    }

    static func encode<Value: StateCodable>(
        group: Int, kind: Kind, entries: [(key: String, value: Value?)], into writer: inout BinaryWriter
    ) {
        writer.write(UInt32(group))
        writer.write(kind.rawValue)
        writer.write(UInt64(entries.count))
        for (key, value) in entries {
            writer.writeString(key)
            guard let value else {
                writer.write(UInt8(0))
                continue
            }
            writer.write(UInt8(1))
            let lengthAt = writer.bytes.count
            writer.write(UInt32(0))
            value.encode(into: &writer)
            writer.patch(UInt32(writer.bytes.count - lengthAt - 4), at: lengthAt)
        }
    }

    /// Applies a decoded chunk to `state`: a base replaces the group's entries, a delta updates and removes.
    static func apply<Value: StateCodable>(
        _ bytes: [UInt8], expectedGroup: Int, to state: inout [String: Value], path: String
    ) throws {
        var reader = BinaryReader(bytes, errorCode: .corruptSnapshot, path: path)
        let group = try reader.readUInt32()
        guard Int(group) == expectedGroup, let kind = Kind(rawValue: try reader.readUInt8()) else {
            throw reader.fail("chunk header names group \(group), expected \(expectedGroup)")
        }
        _ = kind
        let count = try reader.readUInt64()
        guard count <= UInt64(reader.remaining) else { throw reader.fail("entry count \(count) exceeds the chunk") }
        for _ in 0..<count {
            let key = try reader.readString()
            if try reader.readUInt8() == 0 {
                state.removeValue(forKey: key)
                continue
            }
            var valueReader = BinaryReader(try reader.readBytes(), errorCode: .corruptSnapshot, path: path)
            state[key] = try Value(decoding: &valueReader)
            if !valueReader.isAtEnd { throw reader.fail("state value for key \(key) has trailing bytes") }
        }
        if !reader.isAtEnd { throw reader.fail("chunk of group \(group) has trailing bytes") }
    }
}
