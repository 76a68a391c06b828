import SluiceJSON
import SluiceTestKit
import Testing

/// parse → serialize → parse gives back an equal value on generated document *text* with escapes,
/// surrogate pairs, raw multi-byte UTF-8 and extreme numbers. (The corpus round trip lives in
/// `JSONSerializerRoundTripTests`.)
@Suite struct JSONRoundTripTests {
    static let styles: [JSONSerializer.Style] = [.compact, .pretty(indentation: 2)]

    @Test func generatedDocumentsRoundTrip() throws {
        let seed = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0009).seed
        var generator = RandomJSONGenerator(seed: seed)
        for round in 0..<300 {
            let document = generator.document(maxDepth: 5, maxWidth: 5)
            let value = try JSONValue(parsing: document.bytes)
            for style in Self.styles {
                let text = try JSONSerializer(style: style).serialize(value)
                let again = try JSONValue(parsing: text)
                #expect(again == value, "seed \(seed) round \(round), \(style): \(String(decoding: text, as: UTF8.self))")
                // The serializer's output tokenizes the same in 1-byte chunks as whole.
                if round % 10 == 0 {
                    #expect(TokenRecorder.run(text, chunkSize: 1, bufferSize: 2) == TokenRecorder.whole(text))
                }
            }
        }
    }
}
