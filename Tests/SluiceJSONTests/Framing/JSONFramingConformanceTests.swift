import Foundation
import SluiceJSON
import SluiceTestKit
import Testing

/// The JSONTestSuite parsing files through the framers: a valid document always frames as exactly
/// one frame, and no file, valid or not, crashes, hangs or frames differently in 1-byte chunks.
@Suite struct JSONFramingConformanceTests {
    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: SharedFixtures.conformanceDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func bytes(of name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: SharedFixtures.conformanceDirectory.appendingPathComponent(name)))
    }

    @Test func theSuiteIsThere() {
        #expect(Self.files.count > 300, "JSONTestSuite files not found in \(SharedFixtures.conformanceDirectory.path)")
    }

    @Test(arguments: files)
    func framingAgreesWithTheOracleInOneByteChunks(name: String) throws {
        let bytes = try Self.bytes(of: name)
        for mode in [JSONFramingAssembler.Mode.concatenated, .newlineDelimited] {
            let expected = FramingOracle.frame(bytes, mode: mode)
            #expect(frameWithAssembler([bytes], mode: mode) == expected, "\(name) \(mode)")
            #expect(frameWithAssembler(bytes.map { [$0] }, mode: mode) == expected, "\(name) \(mode) 1-byte chunks")
        }
        if name.hasPrefix("y_") {
            let outcome = frameWithAssembler([bytes], mode: .concatenated)
            #expect(outcome.failure == nil, "\(name)")
            #expect(outcome.frames.count == 1, "\(name)")
            let value = try JSONDocumentParser.parse(bytes)
            var materializer = JSONStreamingMaterializer(mode: .concatenated)
            var values: [JSONValue] = []
            try materializer.feed(bytes) { value, _ in values.append(value) }
            try materializer.finalize { value, _ in values.append(value) }
            #expect(values == [value], "\(name)")
        }
    }
}
