import SluiceJSON
import SluiceTestKit
import Testing

/// parse → serialize → parse gives back the same value, bit for bit (so `-0.0` stays `-0.0`).
@Suite struct JSONSerializerRoundTripTests {
    @Test(arguments: SharedFixtures.corpusNames)
    func corpusFilesRoundTrip(name: String) throws {
        let bytes = try SharedFixtures.corpusFile(name)
        let value = try JSONDocumentParser.parse(bytes)
        for style in [JSONSerializer.Style.compact, .pretty(indentation: 2)] {
            let written = try JSONSerializer(style: style).serialize(value)
            let reread = try JSONDocumentParser.parse(written)
            #expect(Self.identical(value, reread), "\(name) \(style)")
        }
    }

    @Test func generatedValuesRoundTripExactly() throws {
        var seeds = SeededRandomNumberGenerator.fromEnvironment(default: 0x0DD_BA11)
        for _ in 0..<300 {
            let seed = seeds.next()
            var generator = GeneratedJSONValue(seed: seed)
            let value = generator.value()
            let written = try JSONSerializer().serialize(value)
            let reread = try #require(
                try? JSONDocumentParser.parse(written), "seed \(seed): \(String(decoding: written, as: UTF8.self))")
            #expect(Self.identical(value, reread), "seed \(seed): \(String(decoding: written, as: UTF8.self))")
        }
    }

    /// Equality that tells `-0.0` from `0.0` and compares doubles by bit pattern.
    static func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number(.double(let x)), .number(.double(let y))): return x.bitPattern == y.bitPattern
        case (.array(let xs), .array(let ys)): return xs.count == ys.count && zip(xs, ys).allSatisfy { identical($0, $1) }
        case (.object(let xs), .object(let ys)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy { $0.key == $1.key && identical($0.value, $1.value) }
        default: return a == b
        }
    }
}
