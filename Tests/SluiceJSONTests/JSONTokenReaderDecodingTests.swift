import SluiceJSON
import SluiceTestKit
import Testing

/// On-demand decoding of spans: unescaped strings, Int64, Double and exact number text.
@Suite struct JSONTokenReaderDecodingTests {
    /// Reads `text` whole and returns the reader (spans still valid) and its tokens.
    private func read(_ text: String) throws -> (JSONTokenReader, [JSONToken]) {
        var reader = JSONTokenReader()
        var tokens: [JSONToken] = []
        try reader.feed(Array(text.utf8), into: &tokens)
        try reader.finalize(into: &tokens)
        return (reader, tokens)
    }

    private func span(_ token: JSONToken) -> JSONSpan? {
        switch token {
        case .key(let span), .string(let span), .number(let span): span
        default: nil
        }
    }

    @Test func stringsAreUnescaped() throws {
        let (reader, tokens) = try read(#"["plain", "a\"b\\c\/d\be\ff\ng\rh\ti", "\u00e9\u4E2D\uD83D\uDE00", "é中😀", ""]"#)
        let strings = tokens.compactMap(span).map { reader.string(for: $0) }
        #expect(strings == ["plain", "a\"b\\c/d\u{08}e\u{0C}f\ng\rh\ti", "é中😀", "é中😀", ""])
        #expect(tokens.compactMap(span).map(\.flag) == [false, true, true, false, false])
        #expect(reader.string(for: span(tokens[1])!, equals: "plain"))
        #expect(!reader.string(for: span(tokens[1])!, equals: "plainer"))
    }

    @Test func numbersDecode() throws {
        let (reader, tokens) = try read(
            "[0, -0, 42, -9223372036854775808, 9223372036854775807, 9223372036854775808, 1.5, -2.5e-3, 1E400, 0.1]")
        let spans = tokens.compactMap(span)
        #expect(spans.map { reader.int64(for: $0) } == [0, 0, 42, .min, .max, nil, nil, nil, nil, nil])
        #expect(reader.number(for: spans[5]) == .bigInteger("9223372036854775808"))
        #expect(reader.double(for: spans[6]) == 1.5)
        #expect(reader.double(for: spans[7]) == -0.0025)
        #expect(reader.double(for: spans[8]) == .infinity)
        #expect(reader.double(for: spans[9]) == 0.1)
        #expect(reader.numberText(for: spans[7]) == "-2.5e-3")
        #expect(spans.map(\.flag) == [false, false, false, false, false, false, true, true, true, true])
    }

    @Test func doublesAreCorrectlyRounded() throws {
        let texts = ["2.2250738585072014e-308", "4.9406564584124654e-324", "1.7976931348623157e308", "9007199254740993",
                     "0.30000000000000004", "123456789012345678901234567890e-10", "1e23", "8.98846567431158e307"]
        for text in texts {
            let (reader, tokens) = try read(text)
            #expect(reader.double(for: span(tokens[0])!) == Double(text), "\(text)")
        }
    }

    @Test(arguments: ["canada", "mesh", "numbers"])
    func corpusNumbersMatchSwiftDoubleParsing(name: String) throws {
        let (reader, tokens) = try read(String(decoding: try SharedFixtures.corpusFile(name), as: UTF8.self))
        var mismatches: [String] = []
        for case .number(let span) in tokens {
            let text = reader.numberText(for: span)
            if reader.double(for: span) != Double(text) { mismatches.append(text) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func withBytesGivesTheRawText() throws {
        let (reader, tokens) = try read(#"{"k\n": 1}"#)
        let raw = reader.withBytes(of: span(tokens[1])!) { Array($0) }
        #expect(raw == Array(#"k\n"#.utf8))
    }

    @Test func spansStayValidAcrossReadsUntilTheNextFeed() throws {
        var reader = JSONTokenReader()
        reader.feed(Array(#"["abc", "def""#.utf8))
        let buffer = UnsafeMutableBufferPointer<JSONToken>.allocate(capacity: 2)
        defer { buffer.deallocate() }
        var tokens: [JSONToken] = []
        while case let count = try reader.read(into: buffer), count > 0 { tokens += buffer[..<count] }
        #expect(tokens.count == 3)
        #expect(reader.string(for: span(tokens[1])!) == "abc")
        #expect(reader.string(for: span(tokens[2])!) == "def")
    }

    @Test func multipleDocuments() throws {
        var reader = JSONTokenReader(allowsMultipleDocuments: true)
        var tokens: [JSONToken] = []
        try reader.feed(Array("{\"a\":1}\n[2]\n3 \"x\"true null{}".utf8), into: &tokens)
        try reader.finalize(into: &tokens)
        #expect(tokens.filter { $0 == .endOfDocument }.count == 7)
        #expect(reader.documentsCompleted == 7)
        #expect(reader.bytesFed == 28)
    }
}
