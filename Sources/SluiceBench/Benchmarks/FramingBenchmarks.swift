import SluiceJSON

/// Micro benchmarks of the framers: the framing assembler on an NDJSON stream and the length-prefixed reader
/// (the design document's LengthGate), both fed in 4 KiB chunks.
///
/// The stream is the statuses of `corpus/twitter.json`, each serialized compactly, repeated to about 1 MB.
enum FramingBenchmarks {
    static let all: [Benchmark] = [ndjson, lengthPrefixed]

    /// The documents of the stream: twitter's statuses, compact.
    static func documents() throws -> [[UInt8]] {
        let value = try JSONDocumentParser.parse(try CorpusFiles.load("twitter"))
        guard case .array(let statuses)? = value["statuses"], !statuses.isEmpty else {
            throw HarnessError(code: .benchmarkSetup, message: "twitter.json has no statuses array", field: "statuses")
        }
        let serializer = JSONSerializer()
        return try statuses.map { try serializer.serialize($0) }
    }

    struct FramingState<Framer: JSONFraming> {
        var stream: [UInt8]
        var makeFramer: @Sendable () -> Framer
        var expectedFrames: Int
        var expectedPayloadBytes: Int
        var lastFrames = 0
        var lastPayloadBytes = 0
    }

    /// Frames `state.stream` in 4 KiB chunks with a fresh framer, counting frames and payload bytes.
    static func frame<Framer: JSONFraming>(_ state: inout FramingState<Framer>) throws {
        var framer = state.makeFramer()
        var frames = 0
        var payload = 0
        try state.stream.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let end = min(raw.count, offset + 4_096)
                try framer.feed(UnsafeRawBufferPointer(rebasing: raw[offset..<end])) { frame in
                    frames += 1
                    payload += frame.length
                }
                offset = end
            }
        }
        try framer.finalize { frame in
            frames += 1
            payload += frame.length
        }
        state.lastFrames = frames
        state.lastPayloadBytes = payload
    }

    static func check<Framer: JSONFraming>(_ state: FramingState<Framer>) -> String? {
        state.lastFrames == state.expectedFrames && state.lastPayloadBytes == state.expectedPayloadBytes
            ? nil
            : "framed \(state.lastFrames) documents of \(state.lastPayloadBytes) bytes, expected "
                + "\(state.expectedFrames) of \(state.expectedPayloadBytes)"
    }

    /// Repeats `documents` until the stream reaches about 1 MB; returns the documents in stream order.
    static func repeated(_ documents: [[UInt8]]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var size = 0
        while size < 1_000_000 {
            for document in documents {
                result.append(document)
                size += document.count + 1
            }
        }
        return result
    }

    /// `micro/frame/ndjson/chunk4k`: the framing assembler in newline-delimited mode.
    static let ndjson = Benchmark.synchronous(
        "micro/frame/ndjson/chunk4k",
        summary: "JSONFramingAssembler (NDJSON) over ~1 MB of twitter statuses, 4 KiB chunks",
        setup: { (_: BenchmarkParameters) throws -> BenchmarkSetup<FramingState<JSONFramingAssembler>> in
            let documents = repeated(try documents())
            var stream: [UInt8] = []
            for document in documents {
                stream += document
                stream.append(UInt8(ascii: "\n"))
            }
            let state = FramingState(
                stream: stream,
                makeFramer: { JSONFramingAssembler(mode: .newlineDelimited) }, expectedFrames: documents.count,
                expectedPayloadBytes: documents.reduce(0) { $0 + $1.count })
            return BenchmarkSetup(
                state: state, itemsPerOperation: Double(documents.count), bytesPerOperation: Double(stream.count))
        },
        operation: { (state: inout FramingState<JSONFramingAssembler>) throws in try frame(&state) },
        check: { (state: FramingState<JSONFramingAssembler>) -> String? in check(state) })

    /// `micro/frame/length-prefixed/chunk4k`: the length-prefixed reader with 4-byte big-endian prefixes.
    static let lengthPrefixed = Benchmark.synchronous(
        "micro/frame/length-prefixed/chunk4k",
        summary: "JSONLengthPrefixedReader (UInt32 big-endian) over ~1 MB of twitter statuses, 4 KiB chunks",
        setup: { (_: BenchmarkParameters) throws -> BenchmarkSetup<FramingState<JSONLengthPrefixedReader>> in
            let documents = repeated(try documents())
            var stream: [UInt8] = []
            for document in documents {
                let length = UInt32(document.count)
                stream += [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
                stream += document
            }
            let state = FramingState(
                stream: stream,
                makeFramer: { JSONLengthPrefixedReader(prefix: .bigEndianUInt32) }, expectedFrames: documents.count,
                expectedPayloadBytes: documents.reduce(0) { $0 + $1.count })
            return BenchmarkSetup(
                state: state, itemsPerOperation: Double(documents.count), bytesPerOperation: Double(stream.count))
        },
        operation: { (state: inout FramingState<JSONLengthPrefixedReader>) throws in try frame(&state) },
        check: { (state: FramingState<JSONLengthPrefixedReader>) -> String? in check(state) })
}
