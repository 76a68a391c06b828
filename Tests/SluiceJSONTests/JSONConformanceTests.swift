import SluiceJSON
import SluiceTestKit
import Testing

/// JSONTestSuite: `y_` files are accepted, `n_` files rejected, `i_` files either, never a crash or a hang.
/// Each file goes through the reader whole, in 1-byte chunks, and through the materializer, on both scan paths;
/// the SIMD path must also agree with the scalar one (the reference) token for token and error for error.
@Suite struct JSONConformanceTests {
    @Test func suiteIsPresent() {
        #expect(ConformanceFiles.names.count > 300, "JSONTestSuite not found at \(SharedFixtures.conformanceDirectory.path)")
    }

    @Test(arguments: ConformanceFiles.names, JSONScanPath.allCases)
    func conformance(file: String, scanPath: JSONScanPath) throws {
        let bytes = try ConformanceFiles.bytes(file)
        let whole = TokenRecorder.whole(bytes, scanPath: scanPath)
        let byteByByte = TokenRecorder.run(bytes, chunkSize: 1, bufferSize: 2, scanPath: scanPath)
        #expect(byteByByte == whole, "1-byte chunks disagree with the whole buffer")
        if scanPath != .scalar {
            #expect(whole == TokenRecorder.whole(bytes, scanPath: .scalar), "the \(scanPath) path disagrees with the scalar one")
        }
        let materialized = Result { () throws(JSONParseError) -> JSONValue in try JSONValue(parsing: bytes) }
        switch file.first {
        case "y":
            #expect(whole.error == nil, "valid file rejected: \(String(describing: whole.error))")
            #expect(TokenInvariantChecker.violation(in: whole.tokens.map(\.token)) == nil)
            #expect(throws: Never.self) { try materialized.get() }
        case "n":
            #expect(whole.error != nil, "invalid file accepted")
            #expect(throws: JSONParseError.self) { try materialized.get() }
        default:
            // Either answer, as long as every path gives the same one.
            #expect((whole.error == nil) == ((try? materialized.get()) != nil))
        }
        if let error = whole.error, case .failure(let materializerError) = materialized {
            #expect(materializerError == error, "the materializer reports a different error")
        }
    }
}
