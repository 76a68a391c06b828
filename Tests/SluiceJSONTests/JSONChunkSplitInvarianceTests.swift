import SluiceJSON
import SluiceTestKit
import Testing

/// Property: however the input is cut into chunks, the reader emits the same tokens, and the same
/// error at the same offset (with the same line, column, path and message) as for the whole buffer, on both scan
/// paths; and the SIMD path gives exactly what the scalar path (the reference) gives.
@Suite struct JSONChunkSplitInvarianceTests {
    @Test(arguments: SharedFixtures.corpusNames, JSONScanPath.allCases)
    func corpusFileGivesTheSameTokensWhateverTheChunks(name: String, scanPath path: JSONScanPath) throws {
        let bytes = try SharedFixtures.corpusFile(name)
        let whole = TokenRecorder.whole(bytes)
        #expect(whole.error == nil, "\(name): \(String(describing: whole.error))")
        #expect(TokenInvariantChecker.violation(in: whole.tokens.map(\.token)) == nil)
        #expect(TokenRecorder.whole(bytes, scanPath: path) == whole, "\(name) whole, \(path) path")
        #expect(TokenRecorder.run(bytes, chunkSize: 4096, scanPath: path) == whole, "\(name) in 4 KiB chunks")
        // 1-byte chunks on the small files only (debug builds run these tests).
        if bytes.count < 200_000 {
            #expect(TokenRecorder.run(bytes, chunkSize: 1, bufferSize: 2, scanPath: path) == whole, "\(name) in 1-byte chunks")
        } else {
            #expect(TokenRecorder.run(bytes, chunkSize: 7, bufferSize: 3, scanPath: path) == whole, "\(name) in 7-byte chunks")
        }
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0001)
        let cuts = TokenRecorder.randomCuts(count: bytes.count, maxChunk: 3000, using: &random)
        #expect(TokenRecorder.run(bytes, cuts: cuts, bufferSize: 5, scanPath: path) == whole, "\(name), random cuts, seed \(random.seed)")
    }

    @Test func generatedDocumentsGiveTheSameTokensAtEveryCut() {
        let seed = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0002).seed
        var generator = RandomJSONGenerator(seed: seed)
        var random = SeededRandomNumberGenerator(seed: seed ^ 0xFFFF)
        for round in 0..<150 {
            let document = generator.document(maxDepth: 4, maxWidth: 4)
            let bytes = document.bytes
            let whole = TokenRecorder.whole(bytes)
            #expect(whole.error == nil, "seed \(seed) round \(round): \(String(describing: whole.error))")
            expectSameRuns(bytes, whole: whole, random: &random, context: "seed \(seed) round \(round)")
        }
    }

    @Test func corruptedDocumentsGiveTheSameErrorAtEveryCut() {
        let seed = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0003).seed
        var generator = RandomJSONGenerator(seed: seed)
        var random = SeededRandomNumberGenerator(seed: seed ^ 0xFFFF)
        let noise: [UInt8] = [0x00, 0x22, 0x5C, 0x2C, 0x3A, 0x5D, 0x7D, 0x2D, 0x30, 0x65, 0xC3, 0xE2, 0xF0, 0x80, 0xFF, 0x75]
        var failures = 0
        for round in 0..<150 {
            var bytes = generator.document(maxDepth: 3, maxWidth: 4).bytes
            let index = Int.random(in: 0..<bytes.count, using: &random)
            let byte = noise[Int.random(in: 0..<noise.count, using: &random)]
            if Bool.random(using: &random) { bytes[index] = byte } else { bytes.insert(byte, at: index) }
            let whole = TokenRecorder.whole(bytes)
            if whole.error != nil { failures += 1 }
            expectSameRuns(bytes, whole: whole, random: &random, context: "seed \(seed) round \(round)")
        }
        #expect(failures > 50, "corruption should usually break a document (seed \(seed))")
    }

    @Test func multipleDocumentsGiveTheSameTokensAtEveryCut() {
        let seed = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0004).seed
        var generator = RandomJSONGenerator(seed: seed)
        var random = SeededRandomNumberGenerator(seed: seed ^ 0xFFFF)
        for round in 0..<20 {
            let stream = generator.ndjson(count: 5, maxDepth: 2, maxWidth: 3).bytes + Array(" 1 2\n-3 [] {}true\"x\"".utf8)
            let whole = TokenRecorder.whole(stream, multipleDocuments: true)
            #expect(whole.error == nil, "seed \(seed) round \(round)")
            #expect(whole.tokens.filter { $0.token == .endOfDocument }.count == 12)
            for _ in 0..<5 {
                let cuts = TokenRecorder.randomCuts(count: stream.count, maxChunk: 9, using: &random)
                for path in JSONScanPath.allCases {
                    #expect(
                        TokenRecorder.run(stream, cuts: cuts, bufferSize: 2, multipleDocuments: true, scanPath: path)
                            == whole, "\(path) path, seed \(seed) round \(round)")
                }
            }
        }
    }

    /// `whole` comes from the scalar path; every chunking is checked on both paths.
    private func expectSameRuns(
        _ bytes: [UInt8], whole: RecordedRun, random: inout SeededRandomNumberGenerator, context: String
    ) {
        for path in JSONScanPath.allCases {
            let context = "\(path) path, \(context)"
            #expect(TokenRecorder.whole(bytes, scanPath: path) == whole, "whole, \(context)")
            #expect(TokenRecorder.run(bytes, chunkSize: 1, bufferSize: 2, scanPath: path) == whole, "1-byte chunks, \(context)")
            if bytes.count <= 160 {
                for cut in 0...bytes.count {
                    #expect(
                        TokenRecorder.run(bytes, cuts: [cut], bufferSize: 3, scanPath: path) == whole,
                        "cut at \(cut), \(context)")
                }
            }
            for _ in 0..<4 {
                let cuts = TokenRecorder.randomCuts(count: bytes.count, maxChunk: 16, using: &random)
                #expect(
                    TokenRecorder.run(bytes, cuts: cuts, bufferSize: 4, scanPath: path) == whole,
                    "cuts \(cuts), \(context)")
            }
        }
    }
}
