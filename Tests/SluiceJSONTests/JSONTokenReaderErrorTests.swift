import SluiceJSON
import SluiceTestKit
import Testing

/// Errors name the offset, line, column, path and what was expected; limits have their own codes;
/// a failed reader stays failed.
@Suite struct JSONTokenReaderErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var text: String
        var code: JSONParseError.Code
        var offset: Int
        var line: Int
        var column: Int
        var path: String
        var testDescription: String { text.debugDescription }
    }

    static let cases: [Case] = [
        Case(text: "[1, 2,]", code: .unexpectedByte, offset: 6, line: 1, column: 7, path: "$[2]"),
        Case(text: "{\n  \"a\": {\"b\": [true, fals]}}", code: .invalidLiteral, offset: 26, line: 2, column: 25, path: "$.a.b[1]"),
        Case(text: "{\"a\" 1}", code: .unexpectedByte, offset: 5, line: 1, column: 6, path: "$.a"),
        Case(text: "[\"x\ty\"]", code: .controlCharacterInString, offset: 3, line: 1, column: 4, path: "$[0]"),
        Case(text: "[\"\\q\"]", code: .invalidEscape, offset: 3, line: 1, column: 4, path: "$[0]"),
        Case(text: "[\"\\u12G4\"]", code: .invalidUnicodeEscape, offset: 6, line: 1, column: 7, path: "$[0]"),
        Case(text: "[\"\\uD800x\"]", code: .invalidUnicodeEscape, offset: 8, line: 1, column: 9, path: "$[0]"),
        Case(text: "[-]", code: .invalidNumber, offset: 2, line: 1, column: 3, path: "$[0]"),
        Case(text: "[1.e5]", code: .invalidNumber, offset: 3, line: 1, column: 4, path: "$[0]"),
        Case(text: "[01]", code: .unexpectedByte, offset: 2, line: 1, column: 3, path: "$[0]"),
        Case(text: "{} {}", code: .trailingContent, offset: 3, line: 1, column: 4, path: "$"),
        Case(text: "{\"a\":\n[1,\n2", code: .unexpectedEndOfInput, offset: 11, line: 3, column: 2, path: "$.a[1]"),
        Case(text: "{\"key with space\":[}", code: .unexpectedByte, offset: 19, line: 1, column: 20, path: "$[\"key with space\"][0]"),
        Case(text: "[\"\u{00e9}\"]", code: .invalidUTF8, offset: 0, line: 1, column: 1, path: "$"),
    ]

    @Test(arguments: cases)
    func errorCarriesPosition(_ testCase: Case) {
        var bytes = Array(testCase.text.utf8)
        var expected = testCase
        if testCase.code == .invalidUTF8 {
            // A Latin-1 'é' (0xE9) followed by a quote: a lead byte without its continuation bytes.
            bytes = [0x5B, 0x22, 0xE9, 0x22, 0x5D]
            expected.offset = 3
            expected.column = 4
            expected.path = "$[0]"
        }
        for chunkSize in [bytes.count, 1, 2, 3] {
            let run = TokenRecorder.run(bytes, chunkSize: chunkSize)
            guard let error = run.error else {
                Issue.record("no error for \(testCase.text.debugDescription), chunk size \(chunkSize)")
                continue
            }
            #expect(error.code == expected.code, "\(error)")
            #expect(error.offset == expected.offset, "\(error)")
            #expect(error.line == expected.line, "\(error)")
            #expect(error.column == expected.column, "\(error)")
            #expect(error.path == expected.path, "\(error)")
        }
    }

    @Test func messageSaysWhatWasExpected() {
        let error = TokenRecorder.whole(Array("{\"a\" 1}".utf8)).error
        #expect(error?.message == "expected ':', found '1'")
    }

    @Test func pathKeepsKeysThatLeftTheWindow() {
        // The key is in an earlier chunk than the error, so the reader must have saved it.
        let bytes = Array("{\"outer\": {\"inner\": [1, 2, x]}}".utf8)
        for chunkSize in [1, 4, 9, bytes.count] {
            #expect(TokenRecorder.run(bytes, chunkSize: chunkSize).error?.path == "$.outer.inner[2]")
        }
    }

    @Test func failedReaderStaysFailed() throws {
        var reader = JSONTokenReader()
        var tokens: [JSONToken] = []
        let first = #expect(throws: JSONParseError.self) { try reader.feed(Array("[1, }".utf8), into: &tokens) }
        #expect(tokens == [.beginArray, .number(JSONSpan(offset: 1, length: 1))], "tokens before the error are delivered")
        let second = #expect(throws: JSONParseError.self) { try reader.feed(Array("2]".utf8), into: &tokens) }
        let third = #expect(throws: JSONParseError.self) { try reader.finalize() }
        #expect(first == second && second == third)
    }

    @Test func depthLimit() {
        let limits = JSONLimits(maxDepth: 3)
        #expect(TokenRecorder.whole(Array("[[[1]]]".utf8), limits: limits).error == nil)
        let error = TokenRecorder.run(Array("[[[[1]]]]".utf8), chunkSize: 1, limits: limits).error
        #expect(error?.code == .depthLimitExceeded)
        #expect(error?.offset == 3)
        let deep = [UInt8](repeating: 0x5B, count: 100_000)
        #expect(TokenRecorder.whole(deep).error?.code == .depthLimitExceeded, "the default limit stops deep nesting")
    }

    @Test func tokenLengthLimit() {
        let limits = JSONLimits(maxTokenLength: 4)
        for chunkSize in [1, 3, 100] {
            #expect(TokenRecorder.run(Array("[\"abcd\", 1234]".utf8), chunkSize: chunkSize, limits: limits).error == nil)
            let string = TokenRecorder.run(Array("[\"abcde\"]".utf8), chunkSize: chunkSize, limits: limits).error
            #expect(string?.code == .tokenTooLarge)
            #expect(string?.offset == 6)
            let number = TokenRecorder.run(Array("[12345]".utf8), chunkSize: chunkSize, limits: limits).error
            #expect(number?.code == .tokenTooLarge)
            #expect(number?.offset == 5)
            let escaped = TokenRecorder.run(Array("[\"ab\\u0041\"]".utf8), chunkSize: chunkSize, limits: limits).error
            #expect(escaped?.code == .tokenTooLarge, "the limit counts input bytes")
            #expect(escaped?.offset == 6)
        }
    }

    @Test func documentSizeLimit() {
        let limits = JSONLimits(maxDocumentSize: 8)
        for chunkSize in [1, 5, 100] {
            let fits = TokenRecorder.run(Array("[1,2,34]  [5]".utf8), chunkSize: chunkSize, limits: limits, multipleDocuments: true)
            #expect(fits.error == nil)
            let tooBig = TokenRecorder.run(Array(" [1,2,3,4]".utf8), chunkSize: chunkSize, limits: limits).error
            #expect(tooBig?.code == .documentTooLarge)
            #expect(tooBig?.offset == 9)
            let longString = TokenRecorder.run(Array("[\"abcdefgh\"]".utf8), chunkSize: chunkSize, limits: limits).error
            #expect(longString?.code == .documentTooLarge)
            #expect(longString?.offset == 8)
            #expect(TokenRecorder.run(Array("12345678".utf8), chunkSize: chunkSize, limits: limits).error == nil)
            #expect(TokenRecorder.run(Array("123456789".utf8), chunkSize: chunkSize, limits: limits).error?.code == .documentTooLarge)
        }
    }

    @Test func limitsAreCheckedInBoundedMemory() {
        // A huge string under a small limit fails at the limit instead of buffering everything.
        var reader = JSONTokenReader(limits: JSONLimits(maxTokenLength: 1000))
        var tokens: [JSONToken] = []
        #expect(throws: JSONParseError.self) {
            try reader.feed(Array("\"".utf8), into: &tokens)
            for _ in 0..<100 { try reader.feed([UInt8](repeating: 0x61, count: 100), into: &tokens) }
        }
    }
}

/// Boundaries where a limit and the end of a token meet.
@Suite struct JSONTokenReaderLimitBoundaryTests {
    @Test func closingQuoteExactlyAtTheTokenLimitIsAccepted() {
        let limits = JSONLimits(maxTokenLength: 3)
        for chunkSize in [1, 2, 100] {
            #expect(TokenRecorder.run(Array("{\"abc\":\"\\n\\t\"}".utf8), chunkSize: chunkSize, limits: limits).error?.code == .tokenTooLarge)
            #expect(TokenRecorder.run(Array("{\"abc\":\"\\nx\"}".utf8), chunkSize: chunkSize, limits: limits).error == nil)
            #expect(TokenRecorder.run(Array("[\"é\"]".utf8), chunkSize: chunkSize, limits: JSONLimits(maxTokenLength: 1)).error?.code == .tokenTooLarge)
        }
    }

    @Test func aLongTokenAcrossManySmallChunksIsReadOnce() throws {
        // 200 KB string in 64-byte chunks: the carry-over is compacted only when it pays.
        var reader = JSONTokenReader()
        var tokens: [JSONToken] = []
        try reader.feed(Array("[\"".utf8), into: &tokens)
        let piece = [UInt8](repeating: 0x61, count: 64)
        for _ in 0..<3_200 { try reader.feed(piece, into: &tokens) }
        try reader.feed(Array("\"]".utf8), into: &tokens)
        try reader.finalize(into: &tokens)
        guard case .string(let span) = tokens[1] else {
            Issue.record("expected a string, got \(tokens)")
            return
        }
        #expect(span.length == 204_800)
        #expect(tokens.count == 4)
    }
}
