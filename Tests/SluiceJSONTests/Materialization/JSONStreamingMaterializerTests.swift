import SluiceJSON
import SluiceTestKit
import Testing

@Suite struct JSONStreamingMaterializerTests {
    /// Collects what a materializer produced from `pieces`: values with their frames, and the error.
    static func materialize<Framer: JSONFraming>(
        _ pieces: [[UInt8]], _ materializer: JSONStreamingMaterializer<Framer>
    ) -> (values: [JSONValue], frames: [JSONFrame], error: JSONParseError?) {
        var materializer = materializer
        var values: [JSONValue] = []
        var frames: [JSONFrame] = []
        do {
            for piece in pieces {
                try materializer.feed(piece) { value, frame in
                    values.append(value)
                    frames.append(frame)
                }
            }
            try materializer.finalize { value, frame in
                values.append(value)
                frames.append(frame)
            }
        } catch let error as JSONParseError {
            return (values, frames, error)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return (values, frames, nil)
    }

    static func generatedValues(seed: UInt64, count: Int) -> [JSONValue] {
        var generator = GeneratedJSONValue(seed: seed)
        return (0..<count).map { _ in generator.value() }
    }

    @Test(arguments: [JSONFramingAssembler.Mode.newlineDelimited, .concatenated])
    func generatedStreamsMaterializeInAnyChunking(mode: JSONFramingAssembler.Mode) throws {
        var seeds = SeededRandomNumberGenerator.fromEnvironment(default: 0xFEED)
        for _ in 0..<15 {
            let seed = seeds.next()
            let values = Self.generatedValues(seed: seed, count: 10)
            var stream: [UInt8] = []
            for value in values {
                stream += try JSONSerializer().serialize(value)
                stream += Array((mode == .newlineDelimited ? " \n" : "\n\t ").utf8)
            }
            var random = SeededRandomNumberGenerator(seed: seed)
            for meanChunk in [1, 7, 100, 4096] {
                let cuts = randomCuts(count: stream.count, meanChunk: meanChunk, using: &random)
                let outcome = Self.materialize(chunks(of: stream, cuts: cuts), JSONStreamingMaterializer(mode: mode))
                #expect(outcome.error == nil, "seed \(seed) chunk \(meanChunk): \(String(describing: outcome.error))")
                #expect(outcome.values.count == values.count, "seed \(seed)")
                #expect(
                    zip(outcome.values, values).allSatisfy { JSONSerializerRoundTripTests.identical($0, $1) },
                    "seed \(seed) chunk \(meanChunk)")
            }
        }
    }

    @Test func lengthPrefixedFramesMaterialize() throws {
        let stream = Array("7\n{\"a\":1}3\n[2]4\n\"x\" ".utf8)
        for cut in 0...stream.count {
            let outcome = Self.materialize(chunks(of: stream, cuts: [cut]), JSONStreamingMaterializer(prefix: .asciiDecimalLine))
            #expect(outcome.error == nil)
            #expect(outcome.values == [
                .object([JSONMember(key: "a", value: .number(.int(1)))]), .array([.number(.int(2))]), .string("x"),
            ], "cut \(cut)")
        }
    }

    /// A document that frames cleanly but does not parse fails with its position in the whole stream.
    @Test func parseErrorsAreLocatedInTheStream() throws {
        let bytes = Array("{\"a\":1}\n".utf8) + Array("  {\"b\": [1, tru] }\n".utf8)
        for cut in 0...bytes.count {
            let outcome = Self.materialize(chunks(of: bytes, cuts: [cut]), JSONStreamingMaterializer(mode: .newlineDelimited))
            #expect(outcome.values.count == 1)
            let error = try #require(outcome.error, "cut \(cut)")
            // `tru` starts at offset 8 + 12 = 20, line 2, column 13.
            #expect(error.offset >= 20 && error.offset <= 23, "cut \(cut): \(error)")
            #expect(error.line == 2, "cut \(cut): \(error)")
            #expect(error.column == error.offset - 8 + 1, "cut \(cut): \(error)")
        }
    }

    @Test func truncatedLastDocumentFailsAtFinalizeAndErrorsAreSticky() throws {
        var materializer = JSONStreamingMaterializer(mode: .concatenated)
        var values: [JSONValue] = []
        try materializer.feed(Array("[1] {\"a\":".utf8)) { value, _ in values.append(value) }
        #expect(values == [.array([.number(.int(1))])])
        let error = #expect(throws: JSONParseError.self) { try materializer.finalize { _, _ in } }
        #expect(error?.code == .unexpectedEndOfInput && error?.offset == 9)
        let again = #expect(throws: JSONParseError.self) { try materializer.finalize { _, _ in } }
        #expect(again == error)
    }
}
