import SluiceJSON
import Testing

@Suite struct JSONParseErrorTests {
    @Test func descriptionNamesOffsetLineColumnAndPath() {
        let error = JSONParseError(
            code: .invalidNumber, message: "expected a digit after '-'", offset: 17, line: 2, column: 5, path: "$.a[1]")
        #expect(error.description == "offset 17 (line 2, column 5): expected a digit after '-' at $.a[1]")
        #expect(error.code == .invalidNumber)
        #expect(error.code != .invalidString)
    }
}
