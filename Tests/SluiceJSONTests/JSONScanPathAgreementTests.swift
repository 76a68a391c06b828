import SluiceJSON
import SluiceTestKit
import Testing

/// The SIMD and indexed scan paths against the scalar one (the reference) on inputs built to reach its vector code: strings
/// long enough for the 16/64-byte string scans and the 32-byte UTF-8 validator, numbers long enough for the
/// 32-byte digit masks, and indentation runs for the 64-byte whitespace skip; each input valid or corrupted by
/// one byte. Same tokens, same error (offset, line, column, path, message), whole and in random chunks.
@Suite struct JSONScanPathAgreementTests {
    /// Pieces of string content: ASCII, every UTF-8 length, escapes, and invalid or cut sequences.
    static let pieces: [[UInt8]] = [
        Array("plain ascii text ".utf8), Array("é".utf8), Array("日本語".utf8), Array("😀".utf8), Array("\u{10FFFF}".utf8),
        Array("\u{E000}".utf8), Array("\u{0800}".utf8), Array("\\n".utf8), Array("\\u00e9".utf8),
        Array("\\ud83d\\ude00".utf8), Array("\\\"".utf8),
    ]
    static let corruptions: [[UInt8]] = [
        [0x80], [0xBF], [0xC0, 0xAF], [0xC1, 0xBF], [0xC3], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80],
        [0xE2, 0x82], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80],
        [0xFF], [0xF0, 0x9F, 0x98], [0x01], [0x1F], [0x5C, 0x78], [0x5C, 0x75, 0x31], [0x22], [0x0A],
    ]

    @Test func longStringsAgree() {
        let seed = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0101).seed
        var random = SeededRandomNumberGenerator(seed: seed)
        var failures = 0
        for round in 0..<300 {
            var bytes = Array("{\"key\": [".utf8)
            for element in 0..<Int.random(in: 1...4, using: &random) {
                if element > 0 { bytes += Array(", ".utf8) }
                bytes.append(0x22)
                for _ in 0..<Int.random(in: 1...40, using: &random) {
                    bytes += Self.pieces[Int.random(in: 0..<Self.pieces.count, using: &random)]
                }
                bytes.append(0x22)
            }
            bytes += Array("]}".utf8)
            if Bool.random(using: &random) {
                let corruption = Self.corruptions[Int.random(in: 0..<Self.corruptions.count, using: &random)]
                bytes.insert(contentsOf: corruption, at: Int.random(in: 10..<(bytes.count - 2), using: &random))
            }
            let reference = TokenRecorder.whole(bytes, scanPath: .scalar)
            if reference.error != nil { failures += 1 }
            expectAgreement(bytes, reference, random: &random, context: "seed \(seed) round \(round)")
        }
        #expect(failures > 50, "corruption should often break a document (seed \(seed))")
    }

    @Test func longNumbersAndIndentationAgree() {
        let seed = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0102).seed
        var random = SeededRandomNumberGenerator(seed: seed)
        let noise = Array("0123456789-+.eE ,x]\n\"".utf8)
        for round in 0..<300 {
            var bytes = Array("[".utf8)
            for element in 0..<Int.random(in: 1...12, using: &random) {
                if element > 0 { bytes += Array(",\n".utf8) + Array(repeating: 0x20, count: Int.random(in: 0...70, using: &random)) }
                if Bool.random(using: &random) { bytes.append(0x2D) }
                bytes += digits(Int.random(in: 1...34, using: &random), &random)
                if Bool.random(using: &random) { bytes += [0x2E] + digits(Int.random(in: 1...34, using: &random), &random) }
                if Int.random(in: 0..<3, using: &random) == 0 {
                    bytes += [Bool.random(using: &random) ? 0x65 : 0x45]
                    if Bool.random(using: &random) { bytes.append(Bool.random(using: &random) ? 0x2B : 0x2D) }
                    bytes += digits(Int.random(in: 1...5, using: &random), &random)
                }
            }
            bytes += Array("\n]".utf8)
            if Bool.random(using: &random) {
                let index = Int.random(in: 1..<(bytes.count - 1), using: &random)
                bytes[index] = noise[Int.random(in: 0..<noise.count, using: &random)]
            }
            let reference = TokenRecorder.whole(bytes, scanPath: .scalar)
            expectAgreement(bytes, reference, random: &random, context: "seed \(seed) round \(round)")
        }
    }

    private func digits(_ count: Int, _ random: inout SeededRandomNumberGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0x30...0x39, using: &random) }
    }

    private func expectAgreement(
        _ bytes: [UInt8], _ reference: RecordedRun, random: inout SeededRandomNumberGenerator, context: String
    ) {
        let cuts = TokenRecorder.randomCuts(count: bytes.count, maxChunk: 70, using: &random)
        for path in [JSONScanPath.simd, .indexed] {
            #expect(TokenRecorder.whole(bytes, scanPath: path) == reference, "whole, \(path) path, \(context)")
            #expect(
                TokenRecorder.run(bytes, cuts: cuts, bufferSize: 3, scanPath: path) == reference,
                "cuts \(cuts), \(path) path, \(context)")
        }
    }
}
