import Sluice

/// The bytes of a parallel keyed stage's checkpoint (`KeyedStateCheckpoints`): its state per key group, so that a
/// restored run can hand each group to whichever worker owns it, on any number of workers.
///
/// Format: `SKG1`, the key-group count, the number of groups, then per group (ascending) its number, its key count
/// and each key and state as length-prefixed `StateCodable` bytes (keys in first-seen order), then the CRC-32C of
/// everything before it.
public enum KeyGroupSnapshotCoding {
    static let magic: [UInt8] = Array("SKG1".utf8)

    /// Encodes `groups`. O(state).
    public static func encode<Key: StateCodable & Hashable, State: StateCodable>(
        _ groups: [Int: KeyGroupState<Key, State>], keyGroups: KeyGroups
    ) -> [UInt8] {
        var writer = BinaryWriter()
        writer.writeRaw(magic)
        writer.write(UInt32(keyGroups.count))
        writer.write(UInt32(groups.count))
        var value = BinaryWriter()
        for group in groups.keys.sorted() {
            // The key comes from `groups.keys`.
            let state = groups[group]!
            writer.write(UInt32(group))
            writer.write(UInt32(state.count))
            for index in 0..<state.count {
                value.removeAll()
                state.keys[index].encode(into: &value)
                writer.writeBytes(value.bytes)
                value.removeAll()
                state.states[index].encode(into: &value)
                writer.writeBytes(value.bytes)
            }
        }
        writer.write(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    /// Decodes what `encode` wrote. O(state).
    ///
    /// Throws `corruptSnapshot` for damaged bytes (checksum, truncation), for a snapshot taken with another
    /// key-group count, and for a key stored under a group it does not hash to.
    public static func decode<Key: StateCodable & Hashable & StableHashable, State: StateCodable>(
        _ bytes: [UInt8], keyGroups: KeyGroups, as types: (Key.Type, State.Type), path: String? = nil
    ) throws -> [Int: KeyGroupState<Key, State>] {
        guard bytes.count >= magic.count + 12, Array(bytes.prefix(magic.count)) == magic else {
            throw StateError(code: .corruptSnapshot, message: "not a key-group snapshot (no SKG1 header)", path: path)
        }
        var trailer = BinaryReader(bytes, range: (bytes.count - 4)..<bytes.count, path: path)
        let stored = try trailer.readUInt32()
        guard CRC32C.checksum(bytes[0..<(bytes.count - 4)]) == stored else {
            throw StateError(code: .corruptSnapshot, message: "key-group snapshot checksum mismatch", path: path)
        }
        var reader = BinaryReader(bytes, range: magic.count..<(bytes.count - 4), path: path)
        let count = Int(try reader.readUInt32())
        guard count == keyGroups.count else {
            throw reader.fail("the snapshot has \(count) key groups, the stage \(keyGroups.count): key groups are fixed for the life of the state")
        }
        var groups: [Int: KeyGroupState<Key, State>] = [:]
        for _ in 0..<Int(try reader.readUInt32()) {
            let group = Int(try reader.readUInt32())
            guard group < keyGroups.count, groups[group] == nil else { throw reader.fail("key group \(group) is out of range or repeated") }
            var keys: [Key] = []
            var states: [State] = []
            for _ in 0..<Int(try reader.readUInt32()) {
                let keyBytes = try reader.readBytes()
                var keyReader = BinaryReader(keyBytes, path: path)
                let key = try Key(decoding: &keyReader)
                guard keyGroups.group(for: key) == group else {
                    throw reader.fail("key \(key) is stored in key group \(group) but hashes to \(keyGroups.group(for: key))")
                }
                let stateBytes = try reader.readBytes()
                var stateReader = BinaryReader(stateBytes, path: path)
                keys.append(key)
                states.append(try State(decoding: &stateReader))
            }
            guard Set(keys).count == keys.count else { throw reader.fail("key group \(group) lists a key twice") }
            groups[group] = KeyGroupState(keys: keys, states: states)
        }
        if !reader.isAtEnd { throw reader.fail("key-group snapshot has trailing bytes") }
        return groups
    }
}
