/// Where one chunk of an incremental snapshot lives and what its bytes must hash to.
public struct ChunkReference: Hashable, Sendable {
    /// The key group the chunk belongs to.
    public var group: Int
    /// Whether the chunk holds the whole group (`true`) or the changes since the previous chunk of the group.
    public var isBase: Bool
    /// The snapshot whose data file holds the chunk (`chunks-<id>.dat`): an earlier one for a reused chunk.
    public var fileID: UInt64
    /// Byte offset of the chunk in that file.
    public var offset: Int
    /// The chunk's length in bytes.
    public var length: Int
    /// The CRC-32C of the chunk's bytes.
    public var checksum: UInt32
}

/// The manifest of one incremental snapshot: every key group's chain of chunks (a base, then deltas in order).
///
/// Text form (`snapshot-<id>.manifest`): a version line, `snapshot <id> groups <n>`, one line per chunk, and a
/// checksum line over everything before it:
///
/// ```
/// sluice-incremental 1
/// snapshot 7 groups 128
/// chunk 0 base 1 0 5230 0a1b2c3d
/// chunk 0 delta 7 0 310 11223344
/// crc32c 89abcdef
/// ```
public struct ChunkManifest: Hashable, Sendable {
    static let header = "sluice-incremental 1"

    /// The snapshot id.
    public var id: UInt64
    /// The number of key groups.
    public var groupCount: Int
    /// Per key group, its chunks in apply order (a base first).
    public var chains: [[ChunkReference]]

    /// Every chunk, group by group.
    public var chunks: [ChunkReference] { chains.flatMap { $0 } }

    func encode() -> [UInt8] {
        var text = Self.header + "\nsnapshot \(id) groups \(groupCount)\n"
        for chunk in chunks {
            text += "chunk \(chunk.group) \(chunk.isBase ? "base" : "delta") \(chunk.fileID) \(chunk.offset) \(chunk.length) \(hex(chunk.checksum))\n"
        }
        var bytes = Array(text.utf8)
        bytes.append(contentsOf: Array("crc32c \(hex(CRC32C.checksum(bytes)))\n".utf8))
        return bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> ChunkManifest {
        func corrupt(_ message: String) -> StateError {
            StateError(code: .corruptCatalog, message: "incremental manifest: \(message)", path: path)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw corrupt("not UTF-8") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.first == header else { throw corrupt("missing the `\(header)` line") }
        guard lines.count >= 3, let last = lines.last, last.hasPrefix("crc32c ") else {
            throw corrupt("missing the checksum line (truncated?)")
        }
        let bodyLength = bytes.count - last.utf8.count - 1
        guard bodyLength >= 0, hex(CRC32C.checksum(bytes[0..<bodyLength])) == String(last.dropFirst(7)) else {
            throw corrupt("checksum mismatch")
        }
        let head = lines[1].split(separator: " ")
        guard head.count == 4, head[0] == "snapshot", head[2] == "groups", let id = UInt64(head[1]),
            let groupCount = Int(head[3]), groupCount > 0
        else { throw corrupt("line 2 is malformed: \(lines[1])") }
        var chains = Array(repeating: [ChunkReference](), count: groupCount)
        for (number, line) in lines.dropFirst(2).dropLast().enumerated() {
            let fields = line.split(separator: " ")
            guard fields.count == 7, fields[0] == "chunk", let group = Int(fields[1]), group >= 0, group < groupCount,
                fields[2] == "base" || fields[2] == "delta", let file = UInt64(fields[3]), let offset = Int(fields[4]),
                let length = Int(fields[5]), let checksum = UInt32(fields[6], radix: 16)
            else { throw corrupt("line \(number + 3) is malformed: \(line)") }
            chains[group].append(
                ChunkReference(
                    group: group, isBase: fields[2] == "base", fileID: file, offset: offset, length: length,
                    checksum: checksum))
        }
        return ChunkManifest(id: id, groupCount: groupCount, chains: chains)
    }
}
