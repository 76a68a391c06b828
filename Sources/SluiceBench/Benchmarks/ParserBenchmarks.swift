import SluiceJSON
import SluiceTestKit

/// Micro benchmarks of Sluice's own parsers on every corpus file (MicroParse): the token reader fed in 4 KiB
/// chunks and whole (on the default scan path, `JSONScanPath.preferred`, the SIMD path; on the scalar path:
/// `.../chunk4k-scalar`, `.../whole-scalar`; and on the indexed path: `.../chunk4k-indexed`, `.../whole-indexed`),
/// and the token materializer building a `JSONValue`. `micro/foundation/<file>` is the peer.
enum ParserBenchmarks {
    static let all: [Benchmark] = SharedFixtures.corpusNames.flatMap { file in
        [
            tokenize(file, chunkSize: 4_096), tokenize(file, chunkSize: nil),
            tokenize(file, chunkSize: 4_096, scanPath: .scalar).peer("micro/tokenize/\(file)/chunk4k"),
            tokenize(file, chunkSize: nil, scanPath: .scalar).peer("micro/tokenize/\(file)/whole"),
            tokenize(file, chunkSize: 4_096, scanPath: .indexed).peer("micro/tokenize/\(file)/chunk4k"),
            tokenize(file, chunkSize: nil, scanPath: .indexed).peer("micro/tokenize/\(file)/whole"),
            materialize(file).peer("micro/foundation/\(file)"),
        ]
    }

    /// A token buffer owned by a benchmark's state (the reader's batch API writes into it, never allocating).
    final class TokenBuffer {
        let tokens: UnsafeMutableBufferPointer<JSONToken>
        init(capacity: Int) {
            tokens = .allocate(capacity: capacity)
            tokens.initialize(repeating: .null)
        }
        deinit { tokens.deallocate() }
    }

    struct TokenizeState {
        var bytes: [UInt8]
        var chunkSize: Int
        var buffer = TokenBuffer(capacity: 1_024)
        var expectedTokens: Int
        var scanPath = JSONScanPath.preferred
        var lastTokens = 0
    }

    /// Tokenizes `bytes` in chunks of `chunkSize` through the batch API and returns the token count.
    static func countTokens(
        _ bytes: [UInt8], chunkSize: Int, buffer: UnsafeMutableBufferPointer<JSONToken>,
        scanPath: JSONScanPath = .preferred
    ) throws(JSONParseError) -> Int {
        var reader = JSONTokenReader(scanPath: scanPath)
        var count = 0
        var failure: JSONParseError?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            do throws(JSONParseError) {
                while offset < raw.count {
                    let end = min(raw.count, offset + chunkSize)
                    reader.feed(UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
                    while case let produced = try reader.read(into: buffer), produced > 0 { count += produced }
                    offset = end
                }
                try reader.finalize()
                while case let produced = try reader.read(into: buffer), produced > 0 { count += produced }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return count
    }

    /// `micro/tokenize/<file>/chunk4k` and `micro/tokenize/<file>/whole`: token reader, batch API.
    static func tokenize(_ file: String, chunkSize: Int?, scanPath: JSONScanPath = .preferred) -> Benchmark {
        let variant = (chunkSize.map { "chunk\($0 / 1_024)k" } ?? "whole") + (scanPath == .preferred ? "" : "-\(scanPath)")
        return Benchmark.synchronous(
            "micro/tokenize/\(file)/\(variant)",
            summary: "JSONTokenReader (\(scanPath) scan path) over corpus/\(file).json, "
                + (chunkSize.map { "fed in \($0)-byte chunks" } ?? "fed whole") + ", tokens into a reused buffer",
            setup: { (_: BenchmarkParameters) throws -> BenchmarkSetup<TokenizeState> in
                let bytes = try CorpusFiles.load(file)
                let size = chunkSize ?? max(1, bytes.count)
                // The expected count comes from the simple array API on the scalar path, fed whole: an independent path.
                var reader = JSONTokenReader(scanPath: .scalar)
                var tokens: [JSONToken] = []
                try reader.feed(bytes, into: &tokens)
                try reader.finalize(into: &tokens)
                return BenchmarkSetup(
                    state: TokenizeState(
                        bytes: bytes, chunkSize: size, expectedTokens: tokens.count, scanPath: scanPath),
                    itemsPerOperation: Double(tokens.count), bytesPerOperation: Double(bytes.count))
            },
            operation: { (state: inout TokenizeState) throws in
                state.lastTokens = try countTokens(
                    state.bytes, chunkSize: state.chunkSize, buffer: state.buffer.tokens, scanPath: state.scanPath)
            },
            check: { (state: TokenizeState) -> String? in
                state.lastTokens == state.expectedTokens
                    ? nil : "read \(state.lastTokens) tokens, expected \(state.expectedTokens)"
            })
    }

    struct MaterializeState {
        var bytes: [UInt8]
        var expected: JSONValue
        var last: JSONValue = .null
    }

    /// `micro/materialize/<file>`: the whole file to a `JSONValue` through `JSONDocumentParser` (the one-pass
    /// parser; the token reader and the materializer only for a document it refuses), the counterpart of
    /// Foundation's `JSONSerialization.jsonObject`.
    static func materialize(_ file: String) -> Benchmark {
        Benchmark.synchronous(
            "micro/materialize/\(file)",
            summary: "JSONDocumentParser (one pass over the whole buffer) building a JSONValue of corpus/\(file).json",
            setup: { (_: BenchmarkParameters) throws -> BenchmarkSetup<MaterializeState> in
                let bytes = try CorpusFiles.load(file)
                // The expected value is built token by token through the single-token API: an independent path.
                var reader = JSONTokenReader()
                var tokens: [JSONToken] = []
                try reader.feed(bytes, into: &tokens)
                try reader.finalize(into: &tokens)
                var materializer = JSONTokenMaterializer()
                var expected: JSONValue?
                for token in tokens { expected = materializer.consume(token, from: reader) ?? expected }
                guard let expected else {
                    throw HarnessError(code: .benchmarkSetup, message: "the materializer produced no document", file: file)
                }
                return BenchmarkSetup(
                    state: MaterializeState(bytes: bytes, expected: expected), itemsPerOperation: 1,
                    bytesPerOperation: Double(bytes.count))
            },
            operation: { (state: inout MaterializeState) throws in
                state.last = try JSONDocumentParser.parse(state.bytes)
            },
            check: { (state: MaterializeState) -> String? in
                state.last == state.expected ? nil : "the materialized value differs from the token-by-token one"
            })
    }
}
