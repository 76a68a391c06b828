import SluiceJSON
import SluiceTestKit
import Testing

@Suite struct JSONFramingAssemblerTests {
    static let concatenatedStream = #"{"a":1} [1,{"b":"}{\"]"}] "s\"}" 12 true{"x":"\\"}null"#
    static let newlineStream = "{\"a\":\"x\\ny\"}\n\n  [1, 2] \r\n\"s\"\n42\n{\"br\":\"{[\"}"

    @Test func framesConcatenatedDocuments() throws {
        let outcome = frameWithAssembler([Array(Self.concatenatedStream.utf8)], mode: .concatenated)
        #expect(outcome.failure == nil)
        let texts = outcome.frames.map { String(decoding: $0.bytes, as: UTF8.self) }
        #expect(texts == [#"{"a":1}"#, #"[1,{"b":"}{\"]"}]"#, #""s\"}""#, "12", "true", #"{"x":"\\"}"#, "null"])
    }

    @Test func framesNewlineDelimitedDocuments() throws {
        let outcome = frameWithAssembler([Array(Self.newlineStream.utf8)], mode: .newlineDelimited)
        #expect(outcome.failure == nil)
        let texts = outcome.frames.map { String(decoding: $0.bytes, as: UTF8.self) }
        #expect(texts == [#"{"a":"x\ny"}"#, "[1, 2]", #""s""#, "42", #"{"br":"{["}"#])
        #expect(outcome.frames.map(\.offset) == [0, 16, 25, 29, 32])
    }

    @Test(arguments: [JSONFramingAssembler.Mode.concatenated, .newlineDelimited])
    func everySplitPointAndOneByteChunksAgree(mode: JSONFramingAssembler.Mode) {
        let text = mode == .concatenated ? Self.concatenatedStream : Self.newlineStream
        let bytes = Array(text.utf8)
        let whole = frameWithAssembler([bytes], mode: mode)
        #expect(whole == FramingOracle.frame(bytes, mode: mode))
        for cut in 0...bytes.count {
            #expect(frameWithAssembler(chunks(of: bytes, cuts: [cut]), mode: mode) == whole, "cut at \(cut)")
        }
        #expect(frameWithAssembler(bytes.map { [$0] }, mode: mode) == whole)
    }

    @Test(arguments: [JSONFramingAssembler.Mode.concatenated, .newlineDelimited])
    func generatedStreamsMatchTheOracleUnderRandomSplits(mode: JSONFramingAssembler.Mode) {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_F4A3)
        for round in 0..<40 {
            let seed = random.next()
            var generator = GeneratedJSONStream(seed: seed)
            let bytes = generator.stream(documents: 12, mode: mode)
            let expected = FramingOracle.frame(bytes, mode: mode)
            #expect(expected.failure == nil, "seed \(seed): generated stream must frame cleanly")
            #expect(frameWithAssembler([bytes], mode: mode) == expected, "round \(round) seed \(seed)")
            let cuts = randomCuts(count: bytes.count, meanChunk: [3, 17, 70, 300][round % 4], using: &generator.random)
            #expect(
                frameWithAssembler(chunks(of: bytes, cuts: cuts), mode: mode) == expected,
                "round \(round) seed \(seed) cuts \(cuts)")
        }
    }

    /// Damaged streams: whatever the outcome, the block scanner, chunking and the oracle agree on it.
    @Test(arguments: [JSONFramingAssembler.Mode.concatenated, .newlineDelimited])
    func damagedStreamsFailTheSameWayUnderRandomSplits(mode: JSONFramingAssembler.Mode) {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0xBAD_5EED)
        let limits = [
            JSONLimits.default, JSONLimits(maxDepth: 3, maxTokenLength: 80, maxDocumentSize: 400),
            JSONLimits(maxDepth: 2, maxTokenLength: 10, maxDocumentSize: 90),
        ]
        for round in 0..<60 {
            let seed = random.next()
            var generator = GeneratedJSONStream(seed: seed)
            var bytes = generator.stream(documents: 8, mode: mode)
            for _ in 0..<Int.random(in: 1...3, using: &generator.random) where !bytes.isEmpty {
                let damage: [UInt8] = Array("\"\\{}[]\n x,".utf8)
                let position = Int.random(in: 0..<bytes.count, using: &generator.random)
                bytes[position] = damage[Int.random(in: 0..<damage.count, using: &generator.random)]
            }
            let limit = limits[round % 3]
            let expected = FramingOracle.frame(bytes, mode: mode, limits: limit)
            #expect(frameWithAssembler([bytes], mode: mode, limits: limit) == expected, "round \(round) seed \(seed)")
            let cuts = randomCuts(count: bytes.count, meanChunk: [5, 64, 129][round % 3], using: &generator.random)
            #expect(
                frameWithAssembler(chunks(of: bytes, cuts: cuts), mode: mode, limits: limit) == expected,
                "round \(round) seed \(seed) cuts \(cuts)")
        }
    }

    @Test func corpusFilesFrameAsOneDocumentEachInAnyChunking() throws {
        var stream: [UInt8] = []
        var expectedFrames: [(Int, Int)] = []
        for name in SharedFixtures.corpusNames {
            let bytes = try SharedFixtures.corpusFile(name)
            var end = bytes.count
            while end > 0 && [0x20, 0x0A, 0x0D, 0x09].contains(bytes[end - 1]) { end -= 1 }
            expectedFrames.append((stream.count, end))
            stream += bytes
            stream.append(UInt8(ascii: "\n"))
        }
        let expected = FramingOracle.frame(stream, mode: .concatenated)
        #expect(expected.failure == nil)
        #expect(expected.frames.map { [$0.offset, $0.length] } == expectedFrames.map { [$0.0, $0.1] })
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 7)
        for meanChunk in [4096, 65536] {
            let cuts = randomCuts(count: stream.count, meanChunk: meanChunk, using: &random)
            #expect(
                frameWithAssembler(chunks(of: stream, cuts: cuts), mode: .concatenated) == expected,
                "seed \(random.seed) chunk \(meanChunk)")
        }
    }

    @Test func depthGuardStopsAtTheBracketPastTheLimit() {
        let outcome = frameWithAssembler([Array("[[1]] [[[1]]]".utf8)], mode: .concatenated, limits: .init(maxDepth: 2))
        #expect(outcome.frames.count == 1)
        #expect(outcome.failure == .init(code: .depthLimitExceeded, offset: 8, line: 1, column: 9))
        let deep = Array(repeating: UInt8(ascii: "["), count: 600)
        let failure = frameWithAssembler([deep], mode: .concatenated).failure
        #expect(failure?.code == .depthLimitExceeded && failure?.offset == 512)
    }

    @Test func documentSizeLimitStopsAtTheFirstByteTooMany() {
        let limits = JSONLimits(maxDocumentSize: 100)
        let fits = "[" + String(repeating: "1,", count: 48) + "12]"  // 100 bytes
        let tooBig = "\n[" + String(repeating: "1,", count: 100) + "1]"
        let outcome = frameWithAssembler([Array((fits + tooBig).utf8)], mode: .concatenated, limits: limits)
        #expect(outcome.frames.map(\.length) == [100])
        #expect(outcome.failure == .init(code: .documentTooLarge, offset: 201, line: 2, column: 101))
    }

    @Test func tokenLimitCoversStringsAndTopLevelScalars() {
        let limits = JSONLimits(maxTokenLength: 70)
        let exact = "[\"" + String(repeating: "x", count: 70) + "\"]"
        let long = " [\"" + String(repeating: "y", count: 71) + "\"]"
        let outcome = frameWithAssembler([Array((exact + long).utf8)], mode: .concatenated, limits: limits)
        #expect(outcome.frames.count == 1)
        #expect(outcome.failure?.code == .tokenTooLarge)
        #expect(outcome.failure?.offset == exact.utf8.count + 3 + 70)
        let number = frameWithAssembler([Array(String(repeating: "9", count: 80).utf8)], mode: .concatenated, limits: limits)
        #expect(number.failure?.code == .tokenTooLarge && number.failure?.offset == 70)
    }

    @Test(arguments: [#"{"a":[1,2"#, #"["abc"#, #""open"#, #"{"k":"\"#])
    func truncatedFinalDocumentFailsAtFinalize(text: String) {
        let bytes = Array(("[0] " + text).utf8)
        for cut in 0...bytes.count {
            let outcome = frameWithAssembler(chunks(of: bytes, cuts: [cut]), mode: .concatenated)
            #expect(outcome.frames.count == 1)
            #expect(outcome.failure == .init(code: .unexpectedEndOfInput, offset: bytes.count, line: 1, column: bytes.count + 1))
        }
    }

    @Test func scalarAtTheEndIsReportedByFinalize() throws {
        var assembler = JSONFramingAssembler(mode: .concatenated)
        var frames: [JSONFrame] = []
        try assembler.feed(Array("1 23".utf8)) { frames.append($0) }
        #expect(frames == [JSONFrame(index: 0, offset: 0, length: 1)])
        try assembler.finalize { frames.append($0) }
        #expect(frames.last == JSONFrame(index: 1, offset: 2, length: 2, line: 1, column: 3))
    }

    @Test(arguments: [
        ("{} }", JSONParseError.Code.unexpectedByte, 3, JSONFramingAssembler.Mode.concatenated),
        ("1,2", .unexpectedByte, 1, .concatenated),
        ("{}\n@", .unexpectedByte, 3, .newlineDelimited),
        ("{} {}\n", .trailingContent, 3, .newlineDelimited),
        ("{\"a\":\n1}", .unexpectedEndOfInput, 5, .newlineDelimited),
        ("\"a\nb\"", .unexpectedEndOfInput, 2, .newlineDelimited),
    ])
    func malformedStreamsFailAtTheOffendingByte(
        text: String, code: JSONParseError.Code, offset: Int, mode: JSONFramingAssembler.Mode
    ) {
        let bytes = Array(text.utf8)
        let outcome = frameWithAssembler([bytes], mode: mode)
        #expect(outcome.failure?.code == code)
        #expect(outcome.failure?.offset == offset)
        #expect(outcome == FramingOracle.frame(bytes, mode: mode))
    }

    @Test func errorsAreStickyAndCarryLineAndColumn() throws {
        var assembler = JSONFramingAssembler(mode: .concatenated)
        try assembler.feed(Array("{\"a\":\n  1}\n".utf8)) { _ in }
        var first: JSONParseError?
        do { try assembler.feed(Array("  ]".utf8)) { _ in } } catch let error as JSONParseError { first = error }
        #expect(first?.offset == 13 && first?.line == 3 && first?.column == 3)
        #expect(throws: JSONParseError.self) { try assembler.feed(Array("{}".utf8)) { _ in } }
        #expect(throws: JSONParseError.self) { try assembler.finalize() }
    }
}
