import SluiceJSON
import SluiceTestKit

/// Seeded random `JSONValue`s: strings with every escape, control characters, surrogate pairs and
/// multi-byte UTF-8; numbers at the extremes of `Int64` and `Double`; nesting a few levels deep.
struct GeneratedJSONValue {
    var random: SeededRandomNumberGenerator

    init(seed: UInt64) { random = SeededRandomNumberGenerator(seed: seed) }

    mutating func value(depth: Int = 4) -> JSONValue {
        switch Int.random(in: 0...(depth > 0 ? 7 : 4), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .number(number())
        case 3, 4: return .string(string())
        case 5: return .array((0..<Int.random(in: 0...5, using: &random)).map { _ in value(depth: depth - 1) })
        default:
            return .object(
                (0..<Int.random(in: 0...5, using: &random)).map { _ in
                    JSONMember(key: string(), value: value(depth: depth - 1))
                })
        }
    }

    mutating func number() -> JSONNumber {
        let specials: [JSONNumber] = [
            .int(0), .int(.max), .int(.min), .int(-1), .double(1e300), .double(-0.0), .double(.leastNonzeroMagnitude),
            .double(.greatestFiniteMagnitude), .double(-.leastNormalMagnitude), .double(0.1), .double(1.0),
            .double(123456.789e-20), .bigInteger("123456789012345678901234567890"), .bigInteger("-99999999999999999999"),
        ]
        switch Int.random(in: 0...3, using: &random) {
        case 0: return specials[Int.random(in: 0..<specials.count, using: &random)]
        case 1: return .int(Int64.random(in: .min ... .max, using: &random))
        case 2: return .double(Double(bitPattern: UInt64.random(in: 0...0x7FEF_FFFF_FFFF_FFFF, using: &random)) * (Bool.random(using: &random) ? 1 : -1))
        default: return .double(Double.random(in: -1e6...1e6, using: &random))
        }
    }

    mutating func string() -> String {
        let pieces: [String] = ["a", "key", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{00}", "\u{1F}",
                                "\u{7F}", "é", "€", "😀", "\u{10FFFF}", "\u{FFFF}", "\u{2028}", "{", "}", " "]
        return (0..<Int.random(in: 0...12, using: &random)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &random)] }.joined()
    }
}
