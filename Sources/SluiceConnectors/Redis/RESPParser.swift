/// A RESP2 reply parser: strict, bounded, and never a crash on bad bytes.
///
/// `parse(_:)` reads one complete value from the front of the bytes and says how many it used, or returns nil
/// when the bytes end inside a value (feed more and parse again from the same start). Bytes that cannot be RESP
/// (an unknown type byte, a length that is not a number, a missing `\r\n`, a value past a limit) throw a
/// `RESPParseError` with the offset: the connection is then unusable, because the reply boundaries are lost.
public struct RESPParser: Sendable {
    /// The longest bulk string accepted (Redis' own `proto-max-bulk-len` default is 512 MiB).
    public var maxBulkLength: Int
    /// The most elements one array may announce.
    public var maxArrayCount: Int
    /// How deeply arrays may nest (stream replies nest 4 deep).
    public var maxDepth: Int
    /// The longest status, error or length line.
    public var maxLineLength: Int

    /// Creates a parser with the given limits.
    public init(maxBulkLength: Int = 512 << 20, maxArrayCount: Int = 1 << 24, maxDepth: Int = 32, maxLineLength: Int = 64 << 10) {
        self.maxBulkLength = maxBulkLength
        self.maxArrayCount = maxArrayCount
        self.maxDepth = maxDepth
        self.maxLineLength = maxLineLength
    }

    /// Parses one value from the front of `bytes`.
    ///
    /// Complexity: O(n) in the bytes of the value; a value cut short is parsed again from its start next time.
    /// - Returns: the value and the bytes it used, or nil when `bytes` ends before the value does.
    /// - Throws: `RESPParseError` naming the offset and what was expected.
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(RESPParseError) -> (value: RESPValue, consumed: Int)? {
        var index = 0
        guard let value = try parseValue(bytes, &index, depth: 0) else { return nil }
        return (value, index)
    }

    /// The length of the complete value at the front of `bytes`, or nil when the bytes end inside it; builds no
    /// value. Bytes that are not RESP report nil or a length, and `parse(_:)` then says what is wrong.
    /// Complexity: O(n) in the bytes of the value, no allocation.
    public func completeLength(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        var remaining = 1
        while remaining > 0 {
            guard index < bytes.count else { return nil }
            let type = bytes[index]
            var end = index + 1
            while end < bytes.count && bytes[end] != 10 { end += 1 }
            guard end < bytes.count else { return nil }
            remaining -= 1
            if type == UInt8(ascii: "$") || type == UInt8(ascii: "*") {
                var value = 0
                var negative = false
                var digit = index + 1
                if digit < end, bytes[digit] == UInt8(ascii: "-") {
                    negative = true
                    digit += 1
                }
                while digit < end, bytes[digit] >= 48, bytes[digit] <= 57, value < Int(Int32.max) {
                    value = value * 10 + Int(bytes[digit] - 48)
                    digit += 1
                }
                if !negative && type == UInt8(ascii: "$") {
                    end += value + 2
                    guard end < bytes.count else { return nil }
                } else if !negative {
                    remaining += value
                }
            }
            index = end + 1
        }
        return index
    }

    /// Parses one value from the front of an array of bytes; see `parse(_:)`.
    public func parse(_ bytes: [UInt8]) throws(RESPParseError) -> (value: RESPValue, consumed: Int)? {
        do {
            return try bytes.withUnsafeBytes { raw in try parse(raw) }
        } catch let error as RESPParseError {
            throw error
        } catch {
            // `parse(_:)` throws only RESPParseError.
            throw RESPParseError(message: "\(error)", offset: 0)
        }
    }

    private func parseValue(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, depth: Int) throws(RESPParseError) -> RESPValue? {
        guard index < bytes.count else { return nil }
        let start = index
        let type = bytes[index]
        var cursor = index + 1
        guard let line = try readLine(bytes, &cursor, start: start) else { return nil }
        switch type {
        case UInt8(ascii: "+"):
            index = cursor
            return .simpleString(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[line]), as: UTF8.self))
        case UInt8(ascii: "-"):
            index = cursor
            return .error(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[line]), as: UTF8.self))
        case UInt8(ascii: ":"):
            let value = try integer(bytes, line, at: start)
            index = cursor
            return .integer(value)
        case UInt8(ascii: "$"):
            let length = try integer(bytes, line, at: start)
            if length == -1 {
                index = cursor
                return .bulkString(nil)
            }
            guard length >= 0, length <= maxBulkLength else {
                throw RESPParseError(message: "bulk string length \(length) is outside 0...\(maxBulkLength) (or -1 for null)", offset: start)
            }
            let count = Int(length)
            guard bytes.count - cursor >= count + 2 else { return nil }
            guard bytes[cursor + count] == 13, bytes[cursor + count + 1] == 10 else {
                throw RESPParseError(message: "bulk string of \(count) bytes is not followed by \\r\\n", offset: cursor + count)
            }
            let payload = Array(UnsafeRawBufferPointer(rebasing: bytes[cursor..<(cursor + count)]))
            index = cursor + count + 2
            return .bulkString(payload)
        case UInt8(ascii: "*"):
            let length = try integer(bytes, line, at: start)
            if length == -1 {
                index = cursor
                return .array(nil)
            }
            guard length >= 0, length <= maxArrayCount else {
                throw RESPParseError(message: "array length \(length) is outside 0...\(maxArrayCount) (or -1 for null)", offset: start)
            }
            guard depth < maxDepth else {
                throw RESPParseError(message: "arrays nest deeper than \(maxDepth)", offset: start)
            }
            // Every element takes at least 3 bytes (`+\r\n`): an announced count the bytes cannot hold yet is
            // waited for without reserving memory for it.
            var elements: [RESPValue] = []
            elements.reserveCapacity(min(Int(length), (bytes.count - cursor) / 3))
            for _ in 0..<Int(length) {
                guard let element = try parseValue(bytes, &cursor, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            index = cursor
            return .array(elements)
        default:
            throw RESPParseError(
                message: "unexpected type byte 0x\(String(type, radix: 16)); expected one of + - : $ *", offset: start)
        }
    }

    /// The range of the line after the type byte (without `\r\n`), moving `cursor` past it; nil if incomplete.
    private func readLine(_ bytes: UnsafeRawBufferPointer, _ cursor: inout Int, start: Int) throws(RESPParseError) -> Range<Int>? {
        var index = cursor
        while index < bytes.count {
            if bytes[index] == 13 {
                guard index + 1 < bytes.count else { return nil }
                guard bytes[index + 1] == 10 else {
                    throw RESPParseError(message: "\\r not followed by \\n", offset: index)
                }
                let line = cursor..<index
                cursor = index + 2
                return line
            }
            if bytes[index] == 10 {
                throw RESPParseError(message: "bare \\n inside a line; expected \\r\\n", offset: index)
            }
            index += 1
            if index - cursor > maxLineLength {
                throw RESPParseError(message: "line longer than \(maxLineLength) bytes", offset: start)
            }
        }
        return nil
    }

    private func integer(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>, at start: Int) throws(RESPParseError) -> Int64 {
        var index = line.lowerBound
        var negative = false
        if index < line.upperBound, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < line.upperBound else {
            throw RESPParseError(message: "expected an integer, found an empty line", offset: start)
        }
        var value: Int64 = 0
        while index < line.upperBound {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw RESPParseError(message: "expected an integer, found byte 0x\(String(byte, radix: 16))", offset: index)
            }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else {
                throw RESPParseError(message: "integer does not fit in 64 bits", offset: start)
            }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }
}

/// Bytes from a Redis server that are not a valid RESP2 reply.
public struct RESPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong and what was expected.
    public var message: String
    /// The byte offset, from the start of the value being parsed.
    public var offset: Int

    /// Creates an error.
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// `malformed RESP reply at byte OFFSET: MESSAGE`.
    public var description: String { "malformed RESP reply at byte \(offset): \(message)" }
}
