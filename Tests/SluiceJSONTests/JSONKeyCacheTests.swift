import SluiceTestKit
import Testing

@testable import SluiceJSON

/// `JSONKeyCache` changes only how often a key's `String` is built, never a value: documents parsed one after another
/// with one cache equal the same documents parsed without it.
@Suite struct JSONKeyCacheTests {
    static func parse(_ text: [UInt8], keys: inout JSONKeyCache) -> JSONValue? {
        text.withUnsafeBytes { JSONProjectingParser(selection: .whole).parse($0, keys: &keys) }
    }

    static func parse(_ text: [UInt8]) -> JSONValue? {
        text.withUnsafeBytes { JSONProjectingParser(selection: .whole).parse($0) }
    }

    /// Keys of every length from 0 to 18 bytes, keys that differ only in their last byte or in a byte past 8, keys
    /// that end within 16 bytes of the document's end (read byte by byte), non-ASCII and escaped keys, each seen
    /// several times through one cache.
    @Test func cachedKeysAreTheKeysTheBytesSpell() throws {
        var names = (0...18).map { String(repeating: "k", count: $0) }
        names += ["abcdefgh", "abcdefgi", "abcdefghijklmnop", "abcdefghijklmnoq", "abcdefghXjklmnop", "é", "ée", "a\\u0062"]
        var keys = JSONKeyCache()
        for round in 0..<3 {
            for name in names {
                for text in [#"{"\#(name)":1}"#, #"{"x":{"\#(name)":[true]},"\#(name)":"v"}"#, #" {"\#(name)":null} "#] {
                    let bytes = Array(text.utf8)
                    let cached = try #require(Self.parse(bytes, keys: &keys), "\(text)")
                    #expect(cached == Self.parse(bytes), "round \(round): \(text)")
                }
            }
        }
        let escaped = try #require(Self.parse(Array(#"{"a\u0062":1}"#.utf8), keys: &keys))
        #expect(escaped == .object([JSONMember(key: "ab", value: .number(.int(1)))]))
    }

    /// Seeded random documents (many distinct keys, so slots are overwritten all the time) through one cache.
    @Test func randomDocumentsThroughOneCacheEqualTheUncachedParse() {
        let seed = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0C4C).seed
        var generator = RandomJSONGenerator(seed: seed)
        var keys = JSONKeyCache()
        for round in 0..<500 {
            let document = generator.document(maxDepth: 4)
            let cached = Self.parse(document.bytes, keys: &keys)
            #expect(cached == document.value, "seed \(seed) round \(round)")
            #expect(cached == Self.parse(document.bytes), "seed \(seed) round \(round)")
        }
    }

    /// The framed-document entry point with a cache reports errors exactly as the one without.
    @Test func errorsAreTheSameWithTheCache() {
        var keys = JSONKeyCache()
        let frame = JSONFrame(index: 3, offset: 100, length: 12, line: 4, column: 1)
        for text in [#"{"a":1,}"#, #"{"abc":tru}"#, #"{"k":"\u12"}"#, "[1 2]"] {
            let bytes = Array(text.utf8)
            let withCache = bytes.withUnsafeBytes { raw in
                Result { () throws(JSONParseError) in try JSONDocumentParser.parse(raw, frame: frame, keys: &keys) }
            }
            let without = bytes.withUnsafeBytes { raw in
                Result { () throws(JSONParseError) in try JSONDocumentParser.parse(raw, frame: frame) }
            }
            guard case .failure(let a) = withCache, case .failure(let b) = without else {
                Issue.record("\(text) parsed")
                continue
            }
            #expect(a == b, "\(text)")
        }
    }
}
