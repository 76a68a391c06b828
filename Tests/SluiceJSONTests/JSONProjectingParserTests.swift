import SluiceTestKit
import Testing

@testable import SluiceJSON

/// `JSONProjectingParser` against its oracle, the full parser followed by `JSONFieldSelection.project`: a document
/// it accepts is one the full parser accepts, with the same selected values; a valid object document within the
/// limits is never refused.
@Suite struct JSONProjectingParserTests {
    /// What the projecting parser answered, checked against the full parser. Returns a failure message, or nil.
    static func disagreement(_ bytes: [UInt8], _ selection: JSONFieldSelection, limits: JSONLimits = .default) -> String? {
        let parser = JSONProjectingParser(selection: selection, limits: limits)
        let projected = bytes.withUnsafeBytes { parser.parse($0) }
        // The oracle: the token reader and the materializer, not `JSONDocumentParser.parse`, which tries this parser first.
        let full = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) -> JSONValue in try JSONDocumentParser.parseThroughTokens(raw, limits: limits) }
        }
        switch (projected, full) {
        case (let value?, .success(let whole)):
            let expected = selection.project(whole)
            return value == expected ? nil : "projected \(value), the oracle gives \(expected)"
        case (_?, .failure(let error)):
            return "accepted a document the full parser rejects (\(error))"
        case (nil, .success(let whole)):
            // Refusing a valid document is allowed only where the full parser must answer: not an object under a
            // partial selection, or nested as deep as the depth limit.
            if !selection.isWhole, case .object = whole {} else if !selection.isWhole { return nil }
            return depth(of: whole) >= limits.maxDepth ? nil : "refused a valid document"
        case (nil, .failure):
            return nil
        }
    }

    static func depth(of value: JSONValue) -> Int {
        switch value {
        case .object(let members): 1 + (members.map { depth(of: $0.value) }.max() ?? 0)
        case .array(let elements): 1 + (elements.map { depth(of: $0) }.max() ?? 0)
        default: 0
        }
    }

    static let selections: [JSONFieldSelection] = [
        .whole,
        JSONFieldSelection(),
        JSONFieldSelection(members: [.init(name: "a", selection: .whole), .init(name: "", selection: .whole)]),
        JSONFieldSelection(members: [
            .init(name: "foo", selection: .whole),
            .init(name: "a", selection: JSONFieldSelection(members: [.init(name: "b", selection: .whole)])),
        ]),
    ]

    /// Every JSONTestSuite file, under several selections: `y_` files accepted (or refused only as allowed), `n_`
    /// files never accepted, `i_` files as the full parser decides.
    @Test(arguments: ConformanceFiles.names)
    func conformance(file: String) throws {
        let bytes = try ConformanceFiles.bytes(file)
        for selection in Self.selections {
            #expect(Self.disagreement(bytes, selection) == nil, "\(file), selection \(selection)")
        }
    }

    /// `JSONDocumentParser.parse`, which tries the one-pass parser first, gives the token path's value or error on
    /// every conformance file and on the corpus.
    @Test(arguments: ConformanceFiles.names)
    func documentParserAgreesWithTheTokenPath(file: String) throws {
        let bytes = try ConformanceFiles.bytes(file)
        let fast = Result { () throws(JSONParseError) -> JSONValue in try JSONDocumentParser.parse(bytes, baseOffset: 7) }
        let tokens = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) -> JSONValue in try JSONDocumentParser.parseThroughTokens(raw, baseOffset: 7) }
        }
        switch (fast, tokens) {
        case (.success(let a), .success(let b)): #expect(a == b)
        case (.failure(let a), .failure(let b)): #expect(a == b)
        default: Issue.record("\(file): \(fast) against the token path's \(tokens)")
        }
    }

    @Test func documentParserAgreesWithTheTokenPathOnTheCorpus() throws {
        for name in SharedFixtures.corpusNames {
            let bytes = try SharedFixtures.corpusFile(name)
            let tokens = try bytes.withUnsafeBytes { raw in try JSONDocumentParser.parseThroughTokens(raw) }
            #expect(try JSONDocumentParser.parse(bytes) == tokens, "\(name)")
        }
    }

    @Test func selectsNestedMembersInDocumentOrderAndKeepsTheFirstOfADuplicate() throws {
        let selection = JSONFieldSelection(members: [
            .init(name: "ts", selection: .whole),
            .init(name: "meta", selection: JSONFieldSelection(members: [.init(name: "region", selection: .whole)])),
            .init(name: "k\u{e9}y", selection: .whole),
        ])
        let bytes = Array(#"{"meta":{"ok":true,"region":"eu"},"k\u00e9y":"x","ts":1,"ts":2,"rest":[1,{"a":null}]}"#.utf8)
        let value = try #require(bytes.withUnsafeBytes { JSONProjectingParser(selection: selection).parse($0) })
        #expect(value == .object([
            JSONMember(key: "meta", value: .object([JSONMember(key: "region", value: .string("eu"))])),
            JSONMember(key: "k\u{e9}y", value: .string("x")),
            JSONMember(key: "ts", value: .number(.int(1))),
        ]))
        #expect(Self.disagreement(bytes, selection) == nil)
    }

    @Test func refusesInvalidBytesAfterTheSelectedMembers() {
        let selection = JSONFieldSelection(members: [.init(name: "a", selection: .whole)])
        for text in [#"{"a":1,"b":[1,2}"#, #"{"a":1,"b":"\ud800"}"#, #"{"a":1,"b":01}"#, #"{"a":1} x"#, #"{"a":1,"b":tru}"#,
                     "{\"a\":1,\"b\":\"\u{1}\"}", #"{"a":1,"b":-}"#, #"{"a":1,"b":1.}"#, #"{"a":1,"b":1e}"#] {
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBytes { JSONProjectingParser(selection: selection).parse($0) } == nil, "\(text)")
            #expect(Self.disagreement(bytes, selection) == nil, "\(text)")
        }
        // Invalid UTF-8 (an overlong encoding, a UTF-8 surrogate, a cut sequence) after the member.
        for tail: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82]] {
            let bytes = Array(#"{"a":1,"b":""#.utf8) + tail + Array(#""}"#.utf8)
            #expect(bytes.withUnsafeBytes { JSONProjectingParser(selection: selection).parse($0) } == nil)
        }
    }

    @Test func leavesDocumentsAtTheLimitsToTheFullParser() {
        let selection = JSONFieldSelection(members: [.init(name: "a", selection: .whole)])
        let deep = Array((#"{"a":"# + String(repeating: "[", count: 4) + String(repeating: "]", count: 4) + "}").utf8)
        let limits = JSONLimits(maxDepth: 4)
        #expect(deep.withUnsafeBytes { JSONProjectingParser(selection: selection, limits: limits).parse($0) } == nil)
        #expect(Self.disagreement(deep, selection, limits: limits) == nil)
        let long = Array(#"{"a":"0123456789"}"#.utf8)
        #expect(long.withUnsafeBytes { JSONProjectingParser(selection: selection, limits: JSONLimits(maxTokenLength: 8)).parse($0) } == nil)
    }

    /// Seeded random documents, valid and then mutated (a byte replaced, inserted or deleted), under selections
    /// of their own keys: the projecting parser never disagrees with the full parser.
    @Test func agreesWithTheFullParserOnRandomAndMutatedDocuments() {
        let seed = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0020).seed
        var generator = RandomJSONGenerator(seed: seed)
        var random = SeededRandomNumberGenerator(seed: seed ^ 0xABCD)
        let alphabet = Array(#"{}[]":,\ 0123456789.eE+-tfnulrsa"#.utf8) + [0x0A, 0x00, 0x1F, 0x80, 0xC3, 0xA9, 0xED, 0xF4]
        for round in 0..<400 {
            let document = generator.document(maxDepth: 4)
            let selection = Self.selection(from: document.value, using: &random)
            #expect(Self.disagreement(document.bytes, selection) == nil, "seed \(seed) round \(round), valid document")
            for mutation in 0..<8 {
                var bytes = document.bytes
                let index = Int.random(in: 0..<max(1, bytes.count), using: &random)
                let byte = alphabet.randomElement(using: &random)!
                switch Int.random(in: 0..<3, using: &random) {
                case 0 where !bytes.isEmpty: bytes[index] = byte
                case 1: bytes.insert(byte, at: min(index, bytes.count))
                default: if !bytes.isEmpty { bytes.remove(at: index) }
                }
                #expect(Self.disagreement(bytes, selection) == nil, "seed \(seed) round \(round) mutation \(mutation): \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }

    /// A random selection of the keys `value` holds, nested where the value is an object.
    static func selection(from value: JSONValue, using random: inout SeededRandomNumberGenerator) -> JSONFieldSelection {
        guard case .object(let members) = value, !members.isEmpty else { return .whole }
        var chosen: [JSONFieldSelection.Member] = []
        for member in members where Bool.random(using: &random) && !chosen.contains(where: { $0.name == member.key }) {
            let nested = Bool.random(using: &random) ? selection(from: member.value, using: &random) : .whole
            chosen.append(.init(name: member.key, selection: nested))
        }
        if Int.random(in: 0..<4, using: &random) == 0 { chosen.append(.init(name: "absent", selection: .whole)) }
        return JSONFieldSelection(members: chosen.shuffled(using: &random))
    }
}
