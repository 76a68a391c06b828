import SluiceJSON
import SluiceTestKit
import Testing

/// `JSONOnePassMaterializer` (framing and parsing in one pass) against `JSONStreamingMaterializer` (the framer, then
/// the parser), the oracle: the same values, frames and errors at every chunking; and a document that does not
/// parse reported alone, with the oracle's error, while the stream goes on.
@Suite struct JSONOnePassMaterializerTests {
    struct Outcome: Equatable {
        var values: [JSONValue] = []
        var frames: [JSONFrame] = []
        /// Documents reported to `onInvalid`: their error, frame and bytes.
        var invalid: [Invalid] = []
        /// The error thrown (a framing error).
        var error: JSONParseError?
    }

    struct Invalid: Equatable {
        var error: JSONParseError
        var frame: JSONFrame
        var bytes: [UInt8]
    }

    static func onePass(_ pieces: [[UInt8]], mode: JSONFramingAssembler.Mode, limits: JSONLimits = .default) -> Outcome {
        var materializer = JSONOnePassMaterializer(mode: mode, limits: limits)
        var outcome = Outcome()
        let onValue = { (value: JSONValue, frame: JSONFrame) in
            outcome.values.append(value)
            outcome.frames.append(frame)
        }
        let onInvalid = { (error: JSONParseError, frame: JSONFrame, bytes: UnsafeRawBufferPointer) in
            outcome.invalid.append(Invalid(error: error, frame: frame, bytes: Array(bytes)))
        }
        do {
            for piece in pieces { try materializer.feed(piece, onValue: onValue, onInvalid: onInvalid) }
            try materializer.finalize(onValue: onValue, onInvalid: onInvalid)
        } catch let error as JSONParseError {
            outcome.error = error
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return outcome
    }

    static func oracle(_ pieces: [[UInt8]], mode: JSONFramingAssembler.Mode, limits: JSONLimits = .default) -> Outcome {
        let result = JSONStreamingMaterializerTests.materialize(
            pieces, JSONStreamingMaterializer(mode: mode, limits: limits))
        return Outcome(values: result.values, frames: result.frames, invalid: [], error: result.error)
    }

    /// Generated documents, compact (newline-delimited) or pretty-printed across lines (concatenated), with top-level
    /// scalars among them, in random chunks.
    @Test(arguments: [JSONFramingAssembler.Mode.newlineDelimited, .concatenated])
    func agreesWithTheStreamingMaterializerAtEveryChunking(mode: JSONFramingAssembler.Mode) throws {
        var seeds = SeededRandomNumberGenerator.fromEnvironment(default: 0x0DE_0001)
        for _ in 0..<12 {
            let seed = seeds.next()
            let values = JSONStreamingMaterializerTests.generatedValues(seed: seed, count: 12)
            var stream: [UInt8] = []
            for (index, value) in values.enumerated() {
                let style: JSONSerializer.Style = mode == .concatenated && index % 2 == 0 ? .pretty(indentation: 2) : .compact
                stream += try JSONSerializer(style: style).serialize(value)
                stream += Array((mode == .newlineDelimited ? " \n" : "\n\t ").utf8)
            }
            var random = SeededRandomNumberGenerator(seed: seed)
            for meanChunk in [1, 7, 100, 4_096] {
                let pieces = chunks(of: stream, cuts: randomCuts(count: stream.count, meanChunk: meanChunk, using: &random))
                let expected = Self.oracle(pieces, mode: mode)
                #expect(expected.error == nil && expected.values.count == values.count, "seed \(seed)")
                #expect(Self.onePass(pieces, mode: mode) == expected, "seed \(seed), chunks of about \(meanChunk)")
            }
        }
    }

    /// The corpus files one after another (concatenated, each pretty or compact as shipped), in 4 KiB and 64 KiB
    /// chunks: documents that span many chunks take the framer's path, the rest the parser's.
    @Test func corpusStreamAgrees() throws {
        var stream: [UInt8] = []
        for name in ["twitter", "citm_catalog", "numbers"] {
            stream += try SharedFixtures.corpusFile(name) + Array("\n".utf8)
            stream += Array(#"{"small":[1,2,{"x":"y"}]} "z" 12 true"#.utf8) + Array("\n".utf8)
        }
        for size in [4_096, 65_536, stream.count] {
            let pieces = chunks(of: stream, cuts: Array(stride(from: size, to: stream.count, by: size)))
            let expected = Self.oracle(pieces, mode: .concatenated)
            #expect(expected.error == nil && expected.values.count == 15)
            #expect(Self.onePass(pieces, mode: .concatenated) == expected, "chunks of \(size)")
        }
    }

    /// A document that frames but does not parse is reported with the oracle's error, and the next documents go on.
    @Test func anInvalidDocumentIsReportedAloneAndTheStreamGoesOn() throws {
        let good = [#"{"a":1}"#, #"["x",{"b":null}]"#, #""text""#]
        let bad = [#"{"n":01}"#, #"{"s":"\x"}"#, #"[1,tru]"#, "{\"c\":\"\u{1}\"}", #"{"d":1,}"#]
        for (position, broken) in bad.enumerated() {
            let lines = good.prefix(position % 3) + [broken] + good
            let stream = Array(lines.joined(separator: "\n").utf8) + Array("\n".utf8)
            let invalidIndex = position % 3
            let upToBroken = Array(lines.prefix(invalidIndex + 1).joined(separator: "\n").utf8) + Array("\n".utf8)
            for cut in [1, 3, 9, 4_096] {
                let pieces = chunks(of: stream, cuts: Array(stride(from: cut, to: stream.count, by: cut)))
                let outcome = Self.onePass(pieces, mode: .newlineDelimited)
                let expected = Self.oracle(chunks(of: upToBroken, cuts: []), mode: .newlineDelimited)
                let expectedError = try #require(expected.error, "\(broken) must not parse")
                #expect(outcome.error == nil, "\(broken), chunks of \(cut)")
                #expect(outcome.invalid.count == 1)
                #expect(outcome.invalid.first?.error == expectedError, "\(broken), chunks of \(cut)")
                #expect(outcome.invalid.first?.bytes == Array(broken.utf8))
                #expect(outcome.invalid.first?.frame.index == invalidIndex)
                let parsedAlone = try lines.filter { $0 != broken }.map { try JSONValue(parsing: Array($0.utf8)) }
                #expect(outcome.values == parsedAlone, "\(broken), chunks of \(cut)")
                #expect(outcome.frames.map(\.index) == (0..<lines.count).filter { $0 != invalidIndex })
            }
        }
    }

    /// Framing errors (two documents on a line, a document broken across lines, a byte that starts nothing, a
    /// limit) are thrown as by the oracle, at every single cut.
    @Test func framingErrorsAgree() throws {
        let cases: [(String, JSONFramingAssembler.Mode, JSONLimits)] = [
            ("{\"a\":1} {\"b\":2}\n", .newlineDelimited, .default),
            ("{\"a\":\n1}\n", .newlineDelimited, .default),
            ("{\"a\":1}\n]\n", .newlineDelimited, .default),
            ("[[[[1]]]]", .concatenated, JSONLimits(maxDepth: 3)),
            ("[\"long string\"] [1]", .concatenated, JSONLimits(maxTokenLength: 8)),
            ("{\"a\":[1,2,3]}{\"b\":[4]}", .concatenated, JSONLimits(maxDocumentSize: 12)),
            ("{\"a\":1}\n{\"b\":", .newlineDelimited, .default),
        ]
        for (text, mode, limits) in cases {
            let stream = Array(text.utf8)
            for cut in 0...stream.count {
                let pieces = chunks(of: stream, cuts: [cut])
                let expected = Self.oracle(pieces, mode: mode, limits: limits)
                #expect(expected.error != nil, "\(text) must fail")
                #expect(Self.onePass(pieces, mode: mode, limits: limits) == expected, "\(text), cut at \(cut)")
            }
        }
    }
}
