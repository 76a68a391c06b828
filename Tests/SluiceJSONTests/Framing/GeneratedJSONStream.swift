import SluiceJSON
import SluiceTestKit

/// Seeded random JSON text for framing tests: nested values whose strings are full of braces,
/// brackets, escaped quotes, backslash runs, escaped newlines and multi-byte UTF-8, some long enough to
/// cross several 64-byte blocks.
struct GeneratedJSONStream {
    var random: SeededRandomNumberGenerator

    init(seed: UInt64) { random = SeededRandomNumberGenerator(seed: seed) }

    /// A stream of `count` documents laid out for `mode`.
    mutating func stream(documents count: Int, mode: JSONFramingAssembler.Mode) -> [UInt8] {
        var bytes: [UInt8] = []
        for index in 0..<count {
            if mode == .newlineDelimited {
                if index > 0 { bytes += pick(["\n", "\r\n", "\n\n", " \n\t", "\n   "]).utf8 }
                bytes += pick(["", " ", "\t"]).utf8
                document(into: &bytes)
                bytes += pick(["", " ", "\r", " \t"]).utf8
            } else {
                // Whitespace is needed only between two top-level scalars.
                bytes += pick(["\n", " ", "", "\r\n\t", "  "]).utf8
                document(into: &bytes)
                if let last = bytes.last, last != UInt8(ascii: "}") && last != UInt8(ascii: "]")
                    && last != UInt8(ascii: "\"")
                {
                    bytes.append(UInt8(ascii: " "))
                }
            }
        }
        if mode == .newlineDelimited && Bool.random(using: &random) { bytes.append(UInt8(ascii: "\n")) }
        return bytes
    }

    mutating func document(into bytes: inout [UInt8]) {
        value(into: &bytes, depth: Int.random(in: 0...4, using: &random))
    }

    mutating func value(into bytes: inout [UInt8], depth: Int) {
        let choice = depth == 0 ? Int.random(in: 0...2, using: &random) : Int.random(in: 0...5, using: &random)
        switch choice {
        case 0:
            string(into: &bytes)
        case 1:
            bytes += pick(["0", "-12", "3.25e-7", "12345678901234567890", "1E+300", "-0.0"]).utf8
        case 2:
            bytes += pick(["true", "false", "null"]).utf8
        case 3, 4:
            bytes.append(UInt8(ascii: "{"))
            for member in 0..<Int.random(in: 0...4, using: &random) {
                if member > 0 { bytes += pick([",", ", ", " ,\t"]).utf8 }
                string(into: &bytes)
                bytes += pick([":", " : "]).utf8
                value(into: &bytes, depth: depth - 1)
            }
            bytes.append(UInt8(ascii: "}"))
        default:
            bytes.append(UInt8(ascii: "["))
            for element in 0..<Int.random(in: 0...4, using: &random) {
                if element > 0 { bytes += pick([",", ", "]).utf8 }
                value(into: &bytes, depth: depth - 1)
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }

    mutating func string(into bytes: inout [UInt8]) {
        let pieces = [
            "a", "key", "{", "}", "[", "]", "\\\"", "\\\\", "\\n", "\\/", "\\u00e9", "\\ud83d\\ude00", "é", "😀",
            " ", ",", ":", "\\\\\\\"", "\\\\\\\\",
        ]
        bytes.append(UInt8(ascii: "\""))
        let length = Bool.random(using: &random) ? Int.random(in: 0...6, using: &random) : Int.random(in: 20...90, using: &random)
        for _ in 0..<length { bytes += pick(pieces).utf8 }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func pick(_ choices: [String]) -> String {
        choices[Int.random(in: 0..<choices.count, using: &random)]
    }
}
