import SluiceJSON
import Testing

@testable import SluiceManifest

/// Predicates and field paths: parsing, jq's truthiness and ordering.
@Suite struct PredicateTests {
    static let document = try! JSONDocumentParser.parse(Array(#"""
        {"level":"error","code":503,"ratio":0.5,"ok":false,"tags":["a","b"],"nested":{"x":{"y":7}},"none":null}
        """#.utf8))  // a literal that parses: checked by every test below

    @Test(arguments: [
        (#".level == "error""#, true), (#".level != "error""#, false), (".code >= 500", true), (".code < 500.5", false),
        (".ratio == 0.5", true), (".code == 503.0", true), (".ok", false), (".none", false), (".missing", false),
        (".tags", true), (".tags[1] == \"b\"", true), (".nested.x.y > 6", true), ("not .ok", true),
        ("!.ok and .code > 1", true), (#".level == "warn" or (.code >= 500 and .ratio < 1)"#, true),
        (".missing == null", true), (".ok < true", true), (#".code < "a""#, true), ("$.nested.x.y == 7", true),
        (#".["level"] == 'error'"#, true),
    ])
    func predicatesFollowJQ(_ text: String, _ expected: Bool) throws {
        #expect(try Predicate(parsing: text).evaluate(Self.document) == expected, "\(text)")
    }

    /// Strings compare by Unicode scalars, as in jq: a composed and a decomposed "é" differ (Swift's `==` calls
    /// them equal), and the order is the scalars' order, including past the ASCII range and on prefixes.
    @Test func stringsCompareByScalarsAsJQDoes() throws {
        #expect(JSONOrdering.compare("\u{e9}", "e\u{301}") == 1)
        #expect(JSONOrdering.compare(JSONValue.string("\u{e9}"), .string("e\u{301}")) != 0)
        #expect(JSONOrdering.compare("abc", "abd") == -1)
        #expect(JSONOrdering.compare("ab", "abc") == -1)
        #expect(JSONOrdering.compare("\u{10000}", "\u{ffff}") == 1)
        #expect(JSONOrdering.compare("z", "\u{e9}") == -1)
        #expect(JSONOrdering.compare("", "") == 0)
        let composed = JSONValue.object([JSONMember(key: "k", value: .string("\u{e9}"))])
        #expect(try Predicate(parsing: ".k == \"e\u{301}\"").evaluate(composed) == false)
        #expect(try Predicate(parsing: ".k == \"\u{e9}\"").evaluate(composed) == true)
    }

    /// String literals in predicates read JSON's escapes as jq does: `\u00e9` is "é" (before, it was the text
    /// "u00e9"), `\r`, `\b`, `\f`, `\/`, and a surrogate pair is one scalar; a lone surrogate or a short `\u` is an
    /// error saying where.
    @Test func stringLiteralsReadJSONEscapes() throws {
        let document = JSONValue.object([
            JSONMember(key: "s", value: .string("\u{e9}")), JSONMember(key: "r", value: .string("a\r\u{8}\u{c}/b")),
            JSONMember(key: "e", value: .string("\u{1F600}")),
        ])
        #expect(try Predicate(parsing: #".s == "\u00e9""#).evaluate(document))
        #expect(try Predicate(parsing: #".s == "\u00E9""#).evaluate(document))
        #expect(try Predicate(parsing: #".r == "a\r\b\f\/b""#).evaluate(document))
        #expect(try Predicate(parsing: #".e == "\ud83d\ude00""#).evaluate(document))
        for (text, offset) in [(#".e == "\ud83d""#, 7), (#".e == "\ude00""#, 7), (#".s == "\u00e""#, 7)] {
            let error = #expect(throws: FieldPathError.self) { try Predicate(parsing: text) }
            #expect(error?.offset == offset, "\(text): \(String(describing: error))")
        }
    }

    @Test(arguments: [("", 0), (".a ==", 5), (".a = 1", 3), ("(.a == 1", 8), (".a == 1 extra", 8), ("..a", 1)])
    func badPredicatesSayWhere(_ text: String, _ offset: Int) {
        let error = #expect(throws: FieldPathError.self) { try Predicate(parsing: text) }
        #expect(error?.offset == offset, "\(text): \(String(describing: error))")
    }

    @Test func projectionPushdownKeepsOnlyTheFieldsRead() throws {
        let plan = try ManifestCompiler.compile(try ManifestReader().read(text: """
            source: file:x
            stages:
              - filter: .level == "error" and .nested.x.y > 1
              - project: [code, {t: .tags}]
              - filter: .code > 1
            sink: "stdout:"
            """, file: "m.yaml"))
        let tree = try #require(FieldTree.needed(by: plan.segments))
        #expect(tree.children.map(\.name) == ["level", "nested", "code", "tags"])
        let decoder = JSONProjectingParser(selection: tree.selection)
        let bytes = Array(#"{"level":"error","code":503,"ratio":0.5,"nested":{"x":{"y":7},"z":1},"tags":["a"]}"#.utf8)
        let value = try #require(bytes.withUnsafeBytes { decoder.parse($0) })
        #expect(value == (try JSONDocumentParser.parse(Array(#"{"level":"error","code":503,"nested":{"x":{"y":7}},"tags":["a"]}"#.utf8))))
        // Invalid and non-object documents fall back to the full parser.
        #expect(Array(#"{"level":tru}"#.utf8).withUnsafeBytes { decoder.parse($0) } == nil)
        #expect(Array("[1]".utf8).withUnsafeBytes { decoder.parse($0) } == nil)
        #expect(bytes.withUnsafeBytes { decoder.parse($0) } == value)
    }

    @Test func aPipelineThatKeepsWholeDocumentsDecodesThemWhole() throws {
        let plan = try ManifestCompiler.compile(try ManifestReader().read(text: """
            source: file:x
            stages:
              - filter: .level == "error"
            sink: "stdout:"
            """, file: "m.yaml"))
        #expect(FieldTree.needed(by: plan.segments) == nil)
    }
}
