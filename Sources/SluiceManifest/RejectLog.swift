import Sluice
import SluiceEventTime
import SluiceConnectors
import SluiceJSON
import Synchronization

/// Where a run's failed documents go: counted always, and written as JSON lines to the dead-letter sink when the
/// manifest has one: `{"stage":…,"offset":…,"error":…,"document":…}`. Shared by the stages of one run; guarded
/// by a `Mutex`.
public final class RejectLog: Sendable, DeadLetterSink {
    private struct State {
        var count = 0
        var framingFailure: JSONParseError?
        var timeoutFailure: FramingTimeoutError?
        var writeFailure: String?
    }

    private let state = Mutex(State())
    private let sink: (any ByteSink)?

    /// Logs to `sink` (nil: count only).
    public init(sink: (any ByteSink)?) {
        self.sink = sink
    }

    /// Documents rejected so far.
    public var count: Int { state.withLock { $0.count } }

    /// The framing error that ended the input early, if any.
    public var framingFailure: JSONParseError? { state.withLock { $0.framingFailure } }

    /// The idle timeout (with the `.fail` action) that ended the input early, if any.
    public var timeoutFailure: FramingTimeoutError? { state.withLock { $0.timeoutFailure } }

    /// The first dead-letter write that failed, if any.
    public var writeFailure: String? { state.withLock { $0.writeFailure } }

    /// Records one failed document.
    func reject(stage: String, offset: Int, error: String, document: String?) {
        var members = [
            JSONMember(key: "stage", value: .string(stage)),
            JSONMember(key: "offset", value: .number(.int(Int64(offset)))),
            JSONMember(key: "error", value: .string(error)),
        ]
        if let document { members.append(JSONMember(key: "document", value: .string(document))) }
        var line = (try? JSONSerializer().serialize(.object(members))) ?? []
        line.append(UInt8(ascii: "\n"))
        state.withLock { state in
            state.count += 1
            guard let sink, state.writeFailure == nil else { return }
            do {
                try line.withUnsafeBytes { try sink.write($0) }
            } catch {
                state.writeFailure = "\(error)"
            }
        }
    }

    /// Records the framing error after which no more documents are read.
    func failFraming(_ error: JSONParseError) {
        state.withLock { state in if state.framingFailure == nil { state.framingFailure = error } }
        reject(stage: "decode", offset: error.offset, error: "\(error)", document: nil)
    }

    /// Records the idle timeout after which no more documents are read (the document itself was rejected).
    func failTimeout(_ error: FramingTimeoutError) {
        state.withLock { state in if state.timeoutFailure == nil { state.timeoutFailure = error } }
    }

    /// A stage error routed by the engine (a `DeadLetterSink`).
    public func receive(_ record: DeadLetterRecord) {
        // A window stage's input is the document with its event time.
        var document = record.element as? ManifestRecord
        if case .element(let timed, _)? = record.element as? EventTimeElement<ManifestRecord> { document = timed }
        let offset = (record.error as? RecordError)?.offset ?? document?.offset ?? -1
        let message = (record.error as? RecordError)?.message ?? "\(record.error)"
        let text = document.flatMap { try? JSONSerializer(nonFiniteNumbers: .asJQWrites).serializeToString($0.value) }
        reject(stage: record.stageName, offset: offset, error: message, document: text)
    }

    /// Nothing to do with the engine's summary: the log counts for itself.
    public func receive(summary: DeadLetterSummary) {}

    /// Hands what the dead-letter sink buffered to its destination (before the input they came from is
    /// acknowledged).
    func flush() throws { try state.withLock { _ in try sink?.flush() } }

    /// Flushes and closes the dead-letter sink.
    func close() throws { try sink?.close() }
}
