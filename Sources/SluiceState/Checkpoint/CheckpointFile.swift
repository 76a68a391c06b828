/// The on-disk format of one checkpoint (format version 1).
///
/// ```
/// 0   8 bytes  magic "SLUICECK"
/// 8   u32      format version
/// 12  u64      checkpoint id
/// 20  u64      parent id (0: none)
/// 28  u64      payload length
/// 36  u32      CRC-32C of the payload
/// 40  u32      CRC-32C of bytes 0..<40
/// 44  payload: u32 source count, then (string name, u64 next sequence, u64 byte offset) each;
///              u32 stage count, then (string name, u32 length, entries) each;
///              u32 metadata count, then (string, string) each
/// ```
/// Integers are little-endian; strings are a u32 length and UTF-8 bytes.
public enum CheckpointFile {
    static let magic: [UInt8] = Array("SLUICECK".utf8)
    static let headerSize = 44

    /// Serializes `capture` (encoding every stage's state). O(state size).
    public static func encode(_ capture: CheckpointCapture) throws -> [UInt8] {
        var payload = BinaryWriter(capacity: 1 << 12)
        payload.write(UInt32(capture.sources.count))
        for source in capture.sources {
            payload.writeString(source.source)
            payload.write(source.nextSequence)
            payload.write(source.byteOffset)
        }
        payload.write(UInt32(capture.stages.count))
        for stage in capture.stages {
            payload.writeString(stage.name)
            let lengthAt = payload.bytes.count
            payload.write(UInt32(0))
            try stage.encode(&payload)
            let length = payload.bytes.count - lengthAt - 4
            guard length <= Int(UInt32.max) else {
                throw StateError(code: .unsupportedFormat, message: "stage \(stage.name) state exceeds 4 GiB")
            }
            payload.patch(UInt32(length), at: lengthAt)
        }
        payload.write(UInt32(capture.metadata.count))
        for (key, value) in capture.metadata.sorted(by: { $0.key < $1.key }) {
            payload.writeString(key)
            payload.writeString(value)
        }
        var file = BinaryWriter(capacity: headerSize + payload.bytes.count)
        file.writeRaw(magic)
        file.write(UInt32(SluiceStateInfo.formatVersion))
        file.write(capture.id)
        file.write(capture.parentID ?? 0)
        file.write(UInt64(payload.bytes.count))
        file.write(CRC32C.checksum(payload.bytes))
        file.write(CRC32C.checksum(file.bytes))
        file.writeRaw(payload.bytes)
        return file.bytes
    }

    /// The payload checksum stored in the header of an encoded checkpoint (not verified), or nil when
    /// `bytes` is shorter than a header. O(1).
    public static func storedChecksum(of bytes: [UInt8]) -> UInt32? {
        guard bytes.count >= headerSize else { return nil }
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[36 + $1]) << (8 * $1) }
    }

    /// Parses and verifies a checkpoint file; any damage is a `corruptSnapshot` error naming `path`. O(size).
    public static func decode(_ bytes: [UInt8], path: String? = nil) throws -> CheckpointImage {
        var reader = BinaryReader(bytes, errorCode: .corruptSnapshot, path: path)
        guard bytes.count >= headerSize, Array(bytes[0..<8]) == magic else {
            throw reader.fail("not a Sluice checkpoint (bad magic or shorter than the header)")
        }
        _ = try reader.readRaw(count: 8)
        let version = try reader.readUInt32()
        let id = try reader.readUInt64()
        let parent = try reader.readUInt64()
        let payloadLength = try reader.readUInt64()
        let payloadChecksum = try reader.readUInt32()
        let headerChecksum = try reader.readUInt32()
        guard headerChecksum == CRC32C.checksum(bytes[0..<40]) else {
            throw reader.fail("header checksum mismatch")
        }
        guard version == UInt32(SluiceStateInfo.formatVersion) else {
            throw StateError(
                code: .unsupportedFormat, message: "checkpoint format version \(version) is not supported", path: path)
        }
        guard payloadLength == UInt64(bytes.count - headerSize) else {
            throw reader.fail("payload length \(payloadLength) but \(bytes.count - headerSize) bytes follow the header")
        }
        let actual = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[headerSize...])) }
        guard actual == payloadChecksum else {
            throw reader.fail(
                "payload checksum mismatch (stored \(hex(payloadChecksum)), computed \(hex(actual)))")
        }
        var sources: [SourcePosition] = []
        for _ in 0..<(try reader.readUInt32()) {
            sources.append(
                SourcePosition(
                    source: try reader.readString(), nextSequence: try reader.readUInt64(),
                    byteOffset: try reader.readUInt64()))
        }
        var stages: [String: [UInt8]] = [:]
        for _ in 0..<(try reader.readUInt32()) {
            let name = try reader.readString()
            stages[name] = try reader.readBytes()
        }
        var metadata: [String: String] = [:]
        for _ in 0..<(try reader.readUInt32()) {
            let key = try reader.readString()
            metadata[key] = try reader.readString()
        }
        if !reader.isAtEnd { throw reader.fail("trailing bytes after the payload") }
        return CheckpointImage(
            id: id, parentID: parent == 0 ? nil : parent, sources: sources, stages: stages, metadata: metadata)
    }
}

/// Eight lowercase hex digits.
func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}
