import Foundation
import Sluice
import SluiceTestKit
import Testing

@Suite struct JSONStagesTests {
    static let ndjson = """
        {"user":"ada","level":"error","n":1}
        {"user":"bob","level":"info","n":2}
        {"user":"cy","level":"error","n":01}
        {"user":"dee","level":"error","n":4}

        """

    @Test(arguments: [1, 7, 4_096])
    func fileToFramesToValuesToSink(chunkSize: Int) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-engine-\(UUID()).ndjson").path
        try Data(Self.ndjson.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let users = OutputCollector<String>()
        let deadLetters = DeadLetterCollector()
        let pipeline = Pipeline.source("file", FileByteSource(path: path, chunkSize: chunkSize))
            .frames("frames", .newlineDelimited)
            .values("values")
            .filter("errors") { $0["level"] == .string("error") }
            .map("user") { value -> String in
                guard case .string(let user)? = value["user"] else { return "?" }
                return user
            }
            .deadLetters(DeadLetterPolicy(sink: deadLetters, clock: ManualClock()))
            .sink(users)
        let statistics = try SyncEngine().run(pipeline)
        #expect(users.elements == ["ada", "dee"])
        #expect(statistics[stage: "frames"]?.emitted == 4)
        #expect(statistics[stage: "values"]?.errors == 1)
        #expect(statistics.segments == [["frames"], ["values", "errors", "user"]])
        let record = try #require(deadLetters.records.first)
        #expect(record.stageName == "values")
        #expect((record.element as? JSONDocumentBytes)?.frame.index == 2)
        let error = try #require(record.error as? JSONParseError)
        #expect(error.code == .unexpectedByte)  // the reader rejects the "1" after a leading zero
        #expect(error.offset > 70)  // an offset in the stream, not in the document
        #expect(record.fingerprint == DeadLetterFingerprint.of(#"{"user":"cy","level":"error","n":01}"#))
    }

    /// `.values(.newlineDelimited)` (one stage, one pass) gives what `.frames().values()` gives: the same values, and
    /// the bad document alone in the dead-letter sink, as the same record with the same error, at every chunk size and
    /// on both engines; the chunk's other documents go on.
    @Test(arguments: [1, 7, 4_096])
    func onePassStageDeadLettersOnlyTheBadDocument(chunkSize: Int) async throws {
        func run(onePass: Bool, concurrent: Bool) async throws -> (users: [String], records: [DeadLetterRecord]) {
            let users = OutputCollector<String>()
            let deadLetters = DeadLetterCollector()
            let source = BufferByteSource(Array(Self.ndjson.utf8), chunkSize: chunkSize)
            let policy = DeadLetterPolicy(sink: deadLetters, clock: ManualClock())
            let user: @Sendable (JSONValue) -> String = { value in
                guard case .string(let user)? = value["user"] else { return "?" }
                return user
            }
            if onePass {
                let pipeline = Pipeline.source("bytes", source).values(.newlineDelimited, name: "values").map("user", user)
                    .deadLetters(policy).sink(users)
                if concurrent { _ = try await ConcurrentEngine().run(pipeline) } else { _ = try SyncEngine().run(pipeline) }
            } else {
                let pipeline = Pipeline.source("bytes", source).frames("frames", .newlineDelimited).values("values")
                    .map("user", user).deadLetters(policy).sink(users)
                if concurrent { _ = try await ConcurrentEngine().run(pipeline) } else { _ = try SyncEngine().run(pipeline) }
            }
            return (users.elements, deadLetters.records)
        }
        let reference = try await run(onePass: false, concurrent: false)
        #expect(reference.users == ["ada", "bob", "dee"])
        let expected = try #require(reference.records.first)
        for concurrent in [false, true] {
            let outcome = try await run(onePass: true, concurrent: concurrent)
            #expect(outcome.users == reference.users, "concurrent: \(concurrent)")
            #expect(outcome.records.count == 1)
            let record = try #require(outcome.records.first)
            #expect(record.stageName == "values")
            #expect(record.element as? JSONDocumentBytes == expected.element as? JSONDocumentBytes)
            #expect(record.error as? JSONParseError == expected.error as? JSONParseError)
            #expect(record.fingerprint == expected.fingerprint)
        }
    }

    @Test func tokenStageCountsTokensPerDocument() async throws {
        let bytes = Array("[1,2,3]\n{\"a\":true}\n".utf8)
        let documents = OutputCollector<Int>()
        let pipeline = Pipeline.source("bytes", BufferByteSource(bytes, chunkSize: 3))
            .frames(.newlineDelimited)
            .tokens("tokens")
            .map { $0.tokens.count }
            .sink(documents)
        let sync = try SyncEngine().run(pipeline)
        // [ 1 2 3 ] end = 6 tokens; { "a" true } end = 5 tokens.
        #expect(documents.drain() == [6, 5])
        #expect(sync.tokensEmittedTotal == 11)
        #expect(sync.tokensPerDocumentAverage == 5.5)
        let concurrent = try await ConcurrentEngine(batchSize: 1, channelCapacity: 2).run(pipeline)
        #expect(documents.drain() == [6, 5])
        #expect(concurrent.tokensEmittedTotal == 11)
    }

    /// Frames inside a chunk are slices of it (indices not from 0), frames across chunks are arrays of their own;
    /// either way the bytes, the values and the token spans (offsets from the document's first byte) are right.
    @Test(arguments: [1, 5, 16, 4_096])
    func framesAreSlicesAndTokenSpansCountFromTheDocumentsFirstByte(chunkSize: Int) throws {
        let lines = [#"{"a":"xy"}"#, #"[10,"zz"]"#, #"{"long":"abcdefghijklmnop"}"#]
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        var framing = JSONFramingOperator(JSONFramingAssembler(mode: .newlineDelimited))
        var documents: [JSONDocumentBytes] = []
        var offset = 0
        while offset < bytes.count {
            let chunk = Array(bytes[offset..<min(bytes.count, offset + chunkSize)])
            try framing.process(chunk) { documents.append($0) }
            offset += chunkSize
        }
        try framing.finish { documents.append($0) }
        #expect(documents.map { String(decoding: $0.bytes, as: UTF8.self) } == lines)
        if chunkSize == 4_096 { #expect(documents.map(\.bytes.startIndex) == [0, 11, 21]) }

        var values = JSONMaterializeOperator()
        #expect(try documents.map { try values._processOne($0) } == lines.map { try JSONValue(parsing: Array($0.utf8)) })

        var tokenize = JSONTokenizeOperator()
        for (document, line) in zip(documents, lines) {
            var strings: [String] = []
            try tokenize.process(document) { tokenized in
                #expect(tokenized.document.bytes.startIndex == 0)
                for case .string(let span) in tokenized.tokens {
                    let text = tokenized.document.bytes[span.offset..<span.offset + span.length]
                    strings.append(String(decoding: text, as: UTF8.self))
                }
            }
            let expected: [String] =
                switch line.first {
                case "{": [line.contains("long") ? "abcdefghijklmnop" : "xy"]
                default: ["zz"]
                }
            #expect(strings == expected, "\(line)")
        }
    }

    /// A run that ends before its file source's end (here the sink throws on the first batch) closes the file:
    /// before, the descriptor stayed open, one per failed run. The file is found open or closed by its path in
    /// `/proc/self/fd`, so other tests opening files at the same time do not matter.
    @Test func aRunThatEndsEarlyClosesItsFile() throws {
        struct Refusing: PipelineSink {
            func consume(_ batch: [[UInt8]]) throws { throw CancellationError() }
        }
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("in.ndjson")
        try String(repeating: "{\"a\":1}\n", count: 20_000).write(toFile: path, atomically: true, encoding: .utf8)
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        func isOpen() -> Bool {
            let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            return descriptors.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")) == real }
        }
        do {
            var source = FileByteSource(path: path, chunkSize: 4_096)
            var buffer: [[UInt8]] = []
            #expect(try source.read(into: &buffer, maxCount: 1))
            #expect(isOpen(), "the file is open while its source reads it")
        }
        #expect(!isOpen(), "a source dropped before its end closed its file")
        #expect(throws: CancellationError.self) {
            try SyncEngine().run(Pipeline.source(FileByteSource(path: path, chunkSize: 4_096)).sink(Refusing()))
        }
        #expect(!isOpen(), "the failed run closed its file")
    }

    @Test func missingFileFailsTheRunNamingThePath() {
        let pipeline = Pipeline.source(FileByteSource(path: "/nonexistent/sluice.ndjson")).sink(OutputCollector<[UInt8]>())
        #expect {
            try SyncEngine().run(pipeline)
        } throws: { error in
            (error as? ByteSourceError)?.code == .openFailed && "\(error)".contains("/nonexistent/sluice.ndjson")
        }
    }

    @Test func corpusDocumentMaterializesTheSameOnBothEngines() async throws {
        let bytes = try SharedFixtures.corpusFile("twitter")
        let sync = OutputCollector<JSONValue>()
        let pipeline = Pipeline.source(BufferByteSource(bytes, chunkSize: 4_096)).frames(.concatenated).values().sink(sync)
        _ = try SyncEngine().run(pipeline)
        let concurrent = OutputCollector<JSONValue>()
        let second = Pipeline.source(BufferByteSource(bytes, chunkSize: 4_096)).frames(.concatenated).values()
            .sink(concurrent)
        _ = try await ConcurrentEngine().run(second)
        #expect(sync.elements.count == 1)
        #expect(sync.elements == concurrent.elements)
        #expect(sync.elements.first == (try JSONValue(parsing: bytes)))
    }
}

/// The `.values()` and `.tokens()` stages report a bad document's error where `JSONStreamingMaterializer` does:
/// the same offset, line and column in the whole stream, whatever the chunking.
@Suite struct JSONStageErrorPositionTests {
    static let stream = Array("{\"a\":1}\n\n  {\"b\": [true, nul]}\n{\"c\":\"x\"}\n".utf8)

    static func materializerError() throws -> JSONParseError {
        var materializer = JSONStreamingMaterializer(mode: .newlineDelimited)
        do {
            try materializer.feed(stream) { _, _ in }
            try materializer.finalize { _, _ in }
        } catch let error as JSONParseError {
            return error
        }
        throw CancellationError()  // the stream holds a bad document: reaching here fails the test
    }

    @Test(arguments: [1, 5, 4_096])
    func valuesAndTokensStagesLocateErrorsLikeTheMaterializer(chunkSize: Int) throws {
        let expected = try Self.materializerError()
        #expect(expected.line == 3 && expected.column == 19 && expected.offset == 27)
        for useTokens in [false, true] {
            let deadLetters = DeadLetterCollector()
            let policy = DeadLetterPolicy(sink: deadLetters, clock: ManualClock())
            let framed = Pipeline.source("bytes", BufferByteSource(Self.stream, chunkSize: chunkSize))
                .frames("frames", .newlineDelimited)
            if useTokens {
                let counts = OutputCollector<Int>()
                _ = try SyncEngine().run(framed.tokens("parse").map { $0.tokens.count }.deadLetters(policy).sink(counts))
                #expect(counts.drain().count == 2)
            } else {
                let values = OutputCollector<JSONValue>()
                _ = try SyncEngine().run(framed.values("parse").deadLetters(policy).sink(values))
                #expect(values.drain().count == 2)
            }
            let record = try #require(deadLetters.records.first)
            let error = try #require(record.error as? JSONParseError)
            #expect(error == expected, "tokens stage: \(useTokens), chunk size \(chunkSize)")
        }
    }
}
