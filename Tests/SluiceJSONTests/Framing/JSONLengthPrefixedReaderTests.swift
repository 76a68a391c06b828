import SluiceJSON
import SluiceTestKit
import Testing

@Suite struct JSONLengthPrefixedReaderTests {
    static let documents = [#"{"a":[1,2,{"b":"}"}]}"#, " 42\n", #""x\"y""#, "[]", #"{"long":"\#(String(repeating: "é{", count: 60))"}"#]

    static func encode(_ payloads: [String], prefix: JSONLengthPrefixedReader.Prefix) -> [UInt8] {
        var bytes: [UInt8] = []
        for payload in payloads {
            let body = Array(payload.utf8)
            switch prefix {
            case .bigEndianUInt32:
                let length = UInt32(body.count)
                bytes += [UInt8(length >> 24), UInt8(truncatingIfNeeded: length >> 16),
                          UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
            case .asciiDecimalLine:
                bytes += Array("\(body.count)\n".utf8)
            }
            bytes += body
        }
        return bytes
    }

    @Test(arguments: [JSONLengthPrefixedReader.Prefix.bigEndianUInt32, .asciiDecimalLine])
    func framesEveryPayloadInEverySplit(prefix: JSONLengthPrefixedReader.Prefix) {
        let bytes = Self.encode(Self.documents, prefix: prefix)
        let whole = frameWithLengthPrefixedReader([bytes], prefix: prefix)
        #expect(whole.failure == nil)
        #expect(whole.frames.map { String(decoding: $0.bytes, as: UTF8.self) } == Self.documents)
        for cut in 0...bytes.count {
            #expect(frameWithLengthPrefixedReader(chunks(of: bytes, cuts: [cut]), prefix: prefix) == whole, "cut \(cut)")
        }
        #expect(frameWithLengthPrefixedReader(bytes.map { [$0] }, prefix: prefix) == whole)
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 99)
        for _ in 0..<20 {
            let cuts = randomCuts(count: bytes.count, meanChunk: 9, using: &random)
            #expect(frameWithLengthPrefixedReader(chunks(of: bytes, cuts: cuts), prefix: prefix) == whole, "seed \(random.seed) cuts \(cuts)")
        }
    }

    @Test func decimalPrefixOffsetsPointAtThePayload() {
        let outcome = frameWithLengthPrefixedReader([Array("2\n[]10\n{\"a\":true}".utf8)], prefix: .asciiDecimalLine)
        #expect(outcome.frames.map { [$0.offset, $0.length, $0.line, $0.column] } == [[2, 2, 2, 1], [7, 10, 3, 1]])
    }

    /// A length that disagrees with the content fails in that frame, at the right offset, whatever the split.
    @Test(arguments: [
        // declared 5 over `[1]{}`: a second document inside the frame, at offset 5 (2-byte prefix + 3).
        ("2\n{}5\n[1]{}2\n[]", JSONParseError.Code.frameLengthMismatch, 9, 1),
        // declared 3 over `[1,2]`: the length ends inside the document; error at the payload's end.
        ("3\n[1,2]", .frameLengthMismatch, 5, 0),
        // declared 4 over `[1]` + the next prefix's first byte: `2` starts a second document.
        ("4\n[1]2\n{}", .frameLengthMismatch, 5, 0),
        // only whitespace
        ("2\n[]3\n   ", .frameLengthMismatch, 6, 1),
        ("0\n", .frameLengthMismatch, 0, 0),
        ("2\n[]x\n", .invalidFrame, 4, 1),
        ("\n[]", .invalidFrame, 0, 0),
        ("2\n[]3\n[1", .unexpectedEndOfInput, 8, 1),
        ("2\n[]12", .unexpectedEndOfInput, 6, 1),
        ("1\n}", .unexpectedByte, 2, 0),
        ("2\n[]3\n\n\n}", .unexpectedByte, 8, 1),
    ])
    func mismatchesFailAtTheirFrame(text: String, code: JSONParseError.Code, offset: Int, framesBefore: Int) {
        let bytes = Array(text.utf8)
        let whole = frameWithLengthPrefixedReader([bytes], prefix: .asciiDecimalLine)
        #expect(whole.failure?.code == code)
        #expect(whole.failure?.offset == offset)
        #expect(whole.frames.count == framesBefore)
        let (line, column) = lineAndColumn(of: offset, in: bytes)
        #expect(whole.failure?.line == line && whole.failure?.column == column)
        for cut in 0...bytes.count {
            #expect(frameWithLengthPrefixedReader(chunks(of: bytes, cuts: [cut]), prefix: .asciiDecimalLine) == whole, "cut \(cut)")
        }
    }

    @Test func oversizeDeclaredLengthFailsBeforeThePayloadArrives() throws {
        let limits = JSONLimits(maxDocumentSize: 1000)
        var reader = JSONLengthPrefixedReader(prefix: .asciiDecimalLine, limits: limits)
        try reader.feed(Array("2\n[]".utf8)) { _ in }
        let error = #expect(throws: JSONParseError.self) { try reader.feed(Array("1001".utf8)) { _ in } }
        #expect(error?.code == .documentTooLarge && error?.offset == 4)
        var binary = JSONLengthPrefixedReader(prefix: .bigEndianUInt32, limits: limits)
        let header: [UInt8] = [0, 0, 0x03, 0xE9]  // 1001
        let binaryError = #expect(throws: JSONParseError.self) { try binary.feed(header) { _ in } }
        #expect(binaryError?.code == .documentTooLarge && binaryError?.offset == 0)
    }

    @Test func truncatedBinaryFrameFailsAtFinalize() throws {
        var bytes = Self.encode(["[1,2,3]"], prefix: .bigEndianUInt32)
        bytes.removeLast()
        let outcome = frameWithLengthPrefixedReader([bytes], prefix: .bigEndianUInt32)
        #expect(outcome.failure?.code == .unexpectedEndOfInput && outcome.failure?.offset == bytes.count)
        let halfHeader = frameWithLengthPrefixedReader([[0, 0]], prefix: .bigEndianUInt32)
        #expect(halfHeader.failure?.code == .unexpectedEndOfInput && halfHeader.failure?.offset == 2)
    }
}
