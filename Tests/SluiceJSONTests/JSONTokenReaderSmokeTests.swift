import SluiceJSON
import Testing

@Suite struct JSONTokenReaderSmokeTests {
    @Test func readsASmallDocument() throws {
        var reader = JSONTokenReader()
        var tokens: [JSONToken] = []
        try reader.feed(Array(#"{"a": [1, -2.5e3, "x\n", true, false, null]}"#.utf8), into: &tokens)
        try reader.finalize(into: &tokens)
        #expect(tokens.count == 12)
        let value = try JSONValue(parsing: Array(#"{"a": [1, -2.5e3, "x\n\u00e9\ud83d\ude00", true, false, null]}"#.utf8))
        #expect(value["a"]?[1] == .number(.double(-2500)))
        #expect(value["a"]?[2] == .string("x\né😀"))
    }
}
