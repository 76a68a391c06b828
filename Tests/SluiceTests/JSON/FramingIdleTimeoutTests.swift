import Foundation
import Sluice
import SluiceTestKit
import Synchronization
import Testing

/// The framing stage's timeout guard, on virtual time: a `ManualClock` the test (or the scripted source) advances.
@Suite struct FramingIdleTimeoutTests {
    static let limit = Duration.seconds(30)

    static func feed(_ op: inout JSONFramingOperator<JSONFramingAssembler>, _ text: String) throws -> [JSONDocumentBytes] {
        var out: [JSONDocumentBytes] = []
        try op.process(Array(text.utf8)) { out.append($0) }
        return out
    }

    @Test func deadLettersAnIdleIncompleteDocumentAndFramesTheNextBytes() throws {
        let clock = ManualClock()
        var op = JSONFramingOperator(
            JSONFramingAssembler(mode: .newlineDelimited),
            idleTimeout: FramingIdleTimeout(limit: Self.limit, action: .deadLetter, clock: clock))
        #expect(try Self.feed(&op, "{\"a\":1}\n{\"b\":").map(\.frame.offset) == [0])
        clock.advance(by: Self.limit)
        #expect(try Self.feed(&op, "").isEmpty, "exactly the limit is not past it")
        clock.advance(by: .milliseconds(1))
        let error = #expect(throws: FramingTimeoutError.self) { try Self.feed(&op, "") }
        #expect(error?.offset == 8 && error?.partialDocument == Array("{\"b\":".utf8))
        #expect(
            error?.description
                == "framing-timeout: incomplete document at offset 8 (5 bytes received) had no input for longer than "
                + "the 30000 ms limit; dead-lettered, framing restarts with the next bytes")
        let next = try Self.feed(&op, "{\"c\":2}\n")
        #expect(next.map(\.frame.offset) == [13] && next.map(\.description) == ["{\"c\":2}"])
    }

    /// After a dead-lettered timeout, the framing errors of the restarted stream keep absolute offsets too, as
    /// the frames do: the framing stage and the one-pass framed-values stage alike.
    @Test func framingErrorsAfterARestartKeepAbsoluteOffsets() throws {
        let clock = ManualClock()
        let timeout = FramingIdleTimeout(limit: Self.limit, action: .deadLetter, clock: clock)
        var framing = JSONFramingOperator(JSONFramingAssembler(mode: .newlineDelimited), idleTimeout: timeout)
        var values = JSONFramedValuesOperator(mode: .newlineDelimited, idleTimeout: timeout)
        // 13 bytes, the last 5 an open document that times out; then a document at 13 and one left open at 21,
        // which the end of input at 26 (13 + 13 bytes) cuts: that error names 26, not 13 (the restarted stream's).
        let before = Array("{\"a\":1}\n{\"b\":".utf8), after = Array("{\"c\":2}\n{\"d\":".utf8)
        try framing.process(before) { _ in }
        try values.process(before) { _ in }
        clock.advance(by: Self.limit + .milliseconds(1))
        #expect(throws: FramingTimeoutError.self) { try framing.process([]) { _ in } }
        #expect(throws: FramingTimeoutError.self) { try values.process([]) { _ in } }
        var frames: [Int] = []
        try framing.process(after) { frames.append($0.frame.offset) }
        #expect(frames == [13])
        var emitted = 0
        try values.process(after) { _ in emitted += 1 }
        #expect(emitted == 1)
        let framingEnd = #expect(throws: JSONParseError.self) { try framing.finish { _ in } }
        let valuesEnd = #expect(throws: JSONParseError.self) { try values.finish { _ in } }
        #expect(framingEnd?.offset == 26, "\(String(describing: framingEnd))")
        #expect(valuesEnd?.offset == 26, "\(String(describing: valuesEnd))")
    }

    @Test func failActionIsSticky() throws {
        let clock = ManualClock()
        var op = JSONFramingOperator(
            JSONFramingAssembler(mode: .newlineDelimited),
            idleTimeout: FramingIdleTimeout(limit: Self.limit, action: .fail, clock: clock))
        _ = try Self.feed(&op, "[1,")
        clock.advance(by: .seconds(31))
        let first = #expect(throws: FramingTimeoutError.self) { try Self.feed(&op, "") }
        let later = #expect(throws: FramingTimeoutError.self) { try Self.feed(&op, "2]\n") }
        #expect(first == later && first?.offset == 0 && first?.action == .fail)
    }

    @Test func idleBetweenDocumentsOrWithoutGuardNeverTimesOut() throws {
        let clock = ManualClock()
        var guarded = JSONFramingOperator(
            JSONFramingAssembler(mode: .newlineDelimited), idleTimeout: FramingIdleTimeout(limit: Self.limit, clock: clock))
        var unguarded = JSONFramingOperator(JSONFramingAssembler(mode: .newlineDelimited))
        _ = try Self.feed(&guarded, "{\"a\":1}\n")
        _ = try Self.feed(&unguarded, "{\"a\":")
        clock.advance(by: .seconds(3600))
        #expect(try Self.feed(&guarded, "").isEmpty)
        #expect(try Self.feed(&unguarded, "").isEmpty)
    }

    /// Virtual time that moves `step` forward at every reading: only the framing stage reads it, once per chunk,
    /// so the idle time it sees does not depend on how the engine schedules its tasks.
    final class SteppingClock: MonotonicClock {
        let step: UInt64
        private let now = Atomic<UInt64>(0)
        init(step: Duration) { self.step = UInt64(step.components.seconds) * 1_000_000_000 }
        func nowNanoseconds() -> UInt64 { now.add(step, ordering: .relaxed).newValue }
    }

    /// Chunks in order; an empty chunk is an idle tick.
    struct ScriptedSource: PipelineSource {
        let clock: SteppingClock
        var script: [String]
        var framingIdleTimeout: FramingIdleTimeout? { FramingIdleTimeout(limit: FramingIdleTimeoutTests.limit, clock: clock) }

        mutating func read(into buffer: inout [[UInt8]], maxCount: Int) throws -> Bool {
            guard !script.isEmpty else { return false }
            buffer.append(Array(script.removeFirst().utf8))
            return !script.isEmpty
        }
    }

    @Test(arguments: ["sync", "concurrent"])
    func theEngineDeadLettersTheTimedOutDocumentWithItsOffset(_ engine: String) async throws {
        // Readings: 20 s at start, 40 s at the data (lastInputAt), 60 s at the first tick (idle 20 s: fine), 80 s at
        // the second (idle 40 s > 30 s: timeout), then new data.
        let source = ScriptedSource(
            clock: SteppingClock(step: .seconds(20)), script: ["{\"a\":1}\n{\"b\"", "", "", "{\"c\":3}\n"])
        let values = OutputCollector<JSONValue>()
        let deadLetters = DeadLetterCollector()
        let pipeline = Pipeline.source("peer", source).frames("frames", .newlineDelimited).values("values")
            .deadLetters(DeadLetterPolicy(sink: deadLetters, clock: ManualClock()))
            .sink(values)
        if engine == "sync" {
            _ = try SyncEngine(batchSize: 1).run(pipeline)
        } else {
            _ = try await ConcurrentEngine(batchSize: 1, channelCapacity: 1).run(pipeline)
        }
        #expect(values.elements.count == 2 && values.elements.last?["c"] != nil, "\(values.elements)")
        let record = try #require(deadLetters.records.first)
        #expect(deadLetters.records.count == 1 && record.errorCode == "framing-timeout" && record.stageName == "frames")
        #expect((record.error as? FramingTimeoutError)?.offset == 8)
    }

    @Test func networkSourcesHaveTheGuardOnAndFilesDoNot() {
        #expect(TCPByteSource(host: "127.0.0.1", port: 1).framingIdleTimeout?.limitNanoseconds == 30_000_000_000)
        #expect(TCPByteSource(host: "127.0.0.1", port: 1).framingIdleTimeout?.action == .deadLetter)
        #expect(FileByteSource(path: "/dev/null").framingIdleTimeout == nil)
    }
}
