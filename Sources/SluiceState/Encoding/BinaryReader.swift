/// Reads what `BinaryWriter` wrote; every read checks bounds and throws `corruptSnapshot` (or the code the
/// caller chose) instead of trapping on short or damaged input.
public struct BinaryReader {
    private let bytes: [UInt8]
    /// The next byte to read.
    public private(set) var position: Int
    private let end: Int
    private let errorCode: StateError.Code
    private let path: String?

    /// Reads `bytes[range]`; damaged input throws `StateError(code: errorCode, path: path)`.
    public init(
        _ bytes: [UInt8], range: Range<Int>? = nil, errorCode: StateError.Code = .corruptSnapshot, path: String? = nil
    ) {
        self.bytes = bytes
        let range = range ?? 0..<bytes.count
        position = range.lowerBound
        end = range.upperBound
        self.errorCode = errorCode
        self.path = path
    }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { position >= end }

    /// The bytes left.
    public var remaining: Int { end - position }

    private mutating func take(_ count: Int) throws -> Int {
        guard count >= 0, end - position >= count else {
            throw StateError(
                code: errorCode, message: "truncated data: needed \(count) bytes at offset \(position)", path: path)
        }
        defer { position += count }
        return position
    }

    /// Reads a byte.
    public mutating func readUInt8() throws -> UInt8 { bytes[try take(1)] }

    /// Reads a little-endian 32-bit unsigned integer.
    public mutating func readUInt32() throws -> UInt32 {
        let start = try take(4)
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[start + index]) << (8 * index) }
        return value
    }

    /// Reads a little-endian 64-bit unsigned integer.
    public mutating func readUInt64() throws -> UInt64 {
        let start = try take(8)
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[start + index]) << (8 * index) }
        return value
    }

    /// Reads a little-endian 64-bit signed integer.
    public mutating func readInt64() throws -> Int64 { Int64(bitPattern: try readUInt64()) }

    /// Reads `count` raw bytes.
    public mutating func readRaw(count: Int) throws -> ArraySlice<UInt8> {
        let start = try take(count)
        return bytes[start..<start + count]
    }

    /// Reads a 32-bit length, then that many bytes.
    public mutating func readBytes() throws -> [UInt8] {
        let count = Int(try readUInt32())
        return Array(try readRaw(count: count))
    }

    /// Reads a 32-bit length, then that many bytes of UTF-8.
    public mutating func readString() throws -> String {
        let count = Int(try readUInt32())
        let raw = try readRaw(count: count)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw StateError(code: errorCode, message: "invalid UTF-8 in a string at offset \(position - count)", path: path)
        }
        return text
    }

    /// Throws the reader's error with `message`.
    public func fail(_ message: String) -> StateError { StateError(code: errorCode, message: message, path: path) }
}
