/// Appends little-endian integers, byte strings and UTF-8 strings to a growing byte buffer: the encoding
/// of snapshots, spilled state records and journal entries.
public struct BinaryWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Starts an empty buffer with room for `capacity` bytes.
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Drops the content and keeps the capacity, so that a reused writer does not allocate.
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// Appends a byte.
    public mutating func write(_ value: UInt8) { bytes.append(value) }

    /// Appends a 32-bit unsigned integer, little-endian.
    public mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a 64-bit unsigned integer, little-endian.
    public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a 64-bit signed integer, little-endian two's complement.
    public mutating func write(_ value: Int64) { write(UInt64(bitPattern: value)) }

    /// Appends raw bytes with no length prefix.
    public mutating func writeRaw(_ raw: some Collection<UInt8>) { bytes.append(contentsOf: raw) }

    /// Appends a 32-bit length and then the bytes.
    public mutating func writeBytes(_ raw: some Collection<UInt8>) {
        precondition(raw.count <= Int(UInt32.max), "byte string longer than 4 GiB")
        write(UInt32(raw.count))
        bytes.append(contentsOf: raw)
    }

    /// Appends a 32-bit length and then the UTF-8 bytes of `text`.
    public mutating func writeString(_ text: String) { writeBytes(text.utf8) }

    /// Overwrites four bytes at `offset` with `value`, little-endian (for lengths known only later).
    public mutating func patch(_ value: UInt32, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for index in 0..<4 { bytes[offset + index] = raw[index] }
        }
    }
}
