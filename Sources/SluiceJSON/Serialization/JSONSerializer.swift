/// Writes `JSONValue`s as RFC 8259 JSON text (UTF-8), compact or pretty-printed.
///
/// - Strings: `"` and `\` are escaped, as are all control characters (U+0000–U+001F) — with the short
///   forms `\b \f \n \r \t` where they exist, else `\u00XX`. Everything else is written as UTF-8. A Swift
///   `String` holds only Unicode scalars, so lone surrogates cannot occur.
/// - Numbers: `Int64` exactly; `Double` in its shortest form that reads back to the same value (`1e+300`,
///   `-0.0`, `5e-324`); a big integer as its text, which must be a JSON integer. NaN and infinities are a
///   `JSONSerializationError` (JSON cannot express them), naming the path to the value, unless
///   `nonFiniteNumbers` is `.asJQWrites`.
/// - Objects keep their members in order, duplicates included.
///
/// So parse → serialize → parse gives back an equal value. All members are O(n) in the output size.
public struct JSONSerializer: Sendable {
    /// How the output is laid out.
    public enum Style: Hashable, Sendable {
        /// No whitespace at all.
        case compact
        /// One member or element per line, indented by `indentation` spaces per level, with `": "`
        /// after keys. Empty arrays and objects stay `[]` and `{}`.
        case pretty(indentation: Int)
    }

    /// What to do with a `Double` that JSON cannot express (an infinity, such as a parsed `1e400`, or NaN).
    public enum NonFiniteNumbers: Hashable, Sendable {
        /// Throw a `JSONSerializationError` naming the path (the default).
        case reject
        /// Write them as jq does: an infinity as the largest finite `Double` of its sign
        /// (`1.7976931348623157e+308`), NaN as `null`.
        case asJQWrites
    }

    /// The layout this serializer writes.
    public var style: Style
    /// How infinities and NaN are handled.
    public var nonFiniteNumbers: NonFiniteNumbers

    /// Creates a serializer; `indentation` of a pretty style must not be negative.
    public init(style: Style = .compact, nonFiniteNumbers: NonFiniteNumbers = .reject) {
        if case .pretty(let indentation) = style { precondition(indentation >= 0, "indentation must be >= 0") }
        self.style = style
        self.nonFiniteNumbers = nonFiniteNumbers
    }

    /// The JSON text of `value`.
    public func serialize(_ value: JSONValue) throws(JSONSerializationError) -> [UInt8] {
        var output: [UInt8] = []
        try write(value, into: &output)
        return output
    }

    /// The JSON text of `value`, as a `String`.
    public func serializeToString(_ value: JSONValue) throws(JSONSerializationError) -> String {
        String(decoding: try serialize(value), as: UTF8.self)
    }

    /// Appends the JSON text of `value` to `output`. On error, `output` may hold a partial document.
    public func write(_ value: JSONValue, into output: inout [UInt8]) throws(JSONSerializationError) {
        do {
            try write(value, into: &output, level: 0)
        } catch let failure {
            throw JSONSerializationError(code: failure.code, message: failure.message, path: "$" + failure.path)
        }
    }

    // MARK: - Writing

    private func write(_ value: JSONValue, into output: inout [UInt8], level: Int) throws(PathFailure) {
        switch value {
        case .null: output.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(true): output.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        case .bool(false): output.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        case .number(let number): try Self.write(number, into: &output, nonFinite: nonFiniteNumbers)
        case .string(let string): Self.write(string, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(into: &output, level: level + 1)
                do {
                    try write(element, into: &output, level: level + 1)
                } catch var failure {
                    failure.path = "[\(index)]" + failure.path
                    throw failure
                }
            }
            if !elements.isEmpty { newline(into: &output, level: level) }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(into: &output, level: level + 1)
                Self.write(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                if case .pretty = style { output.append(UInt8(ascii: " ")) }
                do {
                    try write(member.value, into: &output, level: level + 1)
                } catch var failure {
                    failure.path = Self.pathComponent(forKey: member.key) + failure.path
                    throw failure
                }
            }
            if !members.isEmpty { newline(into: &output, level: level) }
            output.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    private func newline(into output: inout [UInt8], level: Int) {
        guard case .pretty(let indentation) = style else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indentation * level))
    }

    private static func write(
        _ number: JSONNumber, into output: inout [UInt8], nonFinite: NonFiniteNumbers
    ) throws(PathFailure) {
        switch number {
        case .int(let value):
            writeDecimal(value, into: &output)
        case .double(let value):
            guard value.isFinite else {
                guard nonFinite == .asJQWrites else {
                    throw PathFailure(code: .nonFiniteNumber, message: "\(value) cannot be written as JSON")
                }
                if value.isNaN {
                    output.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
                } else {
                    let largest = value < 0 ? -Double.greatestFiniteMagnitude : Double.greatestFiniteMagnitude
                    output.append(contentsOf: largest.description.utf8)
                }
                return
            }
            output.append(contentsOf: value.description.utf8)
        case .bigInteger(let text):
            guard isJSONInteger(text) else {
                throw PathFailure(code: .invalidNumberText, message: "big integer text '\(text)' is not a JSON integer")
            }
            output.append(contentsOf: text.utf8)
        }
    }

    /// Writes the digits of `value` without going through a `String`.
    private static func writeDecimal(_ value: Int64, into output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for the 20 digits of UInt64.max, reversed
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude != 0
            for index in stride(from: count - 1, through: 0, by: -1) { output.append(buffer[index]) }
        }
    }

    /// `-?(0|[1-9][0-9]*)`.
    private static func isJSONInteger(_ text: String) -> Bool {
        var digits = Substring(text).utf8[...]
        if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        guard let first = digits.first, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        return first != UInt8(ascii: "0") || digits.count == 1
    }

    /// `string` as a JSON string literal: quoted, with `"`, `\` and control characters escaped.
    public static func literal(_ string: String) -> String {
        var output: [UInt8] = []
        write(string, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Writes `string` quoted and escaped, copying runs that need no escape in one go.
    static func write(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                output.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
                case 0x08: output.append(UInt8(ascii: "b"))
                case 0x0C: output.append(UInt8(ascii: "f"))
                case 0x0A: output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "t"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// `.key` for a plain identifier, else `["key"]` with the key written as JSON.
    private static func pathComponent(forKey key: String) -> String {
        let isIdentifier = !key.isEmpty && key.utf8.first.map { !($0 >= 0x30 && $0 <= 0x39) } == true
            && key.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F }
        if isIdentifier { return "." + key }
        var quoted: [UInt8] = []
        write(key, into: &quoted)
        return "[" + String(decoding: quoted, as: UTF8.self) + "]"
    }
}

/// An error on its way up the value tree, collecting the path as it goes.
private struct PathFailure: Error {
    var code: JSONSerializationError.Code
    var message: String
    var path = ""
}
