import Foundation
import SluiceJSON
import SluiceTestKit
import Testing

@Suite struct JSONSerializerTests {
    let compact = JSONSerializer()

    @Test func escapesQuotesBackslashesAndEveryControlCharacter() throws {
        let text = try compact.serializeToString(.string("a\"b\\c/\n\r\t\u{08}\u{0C}\u{00}\u{1F}\u{7F}é😀"))
        #expect(text == #""a\"b\\c/\n\r\t\b\f\u0000\u001f"# + "\u{7F}é😀\"")
        for scalar in 0..<0x20 {
            let written = try compact.serializeToString(.string(String(UnicodeScalar(UInt8(scalar)))))
            #expect(written.utf8.allSatisfy { $0 >= 0x20 }, "U+\(scalar) must be escaped, got \(written)")
        }
    }

    @Test(arguments: [
        (JSONNumber.int(0), "0"), (.int(.max), "9223372036854775807"), (.int(.min), "-9223372036854775808"),
        (.double(1e300), "1e+300"), (.double(-0.0), "-0.0"), (.double(.leastNonzeroMagnitude), "5e-324"), (.double(0.1), "0.1"),
        (.double(1.0), "1.0"), (.double(1.7976931348623157e308), "1.7976931348623157e+308"),
        (.bigInteger("-123456789012345678901234567890"), "-123456789012345678901234567890"),
    ])
    func writesNumbersExactlyAndShortest(number: JSONNumber, text: String) throws {
        #expect(try compact.serializeToString(.number(number)) == text)
        if case .double(let value) = number {
            #expect(Double(text)?.bitPattern == value.bitPattern)
        }
    }

    @Test func nonFiniteNumbersAndBadIntegerTextAreErrorsWithAPath() {
        let value = JSONValue.object([
            JSONMember(key: "ok", value: .number(.int(1))),
            JSONMember(key: "points", value: .array([.number(.double(1)), .object([JSONMember(key: "x y", value: .number(.double(.nan)))])])),
        ])
        let error = #expect(throws: JSONSerializationError.self) { try compact.serialize(value) }
        #expect(error?.code == .nonFiniteNumber)
        #expect(error?.path == #"$.points[1]["x y"]"#)
        for text in ["", "-", "01", "1.5", "1e5", "+1", "12a"] {
            #expect(throws: JSONSerializationError.self, "'\(text)'") { try compact.serialize(.number(.bigInteger(text))) }
        }
        #expect(throws: JSONSerializationError.self) { try compact.serialize(.array([.number(.double(-.infinity))])) }
    }

    /// `.asJQWrites` writes what JSON cannot express as jq does: an infinity (a parsed `1e400`) as the largest
    /// finite number of its sign, NaN as `null`; finite numbers are unchanged.
    @Test func nonFiniteNumbersAsJQWritesThem() throws {
        let jqLike = JSONSerializer(nonFiniteNumbers: .asJQWrites)
        let value = JSONValue.array([
            .number(.double(.infinity)), .number(.double(-.infinity)), .number(.double(.nan)), .number(.double(1.5)),
        ])
        #expect(try jqLike.serializeToString(value) == "[1.7976931348623157e+308,-1.7976931348623157e+308,null,1.5]")
        let parsed = try JSONDocumentParser.parse(Array(#"{"a":1e400}"#.utf8))
        #expect(try jqLike.serializeToString(parsed) == #"{"a":1.7976931348623157e+308}"#)
    }

    @Test func prettyPrintsWithIndentationAndKeepsEmptyContainersShort() throws {
        let value = JSONValue.object([
            JSONMember(key: "a", value: .array([.number(.int(1)), .bool(true)])),
            JSONMember(key: "e", value: .object([])),
            JSONMember(key: "n", value: .array([])),
        ])
        let pretty = try JSONSerializer(style: .pretty(indentation: 2)).serializeToString(value)
        #expect(pretty == "{\n  \"a\": [\n    1,\n    true\n  ],\n  \"e\": {},\n  \"n\": []\n}")
        #expect(try compact.serializeToString(value) == #"{"a":[1,true],"e":{},"n":[]}"#)
    }

    /// Foundation is an independent reader: whatever we write, it must accept, with the same strings.
    @Test func generatedValuesAreReadBackByFoundation() throws {
        var seeds = SeededRandomNumberGenerator.fromEnvironment(default: 0x5E71A1)
        for _ in 0..<200 {
            let seed = seeds.next()
            var generator = GeneratedJSONValue(seed: seed)
            let value = generator.value()
            let bytes = try compact.serialize(value)
            let object = try #require(
                try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed),
                "seed \(seed): \(String(decoding: bytes, as: UTF8.self))")
            #expect(Self.sameStrings(value, object), "seed \(seed)")
            let pretty = try JSONSerializer(style: .pretty(indentation: 4)).serialize(value)
            #expect((try? JSONSerialization.jsonObject(with: Data(pretty), options: .fragmentsAllowed)) != nil, "seed \(seed)")
        }
    }

    /// Compares the strings and keys of `value` with Foundation's reading of it (numbers are skipped:
    /// Foundation rounds big integers).
    static func sameStrings(_ value: JSONValue, _ object: Any) -> Bool {
        switch value {
        case .string(let string): return (object as? String) == string
        case .array(let elements):
            guard let array = object as? [Any], array.count == elements.count else { return false }
            return zip(elements, array).allSatisfy { sameStrings($0, $1) }
        case .object(let members):
            guard let dictionary = object as? [String: Any] else { return false }
            return members.allSatisfy { dictionary[$0.key] != nil }
        default: return true
        }
    }
}
