import SluiceJSON
import SluiceTestKit
import Testing

/// Finalize semantics: a valid document cut short anywhere is an `unexpectedEndOfInput` error from
/// `finalize()` at the cut, every time, never a silent success and never a wait for more input.
@Suite struct JSONTruncationTests {
    /// Feeds `prefix`, reads everything, then finalizes; returns the error and whether it came from finalize.
    private func truncatedOutcome(_ prefix: ArraySlice<UInt8>) -> (error: JSONParseError?, atFinalize: Bool) {
        var reader = JSONTokenReader()
        var tokens: [JSONToken] = []
        do throws(JSONParseError) {
            try reader.feed(prefix, into: &tokens)
        } catch {
            return (error, false)
        }
        do throws(JSONParseError) {
            try reader.finalize(into: &tokens)
        } catch {
            return (error, true)
        }
        return (nil, true)
    }

    private func expectTruncationFails(_ bytes: [UInt8], at cut: Int, _ context: String) {
        let outcome = truncatedOutcome(bytes[..<cut])
        #expect(outcome.atFinalize, "error before finalize, cut \(cut), \(context)")
        #expect(outcome.error?.code == .unexpectedEndOfInput, "cut \(cut), \(context): \(String(describing: outcome.error))")
        #expect(outcome.error?.offset == cut, "cut \(cut), \(context)")
    }

    /// The end of the last significant byte: cutting anywhere before it truncates the document.
    private func significantEnd(_ bytes: [UInt8]) -> Int {
        var end = bytes.count
        while end > 0, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[end - 1]) { end -= 1 }
        return end
    }

    @Test func everyCutOfSmallValidDocumentsFails() throws {
        let files = ConformanceFiles.names.filter { $0.hasPrefix("y_") }
        var checked = 0
        for file in files {
            let bytes = try ConformanceFiles.bytes(file)
            // Top-level scalars such as `12` stay valid when cut; containers and strings never do.
            guard let first = bytes.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }),
                first == 0x5B || first == 0x7B || first == 0x22
            else { continue }
            for cut in 0..<significantEnd(bytes) { expectTruncationFails(bytes, at: cut, file) }
            checked += 1
        }
        #expect(checked > 80)
    }

    @Test func everyCutOfGeneratedDocumentsFails() {
        let seed = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0005).seed
        var generator = RandomJSONGenerator(seed: seed)
        for round in 0..<60 {
            let bytes = generator.document(maxDepth: 3, maxWidth: 4).bytes
            for cut in 0..<significantEnd(bytes) { expectTruncationFails(bytes, at: cut, "seed \(seed) round \(round)") }
        }
    }

    @Test(arguments: SharedFixtures.corpusNames)
    func seededCutsOfCorpusFilesFail(name: String) throws {
        let bytes = try SharedFixtures.corpusFile(name)
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0006)
        let end = significantEnd(bytes)
        for cut in [0, 1, end - 1] + (0..<12).map({ _ in Int.random(in: 0..<end, using: &random) }) {
            expectTruncationFails(bytes, at: cut, "\(name), seed \(random.seed)")
        }
    }

    @Test func aNumberAtTheEndIsCompleteOnlyAtFinalize() throws {
        var reader = JSONTokenReader()
        var tokens: [JSONToken] = []
        try reader.feed(Array("12".utf8), into: &tokens)
        try reader.feed(Array("3".utf8), into: &tokens)
        #expect(tokens.isEmpty, "the number may still continue")
        try reader.finalize(into: &tokens)
        #expect(tokens == [.number(JSONSpan(offset: 0, length: 3)), .endOfDocument])
        #expect(reader.int64(for: JSONSpan(offset: 0, length: 3)) == 123)
        #expect(reader.isComplete)
    }

    @Test func emptyInputIsAnErrorForOneDocumentButNotForMany() {
        var single = JSONTokenReader()
        #expect(throws: JSONParseError.self) { try single.finalize() }
        var many = JSONTokenReader(allowsMultipleDocuments: true)
        many.feed(Array(" \n".utf8))
        #expect(throws: Never.self) { try many.finalize() }
    }

    @Test func finalizeChecksInputThatWasNotReadYet() throws {
        var reader = JSONTokenReader()
        reader.feed(Array(#"{"a": [1, 2"#.utf8))
        #expect(throws: JSONParseError.self) { try reader.finalize() }
        var complete = JSONTokenReader()
        complete.feed(Array(#"{"a": [1, 2]}"#.utf8))
        try complete.finalize()
        var tokens: [JSONToken] = []
        try complete.drain(into: &tokens)
        #expect(tokens.count == 8)
    }
}
