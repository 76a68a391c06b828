import SluiceJSON
import SluiceTestKit

/// What a framer made of a stream: its frames (with their bytes) and the error it stopped at, if any.
struct FramingOutcome: Equatable, CustomStringConvertible {
    struct Frame: Equatable {
        var offset: Int
        var length: Int
        var bytes: [UInt8]
        var line = 1
        var column = 1
    }

    struct Failure: Equatable {
        var code: JSONParseError.Code
        var offset: Int
        var line: Int
        var column: Int
    }

    var frames: [Frame] = []
    var failure: Failure?

    var description: String {
        let list = frames.map { "\($0.offset)+\($0.length)" }.joined(separator: " ")
        guard let failure else { return "[\(list)]" }
        return "[\(list)] error \(failure.code) at \(failure.offset) (\(failure.line):\(failure.column))"
    }

    mutating func record(_ error: any Error) {
        guard let error = error as? JSONParseError else {
            Issue.record("unexpected error type: \(error)")
            return
        }
        failure = Failure(code: error.code, offset: error.offset, line: error.line, column: error.column)
    }
}

import Testing

/// Chunk lengths that split `count` bytes: `cuts` are the split offsets.
func chunks(of bytes: [UInt8], cuts: [Int]) -> [[UInt8]] {
    var result: [[UInt8]] = []
    var start = 0
    for cut in cuts.sorted() where cut > start && cut < bytes.count {
        result.append(Array(bytes[start..<cut]))
        start = cut
    }
    result.append(Array(bytes[start...]))
    return result
}

/// Random cut points, on average one per `meanChunk` bytes.
func randomCuts(count: Int, meanChunk: Int, using random: inout SeededRandomNumberGenerator) -> [Int] {
    var cuts: [Int] = []
    var position = 0
    while true {
        position += Int.random(in: 1...max(1, 2 * meanChunk), using: &random)
        if position >= count { return cuts }
        cuts.append(position)
    }
}

/// Frames `pieces` through a `JSONFrameBuffer`, so that each frame's bytes are checked too.
func frame(_ pieces: [[UInt8]], with framer: some JSONFraming) -> FramingOutcome {
    var buffer = JSONFrameBuffer(framer)
    var outcome = FramingOutcome()
    let record: (JSONFrame, UnsafeRawBufferPointer) -> Void = { frame, bytes in
        outcome.frames.append(
            .init(offset: frame.offset, length: frame.length, bytes: Array(bytes), line: frame.line, column: frame.column))
    }
    do {
        for piece in pieces { try buffer.feed(piece, onFrame: record) }
        try buffer.finalize(onFrame: record)
    } catch {
        outcome.record(error)
    }
    return outcome
}

/// Frames `pieces` with a `JSONFramingAssembler`.
func frameWithAssembler(_ pieces: [[UInt8]], mode: JSONFramingAssembler.Mode, limits: JSONLimits = .default)
    -> FramingOutcome
{
    frame(pieces, with: JSONFramingAssembler(mode: mode, limits: limits))
}

/// Frames `pieces` with a `JSONLengthPrefixedReader`.
func frameWithLengthPrefixedReader(
    _ pieces: [[UInt8]], prefix: JSONLengthPrefixedReader.Prefix, limits: JSONLimits = .default
) -> FramingOutcome {
    frame(pieces, with: JSONLengthPrefixedReader(prefix: prefix, limits: limits))
}

/// 1-based line and column of `offset` in `bytes`, counted the slow way.
func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
    var line = 1
    var lineStart = 0
    for index in 0..<min(offset, bytes.count) where bytes[index] == UInt8(ascii: "\n") {
        line += 1
        lineStart = index + 1
    }
    return (line, offset - lineStart + 1)
}
