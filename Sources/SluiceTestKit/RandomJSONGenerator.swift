import SluiceJSON

/// Generates seeded random JSON documents as bytes, together with the `JSONValue` they denote.
///
/// The text exercises what parsers get wrong: escapes of every kind (`\uXXXX` for ASCII, surrogate
/// pairs for astral characters), raw multi-byte UTF-8, extreme numbers (`Int64` bounds, integers too
/// large for `Int64`, exponents, negative zero, subnormals, underflow to zero) and random whitespace.
/// It never writes a number that overflows `Double` (such as `1e400`): that parses to infinity, which
/// no serializer can write back as JSON. The same seed always
/// gives the same documents, so a failing test can print its seed and be replayed.
public struct RandomJSONGenerator: Sendable {
    /// One generated document: its text and the value a correct parser must produce.
    public struct Document: Sendable {
        /// The document's UTF-8 text.
        public var bytes: [UInt8]
        /// The value the text denotes.
        public var value: JSONValue
    }

    /// The seed this generator started from.
    public var seed: UInt64 { random.seed }
    private var random: SeededRandomNumberGenerator
    /// Whether to insert random whitespace between tokens.
    public var insertsWhitespace = true

    /// Creates a generator whose output is fixed by `seed`.
    public init(seed: UInt64) {
        random = SeededRandomNumberGenerator(seed: seed)
    }

    /// A random document nested at most `maxDepth` deep, with at most `maxWidth` elements per container.
    /// O(output size).
    public mutating func document(maxDepth: Int, maxWidth: Int = 6) -> Document {
        var bytes: [UInt8] = []
        let value = writeValue(into: &bytes, depth: maxDepth, maxWidth: maxWidth, forceContainer: true)
        space(&bytes)
        return Document(bytes: bytes, value: value)
    }

    /// A random value (see `document(maxDepth:maxWidth:)`) without the text.
    public mutating func value(maxDepth: Int, maxWidth: Int = 6) -> JSONValue {
        document(maxDepth: maxDepth, maxWidth: maxWidth).value
    }

    /// `count` documents, one per line (NDJSON): no newline inside a document. O(output size).
    public mutating func ndjson(count: Int, maxDepth: Int, maxWidth: Int = 6) -> Document {
        let saved = insertsWhitespace
        insertsWhitespace = false
        defer { insertsWhitespace = saved }
        var bytes: [UInt8] = []
        var values: [JSONValue] = []
        for _ in 0..<count {
            values.append(writeValue(into: &bytes, depth: maxDepth, maxWidth: maxWidth, forceContainer: true))
            bytes.append(0x0A)
        }
        return Document(bytes: bytes, value: .array(values))
    }

    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    private mutating func space(_ bytes: inout [UInt8]) {
        guard insertsWhitespace, int(0...3) == 0 else { return }
        let choices: [UInt8] = [0x20, 0x0A, 0x09, 0x0D]
        for _ in 0..<int(1...3) { bytes.append(choices[int(0...3)]) }
    }

    private mutating func writeValue(
        into bytes: inout [UInt8], depth: Int, maxWidth: Int, forceContainer: Bool = false
    ) -> JSONValue {
        space(&bytes)
        let kind = forceContainer ? int(0...1) : (depth > 0 ? int(0...7) : int(2...7))
        switch kind {
        case 0:
            bytes.append(0x5B)
            var elements: [JSONValue] = []
            for index in 0..<int(0...maxWidth) {
                if index > 0 { bytes.append(0x2C) }
                elements.append(writeValue(into: &bytes, depth: depth - 1, maxWidth: maxWidth))
                space(&bytes)
            }
            bytes.append(0x5D)
            return .array(elements)
        case 1:
            bytes.append(0x7B)
            var members: [JSONMember] = []
            for index in 0..<int(0...maxWidth) {
                if index > 0 { bytes.append(0x2C) }
                space(&bytes)
                let key = writeString(into: &bytes)
                space(&bytes)
                bytes.append(0x3A)
                members.append(JSONMember(key: key, value: writeValue(into: &bytes, depth: depth - 1, maxWidth: maxWidth)))
                space(&bytes)
            }
            bytes.append(0x7D)
            return .object(members)
        case 2, 3:
            return .string(writeString(into: &bytes))
        case 4, 5:
            return writeNumber(into: &bytes)
        default:
            switch int(0...2) {
            case 0:
                bytes.append(contentsOf: "true".utf8)
                return .bool(true)
            case 1:
                bytes.append(contentsOf: "false".utf8)
                return .bool(false)
            default:
                bytes.append(contentsOf: "null".utf8)
                return .null
            }
        }
    }

    private static let alphabet: [Unicode.Scalar] = [
        "a", "b", "Z", "0", " ", "_", "\"", "\\", "/", "\n", "\t", "\u{08}", "\u{0C}", "\r", "\u{01}", "\u{1F}",
        "\u{7F}", "é", "ß", "€", "中", "\u{FFFD}", "\u{FEFF}", "😀", "\u{10FFFF}", "\u{E000}",
    ]

    private mutating func writeString(into bytes: inout [UInt8]) -> String {
        bytes.append(0x22)
        var text = ""
        let length = int(0...3) == 0 ? int(0...40) : int(0...8)
        for _ in 0..<length {
            let scalar = int(0...2) == 0 ? Self.alphabet[int(0...(Self.alphabet.count - 1))] : Unicode.Scalar(UInt8(int(0x61...0x7A)))
            text.unicodeScalars.append(scalar)
            writeScalar(scalar, into: &bytes)
        }
        bytes.append(0x22)
        return text
    }

    private mutating func writeScalar(_ scalar: Unicode.Scalar, into bytes: inout [UInt8]) {
        let value = scalar.value
        let mustEscape = value < 0x20 || value == 0x22 || value == 0x5C
        if mustEscape || int(0...4) == 0 {
            switch value {
            case 0x22: bytes.append(contentsOf: #"\""#.utf8)
            case 0x5C: bytes.append(contentsOf: #"\\"#.utf8)
            case 0x2F where int(0...1) == 0: bytes.append(contentsOf: #"\/"#.utf8)
            case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
            case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
            case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
            case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
            case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
            default:
                if value >= 0x10000 {
                    let offset = value - 0x10000
                    appendUnicodeEscape(0xD800 + (offset >> 10), into: &bytes)
                    appendUnicodeEscape(0xDC00 + (offset & 0x3FF), into: &bytes)
                } else {
                    appendUnicodeEscape(value, into: &bytes)
                }
            }
        } else {
            bytes.append(contentsOf: String(Character(scalar)).utf8)
        }
    }

    private mutating func appendUnicodeEscape(_ unit: UInt32, into bytes: inout [UInt8]) {
        var hex = String(unit, radix: 16, uppercase: int(0...1) == 0)
        while hex.utf8.count < 4 { hex = "0" + hex }
        bytes.append(contentsOf: "\\u\(hex)".utf8)
    }

    private static let extremeNumbers = [
        "0", "-0", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
        "123456789012345678901234567890", "1e308", "-1.7976931348623157e308", "5e-324", "2.2250738585072014E-308",
        "1E+2", "1e-7", "0.1", "-0.0", "1.0e0", "4.9406564584124654e-324", "-1e-400", "0.000001",
        "3.141592653589793238462643383279", "1e22", "1e23", "9007199254740993",
    ]

    private mutating func writeNumber(into bytes: inout [UInt8]) -> JSONValue {
        let text: String
        switch int(0...3) {
        case 0: text = Self.extremeNumbers[int(0...(Self.extremeNumbers.count - 1))]
        case 1: text = String(Int64.random(in: .min ... .max, using: &random))
        case 2: text = String(int(-1000...1000))
        default:
            let exponentMark = ["e", "E", "e+", "e-", "E-"][int(0...4)]
            text = "\(int(-99_999...99_999)).\(int(0...999_999))\(exponentMark)\(int(0...30))"
        }
        bytes.append(contentsOf: text.utf8)
        return .number(Self.number(text))
    }

    /// The `JSONNumber` a parser must produce for valid JSON number text.
    public static func number(_ text: String) -> JSONNumber {
        let isInteger = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        if isInteger {
            if let value = Int64(text) { return .int(value) }
            return .bigInteger(text)
        }
        // Valid JSON number text is valid Swift floating-point text.
        return .double(Double(text) ?? .nan)
    }
}
