/// A value that keyed state can hold: it encodes itself to bytes for spilling and snapshots.
///
/// The in-memory backend keeps values as they are (no encoding on the hot path); file-backed tiers and
/// snapshots store `encode(into:)`'s bytes and decode them with `init(decoding:)`.
public protocol StateCodable: Sendable {
    /// Appends the value's bytes.
    func encode(into writer: inout BinaryWriter)
    /// Decodes a value from exactly the bytes `encode(into:)` wrote; throws on damaged bytes.
    init(decoding reader: inout BinaryReader) throws
    /// The size `encode(into:)` writes, used for `state_size_bytes` and spill thresholds. O(1).
    var encodedByteCount: Int { get }
}

extension Array: StateCodable where Element == UInt8 {
    /// Appends the bytes as they are, with no length prefix.
    public func encode(into writer: inout BinaryWriter) { writer.writeRaw(self) }
    /// Takes every byte left in the reader.
    public init(decoding reader: inout BinaryReader) throws { self = Array(try reader.readRaw(count: reader.remaining)) }
    /// `count`: one byte per element.
    public var encodedByteCount: Int { count }
}

extension Int64: StateCodable {
    /// Appends 8 bytes, little-endian two's complement.
    public func encode(into writer: inout BinaryWriter) { writer.write(self) }
    /// Reads 8 bytes, little-endian; throws when fewer are left.
    public init(decoding reader: inout BinaryReader) throws { self = try reader.readInt64() }
    /// Always 8.
    public var encodedByteCount: Int { 8 }
}

extension String: StateCodable {
    /// Appends the UTF-8 bytes, with no length prefix.
    public func encode(into writer: inout BinaryWriter) { writer.writeRaw(utf8) }
    /// Takes every byte left in the reader; throws when they are not valid UTF-8.
    public init(decoding reader: inout BinaryReader) throws {
        let raw = try reader.readRaw(count: reader.remaining)
        guard let text = String(validating: raw, as: UTF8.self) else { throw reader.fail("invalid UTF-8 state value") }
        self = text
    }
    /// The UTF-8 byte count.
    public var encodedByteCount: Int { utf8.count }
}
