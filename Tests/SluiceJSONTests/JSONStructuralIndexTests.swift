import SluiceJSON
import SluiceTestKit
import Testing

/// The indexed scan path (stage 1: `JSONStringBlock` and `JSONSpaceBlock`, 64-byte blocks with the backslash state carried from
/// block to block) against the scalar path, the oracle, on inputs aimed at the block boundaries: backslash runs
/// and escaped quotes on either side of byte 64 of a block, whitespace runs with newlines that span blocks (the
/// line and column of a later error), and token and document limits that fall inside a block. Same tokens and
/// same error, whole, and cut at every offset around the boundaries.
@Suite struct JSONStructuralIndexTests {
    /// A string whose content holds `run` backslashes and then `"` or `x`, placed so that the run ends at
    /// every offset around a block boundary.
    @Test func backslashRunsAcrossBlockBoundariesAgree() {
        var checked = 0
        for padding in 40...90 {
            for run in 1...5 {
                for follower in [UInt8(ascii: "\""), UInt8(ascii: "x"), UInt8(ascii: "n")] {
                    var bytes = Array("[\"".utf8) + Array(repeating: UInt8(ascii: "a"), count: padding)
                    bytes += Array(repeating: UInt8(ascii: "\\"), count: run) + [follower]
                    bytes += Array("tail\", \"next\"]".utf8)
                    expectAgreement(bytes, context: "padding \(padding), \(run) backslashes, then \(follower)")
                    checked += 1
                }
            }
        }
        #expect(checked == 51 * 5 * 3)
    }

    /// Escaped quotes, `\u` escapes and multi-byte UTF-8 at every offset around a block boundary, including
    /// sequences cut by the block's end.
    @Test func sequencesAcrossBlockBoundariesAgree() {
        let pieces: [[UInt8]] = [
            Array("\\\"".utf8), Array("\\u00e9".utf8), Array("\\ud83d\\ude00".utf8), Array("é".utf8),
            Array("日本".utf8), Array("😀".utf8), [0xE2, 0x82], [0x01], Array("\\ud83d x".utf8),
        ]
        for padding in 50...70 {
            for piece in pieces {
                var bytes = Array("{\"k\": \"".utf8) + Array(repeating: UInt8(ascii: "b"), count: padding)
                bytes += piece + Array("\", \"z\": 1}".utf8)
                expectAgreement(bytes, context: "padding \(padding), piece \(piece)")
            }
        }
    }

    /// Whitespace runs of 1 to 200 bytes (spaces, tabs, carriage returns, newlines) between tokens, then an
    /// error: the index counts the newlines it skips, so the error's line and column must match.
    @Test func whitespaceRunsAndLinesAgree() {
        let seed = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0201).seed
        var random = SeededRandomNumberGenerator(seed: seed)
        let blanks = Array(" \t\r\n\n".utf8)
        for round in 0..<200 {
            var bytes = Array("[".utf8)
            for element in 0..<Int.random(in: 1...6, using: &random) {
                if element > 0 { bytes.append(UInt8(ascii: ",")) }
                for _ in 0..<Int.random(in: 1...200, using: &random) {
                    bytes.append(blanks[Int.random(in: 0..<blanks.count, using: &random)])
                }
                bytes += Array("\"value\"".utf8)
            }
            bytes += Array(repeating: UInt8(ascii: "\n"), count: Int.random(in: 0...70, using: &random))
            bytes += Bool.random(using: &random) ? Array("]".utf8) : Array("x]".utf8)
            expectAgreement(bytes, context: "seed \(seed) round \(round)")
        }
    }

    /// Token and document limits that fall inside a block: the index must hand over to the scalar code, which
    /// reports the limit at the same offset.
    @Test func limitsInsideABlockAgree() {
        for maxToken in [60, 64, 65, 100, 130] {
            for length in [maxToken - 1, maxToken, maxToken + 1, maxToken + 70] {
                let bytes = Array("[\"".utf8) + Array(repeating: UInt8(ascii: "c"), count: length) + Array("\"]".utf8)
                let limits = JSONLimits(maxTokenLength: maxToken)
                expectAgreement(bytes, limits: limits, context: "token limit \(maxToken), string of \(length)")
                let documentLimits = JSONLimits(maxDocumentSize: maxToken)
                expectAgreement(bytes, limits: documentLimits, context: "document limit \(maxToken), string of \(length)")
            }
        }
    }

    private func expectAgreement(_ bytes: [UInt8], limits: JSONLimits = .default, context: String) {
        let reference = TokenRecorder.whole(bytes, limits: limits, scanPath: .scalar)
        #expect(TokenRecorder.whole(bytes, limits: limits, scanPath: .indexed) == reference, "whole, \(context)")
        // Cut once at every offset from 56 to 80: a chunk boundary inside or right after the first block.
        for cut in 56...80 where cut < bytes.count {
            #expect(
                TokenRecorder.run(bytes, cuts: [cut], bufferSize: 2, limits: limits, scanPath: .indexed) == reference,
                "cut at \(cut), \(context)")
        }
    }
}
