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
    public func encode(into writer: inout BinaryWriter) { writer.writeRaw(self) }
    public init(decoding reader: inout BinaryReader) throws { self = Array(try reader.readRaw(count: reader.remaining)) }
    public var encodedByteCount: Int { count }
}

extension Int64: StateCodable {
    public func encode(into writer: inout BinaryWriter) { writer.write(self) }
    public init(decoding reader: inout BinaryReader) throws { self = try reader.readInt64() }
    public var encodedByteCount: Int { 8 }
}

extension String: StateCodable {
    public func encode(into writer: inout BinaryWriter) { writer.writeRaw(utf8) }
    public init(decoding reader: inout BinaryReader) throws {
        let raw = try reader.readRaw(count: reader.remaining)
        guard let text = String(validating: raw, as: UTF8.self) else { throw reader.fail("invalid UTF-8 state value") }
        self = text
    }
    public var encodedByteCount: Int { utf8.count }
}
