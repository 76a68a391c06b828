import NIOCore

/// One reply from a Redis server, in RESP2 (the protocol a connection speaks until it sends `HELLO 3`).
///
/// Bulk strings are bytes, not `String`: stream entries carry arbitrary payloads. `nil` in `bulkString` and
/// `array` is RESP's null reply (`$-1`, `*-1`), which Redis sends for a missing key or a timed-out blocking read.
public enum RESPValue: Sendable, Hashable {
    /// `+OK`: a status line.
    case simpleString(String)
    /// `-ERR …`: a command failed on the server. Not thrown by the parser: the caller decides.
    case error(String)
    /// `:42`.
    case integer(Int64)
    /// `$3\r\nabc`, or `$-1` (nil).
    case bulkString([UInt8]?)
    /// `*2\r\n…`, or `*-1` (nil).
    case array([RESPValue]?)

    /// The value as text: a simple string, or a bulk string decoded as UTF-8; nil for anything else.
    public var text: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes?): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The value as an integer: an integer reply, or a string of decimal digits.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        default: text.flatMap { Int64($0) }
        }
    }

    /// The elements of a non-null array.
    public var elements: [RESPValue]? {
        if case .array(let elements?) = self { return elements }
        return nil
    }

    /// True for the null bulk string and the null array.
    public var isNull: Bool {
        switch self {
        case .bulkString(nil), .array(nil): true
        default: false
        }
    }

    /// The server's error message, if the value is an error reply.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}

/// One command: its arguments as bytes, sent as a RESP array of bulk strings.
public struct RESPCommand: Sendable, Hashable, CustomStringConvertible {
    /// The arguments, the command's name first.
    public var arguments: [[UInt8]]

    /// A command from text arguments: `RESPCommand("XACK", stream, group, id)`.
    public init(_ arguments: String...) {
        self.arguments = arguments.map { Array($0.utf8) }
    }

    /// A command from arguments already in bytes.
    public init(arguments: [[UInt8]]) {
        self.arguments = arguments
    }

    /// Appends a text argument.
    public mutating func append(_ argument: String) { arguments.append(Array(argument.utf8)) }

    /// Appends a byte argument.
    public mutating func append(bytes: [UInt8]) { arguments.append(bytes) }

    /// The command's name, for error messages.
    public var name: String { arguments.first.map { String(decoding: $0, as: UTF8.self) } ?? "" }

    /// The name and the first argument (a key, usually): enough to say which command failed, without payloads.
    /// A script (`EVAL`) is named by its first key, not by its text; `AUTH` by its name alone (its arguments are
    /// credentials).
    public var description: String {
        if name.uppercased() == "AUTH" { return "AUTH" }
        if name == "EVAL" || name == "EVALSHA" {
            return arguments.count > 3 ? "\(name) script on \(String(decoding: arguments[3].prefix(80), as: UTF8.self))" : "\(name) script"
        }
        return arguments.prefix(2).map { String(decoding: $0.prefix(80), as: UTF8.self) }.joined(separator: " ")
    }

    /// The number of bytes `encode(into:)` appends. O(arguments).
    public var encodedLength: Int {
        var length = 1 + Self.decimalDigits(arguments.count) + 2
        for argument in arguments {
            length += 1 + Self.decimalDigits(argument.count) + 2 + argument.count + 2
        }
        return length
    }

    /// Appends the RESP encoding (`*N\r\n$len\r\narg\r\n…`) to `buffer` in one write of `encodedLength` bytes,
    /// with no intermediate copy. O(total argument length).
    public func encode(into buffer: inout ByteBuffer) {
        let length = encodedLength
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { raw in
            var at = 0
            func byte(_ value: UInt8) {
                raw[at] = value
                at += 1
            }
            func decimal(_ value: Int) {
                let digits = Self.decimalDigits(value)
                var rest = value
                for index in stride(from: at + digits - 1, through: at, by: -1) {
                    raw[index] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                    rest /= 10
                }
                at += digits
            }
            byte(UInt8(ascii: "*"))
            decimal(arguments.count)
            byte(13)
            byte(10)
            for argument in arguments {
                byte(UInt8(ascii: "$"))
                decimal(argument.count)
                byte(13)
                byte(10)
                argument.withUnsafeBytes { bytes in
                    if bytes.count > 0 {
                        UnsafeMutableRawBufferPointer(rebasing: raw[at..<(at + bytes.count)]).copyMemory(from: bytes)
                    }
                }
                at += argument.count
                byte(13)
                byte(10)
            }
            return at
        }
    }

    /// Digits of a non-negative count.
    static func decimalDigits(_ value: Int) -> Int {
        var value = value
        var digits = 1
        while value >= 10 {
            value /= 10
            digits += 1
        }
        return digits
    }

    /// Appends the RESP encoding (`*N\r\n$len\r\narg\r\n…`) to `bytes`. O(total argument length).
    public func encode(into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "*"))
        bytes.append(contentsOf: String(arguments.count).utf8)
        bytes.append(contentsOf: [13, 10])
        for argument in arguments {
            bytes.append(UInt8(ascii: "$"))
            bytes.append(contentsOf: String(argument.count).utf8)
            bytes.append(contentsOf: [13, 10])
            bytes.append(contentsOf: argument)
            bytes.append(contentsOf: [13, 10])
        }
    }
}

extension RESPValue {
    /// The RESP2 encoding of the value (what a server would send). Used by tests and fakes. O(size).
    public func encode(into bytes: inout [UInt8]) {
        func line(_ prefix: Character, _ text: String) {
            bytes.append(contentsOf: String(prefix).utf8)
            bytes.append(contentsOf: text.utf8)
            bytes.append(contentsOf: [13, 10])
        }
        switch self {
        case .simpleString(let text): line("+", text)
        case .error(let text): line("-", text)
        case .integer(let value): line(":", String(value))
        case .bulkString(nil): line("$", "-1")
        case .bulkString(let payload?):
            line("$", String(payload.count))
            bytes.append(contentsOf: payload)
            bytes.append(contentsOf: [13, 10])
        case .array(nil): line("*", "-1")
        case .array(let elements?):
            line("*", String(elements.count))
            for element in elements { element.encode(into: &bytes) }
        }
    }
}
