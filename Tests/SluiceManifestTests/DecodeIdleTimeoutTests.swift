import Foundation
import Sluice
import SluiceConnectors
import SluiceJSON
import SluiceTestKit
import Synchronization
import Testing

@testable import SluiceManifest

/// The decode stage of manifest pipelines (what `sluice run` runs) with the framing timeout guard, on virtual
/// time: a `ManualClock` the test advances; an empty chunk is the source's tick.
@Suite struct DecodeIdleTimeoutTests {
    /// Dead-letter lines kept in memory.
    final class Lines: ByteSink, @unchecked Sendable {
        private let bytes = Mutex<[UInt8]>([])
        func write(_ chunk: UnsafeRawBufferPointer) throws { bytes.withLock { $0 += chunk } }
        func flush() throws {}
        func close() throws {}
        var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
    }

    static func feed(_ op: inout DecodeOperator, _ text: String) throws -> [ManifestRecord] {
        var out: [ManifestRecord] = []
        try op.process(Array(text.utf8)) { out.append($0) }
        return out
    }

    @Test func anIdleIncompleteDocumentIsDeadLetteredWithItsOffsetAndFramingRestarts() throws {
        let clock = ManualClock()
        let lines = Lines()
        let rejects = RejectLog(sink: lines)
        var op = DecodeOperator(
            framing: .ndjson, rejects: rejects, decoded: ByteCounter(), base: 100,
            idleTimeout: FramingIdleTimeout(limit: .seconds(30), action: .deadLetter, clock: clock))
        #expect(try Self.feed(&op, "{\"a\":1}\n{\"b\":").map(\.offset) == [100])
        clock.advance(by: .seconds(30))
        #expect(try Self.feed(&op, "").isEmpty && rejects.count == 0, "exactly the limit is not past it")
        clock.advance(by: .milliseconds(1))
        #expect(try Self.feed(&op, "").isEmpty)
        #expect(rejects.count == 1 && rejects.timeoutFailure == nil)
        #expect(lines.text.contains("\"offset\":108") && lines.text.contains("framing-timeout"), "\(lines.text)")
        #expect(lines.text.contains(#""document":"{\"b\":""#), "\(lines.text)")
        // The next bytes are a new stream; offsets stay absolute (100 + 8 + the 5 dead-lettered bytes).
        let next = try Self.feed(&op, "{\"c\":2}\n")
        #expect(next.map(\.offset) == [113] && next.map(\.end) == [120], "\(next.map(\.end))")
        #expect(next.first?.value == .object([JSONMember(key: "c", value: .number(.int(2)))]))
    }

    /// Ctrl-C cuts the input between chunks: the document it cut is left unread, not a broken framing and a
    /// dead letter (before, `sluice run` then exited 1, "the input's framing broke", instead of 130).
    @Test func aStopCutsTheInputWithoutAFramingFailure() throws {
        let stop = StopSignal()
        let lines = Lines()
        let rejects = RejectLog(sink: lines)
        var op = DecodeOperator(framing: .ndjson, rejects: rejects, decoded: ByteCounter(), stop: stop)
        #expect(try Self.feed(&op, "{\"a\":1}\n{\"b\":").map(\.offset) == [0])
        stop.stop()
        var last: [ManifestRecord] = []
        try op.finish { last.append($0) }
        #expect(last.isEmpty && rejects.count == 0 && rejects.framingFailure == nil && lines.text.isEmpty)
        // Without a stop, the same cut is what it is: the input ended inside a document.
        var unstopped = DecodeOperator(framing: .ndjson, rejects: rejects, decoded: ByteCounter(), stop: StopSignal())
        _ = try Self.feed(&unstopped, "{\"b\":")
        try unstopped.finish { _ in }
        #expect(rejects.framingFailure != nil)
    }

    @Test func theFailActionEndsTheInputAndTheRunIsIncomplete() throws {
        let clock = ManualClock()
        let rejects = RejectLog(sink: nil)
        var op = DecodeOperator(
            framing: .ndjson, rejects: rejects, decoded: ByteCounter(),
            idleTimeout: FramingIdleTimeout(limit: .seconds(1), action: .fail, clock: clock))
        _ = try Self.feed(&op, "[1,")
        clock.advance(by: .seconds(2))
        _ = try Self.feed(&op, "")
        #expect(rejects.count == 1 && rejects.timeoutFailure?.offset == 0)
        #expect(try Self.feed(&op, "2]\n{\"d\":4}\n").isEmpty, "nothing is read after the failure")
    }

    @Test func ticksBetweenDocumentsOrWithoutAGuardChangeNothing() throws {
        let clock = ManualClock()
        let rejects = RejectLog(sink: nil)
        var guarded = DecodeOperator(
            framing: .ndjson, rejects: rejects, decoded: ByteCounter(),
            idleTimeout: FramingIdleTimeout(limit: .seconds(1), clock: clock))
        var unguarded = DecodeOperator(framing: .ndjson, rejects: rejects, decoded: ByteCounter())
        #expect(try Self.feed(&guarded, "{\"a\":1}\n").count == 1)
        _ = try Self.feed(&unguarded, "{\"a\":")
        clock.advance(by: .seconds(3600))
        #expect(try Self.feed(&guarded, "").isEmpty)
        #expect(try Self.feed(&unguarded, "").isEmpty)
        #expect(rejects.count == 0)
        #expect(try Self.feed(&unguarded, "1}\n").map(\.offset) == [0], "without a guard the document waits")
    }
}
