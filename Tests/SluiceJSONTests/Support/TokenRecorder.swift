import SluiceJSON
import SluiceTestKit

/// A token with its span decoded at once (spans die at the next feed), so runs can be compared.
struct RecordedToken: Hashable, CustomStringConvertible {
    var token: JSONToken
    var text: String?

    var description: String { text.map { "\(token) \($0.debugDescription)" } ?? "\(token)" }
}

/// Everything a reader produced for one input: the tokens up to the first error, and that error.
struct RecordedRun: Hashable {
    var tokens: [RecordedToken] = []
    var error: JSONParseError?
}

/// Drives a `JSONTokenReader` over an input cut into chunks, the way a streaming caller would.
enum TokenRecorder {
    /// Feeds `bytes` cut at `cuts` (sorted offsets), reading into a buffer of `bufferSize` tokens.
    static func run(
        _ bytes: [UInt8], cuts: [Int], bufferSize: Int = 64, limits: JSONLimits = .default,
        multipleDocuments: Bool = false, scanPath: JSONScanPath = .scalar
    ) -> RecordedRun {
        var reader = JSONTokenReader(limits: limits, allowsMultipleDocuments: multipleDocuments, scanPath: scanPath)
        var run = RecordedRun()
        let buffer = UnsafeMutableBufferPointer<JSONToken>.allocate(capacity: bufferSize)
        defer { buffer.deallocate() }
        func drain() throws(JSONParseError) {
            while true {
                let count = try reader.read(into: buffer)
                if count == 0 { return }
                for token in buffer[..<count] {
                    switch token {
                    case .key(let span), .string(let span):
                        run.tokens.append(RecordedToken(token: token, text: reader.string(for: span)))
                    case .number(let span):
                        run.tokens.append(RecordedToken(token: token, text: reader.numberText(for: span)))
                    default:
                        run.tokens.append(RecordedToken(token: token, text: nil))
                    }
                }
            }
        }
        do throws(JSONParseError) {
            var start = 0
            for cut in cuts + [bytes.count] where cut >= start {
                bytes[start..<cut].withUnsafeBytes { reader.feed($0) }
                start = cut
                try drain()
            }
            try reader.finalize()
            try drain()
        } catch {
            run.error = error
        }
        return run
    }

    /// Feeds `bytes` in chunks of `chunkSize` bytes.
    static func run(
        _ bytes: [UInt8], chunkSize: Int, bufferSize: Int = 64, limits: JSONLimits = .default,
        multipleDocuments: Bool = false, scanPath: JSONScanPath = .scalar
    ) -> RecordedRun {
        run(
            bytes, cuts: Array(stride(from: chunkSize, to: bytes.count, by: chunkSize)), bufferSize: bufferSize,
            limits: limits, multipleDocuments: multipleDocuments, scanPath: scanPath)
    }

    /// Feeds `bytes` whole.
    static func whole(
        _ bytes: [UInt8], limits: JSONLimits = .default, multipleDocuments: Bool = false,
        scanPath: JSONScanPath = .scalar
    ) -> RecordedRun {
        run(bytes, cuts: [], bufferSize: 1024, limits: limits, multipleDocuments: multipleDocuments, scanPath: scanPath)
    }

    /// Random cut points: chunk sizes drawn from 1...`maxChunk`.
    static func randomCuts(
        count: Int, maxChunk: Int, using random: inout SeededRandomNumberGenerator
    ) -> [Int] {
        var cuts: [Int] = []
        var position = 0
        while true {
            position += Int.random(in: 1...maxChunk, using: &random)
            if position >= count { return cuts }
            cuts.append(position)
        }
    }
}

