/// One checkpoint listed in a catalog's manifest.
public struct CatalogEntry: Hashable, Sendable {
    /// The checkpoint id.
    public var id: UInt64
    /// The checkpoint it follows, or nil for the first of a chain.
    public var parentID: UInt64?
    /// The snapshot file's name inside the catalog folder.
    public var fileName: String
    /// The snapshot file's size in bytes.
    public var byteCount: Int
    /// The CRC-32C of the snapshot's payload, as its header stores it (the header has its own checksum).
    public var checksum: UInt32

    /// Creates an entry.
    public init(id: UInt64, parentID: UInt64?, fileName: String, byteCount: Int, checksum: UInt32) {
        self.id = id
        self.parentID = parentID
        self.fileName = fileName
        self.byteCount = byteCount
        self.checksum = checksum
    }
}

/// The manifest's text form: a version line, one line per checkpoint (oldest first), a checksum line.
///
/// ```
/// sluice-checkpoints 1
/// checkpoint 7 parent 6 file checkpoint-00000000000000000007.snap bytes 1234 crc32c 0a1b2c3d
/// crc32c 89abcdef
/// ```
enum CatalogManifest {
    static let header = "sluice-checkpoints 1"

    static func encode(_ entries: [CatalogEntry]) -> [UInt8] {
        var text = header + "\n"
        for entry in entries {
            let parent = entry.parentID.map { String($0) } ?? "-"
            text +=
                "checkpoint \(entry.id) parent \(parent) file \(entry.fileName) bytes \(entry.byteCount) crc32c \(hex(entry.checksum))\n"
        }
        var bytes = Array(text.utf8)
        bytes.append(contentsOf: Array("crc32c \(hex(CRC32C.checksum(bytes)))\n".utf8))
        return bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> [CatalogEntry] {
        func corrupt(_ message: String) -> StateError {
            StateError(code: .corruptCatalog, message: "manifest: \(message)", path: path)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw corrupt("not UTF-8") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.first == header else {
            if let first = lines.first, first.hasPrefix("sluice-checkpoints ") {
                throw StateError(code: .unsupportedFormat, message: "manifest version \(first.dropFirst(19))", path: path)
            }
            throw corrupt("missing the `\(header)` line")
        }
        guard let last = lines.last, last.hasPrefix("crc32c "), lines.count >= 2 else {
            throw corrupt("missing the checksum line (truncated?)")
        }
        let bodyLength = bytes.count - last.utf8.count - 1
        guard bodyLength >= 0, hex(CRC32C.checksum(bytes[0..<bodyLength])) == String(last.dropFirst(7)) else {
            throw corrupt("checksum mismatch")
        }
        var entries: [CatalogEntry] = []
        for (number, line) in lines.dropFirst().dropLast().enumerated() {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 10, fields[0] == "checkpoint", fields[2] == "parent", fields[4] == "file",
                fields[6] == "bytes", fields[8] == "crc32c", let id = UInt64(fields[1]),
                let bytes = Int(fields[7]), let checksum = UInt32(fields[9], radix: 16)
            else { throw corrupt("line \(number + 2) is malformed: \(line)") }
            let parent: UInt64? = fields[3] == "-" ? nil : UInt64(fields[3])
            if fields[3] != "-" && parent == nil { throw corrupt("line \(number + 2) has a bad parent id") }
            entries.append(
                CatalogEntry(id: id, parentID: parent, fileName: fields[5], byteCount: bytes, checksum: checksum))
        }
        return entries
    }
}
