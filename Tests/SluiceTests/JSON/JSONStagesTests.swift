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
