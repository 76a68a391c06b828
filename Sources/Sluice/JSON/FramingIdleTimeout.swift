/// The timeout guard of a framing stage: how long its input may stay idle while a document is incomplete, and what
/// happens then. Without it, a peer that stops in the middle of a document leaves the stage waiting forever.
///
/// The stage sees time only when it is called, so the guard needs its source to call it while idle: a source that
/// can go quiet (a network source, see `PipelineSource.framingIdleTimeout`) emits an empty chunk as a tick when it
/// has waited a while without data; the framing stage then compares its clock with the time of the last bytes.
public struct FramingIdleTimeout: Sendable {
    /// What the stage does with a document that timed out.
    public enum Action: Hashable, Sendable {
        /// The stage fails: the timeout error is sticky, like a framing error, so the chunk that found it and
        /// every later chunk go to the dead-letter sink with it.
        case fail
        /// The incomplete document goes to the dead-letter sink (its bytes in the error), and the stage starts
        /// a new stream with the next bytes (a peer that reconnects starts a fresh document).
        case deadLetter
    }

    /// Longest idle time inside an incomplete document, in nanoseconds of `clock`.
    public var limitNanoseconds: UInt64
    /// What happens on a timeout.
    public var action: Action
    /// The clock idle time is measured on (a `ManualClock` in tests).
    public var clock: any MonotonicClock

    /// Creates a guard.
    /// - Precondition: `limit` is positive.
    public init(limit: Duration, action: Action = .deadLetter, clock: any MonotonicClock = SystemMonotonicClock()) {
        precondition(limit > .zero, "the idle limit must be positive")
        limitNanoseconds = limit.nanoseconds
        self.action = action
        self.clock = clock
    }

    /// The default for network sources: 30 s, then dead-letter the document.
    public static let networkDefault = FramingIdleTimeout(limit: .seconds(30))
}

/// The running state of a `FramingIdleTimeout` inside a framing stage: when bytes last came, and the sticky
/// failure after a `.fail` timeout. Shared by `JSONFramingOperator` and the decode stage of manifest pipelines,
/// which own the framer and restart it after a dead-lettered timeout.
public struct FramingIdleGuard: Sendable {
    /// The guard's limit, action and clock.
    public let timeout: FramingIdleTimeout
    private var lastInputAt: UInt64
    /// The timeout error after a `.fail` timeout: every later chunk and the finish throw it.
    public private(set) var failure: FramingTimeoutError?

    /// Starts the idle time now, on the guard's clock.
    public init(_ timeout: FramingIdleTimeout) {
        self.timeout = timeout
        lastInputAt = timeout.clock.nowNanoseconds()
    }

    /// Notes a chunk's arrival. Returns true when the chunk is a tick (empty: the source waited without data),
    /// which the caller answers with `expire(openAt:bytes:)`.
    /// - Throws: the sticky failure after a `.fail` timeout.
    public mutating func isTick(_ chunk: [UInt8]) throws(FramingTimeoutError) -> Bool {
        if let failure { throw failure }
        guard chunk.isEmpty else {
            lastInputAt = timeout.clock.nowNanoseconds()
            return false
        }
        return true
    }

    /// On a tick: the timeout error when a document is open (`offset`: its absolute offset, nil when none is
    /// open) and no bytes came for longer than the limit, else nil. After `.fail` the error is sticky; after
    /// `.deadLetter` the idle time starts again, and the caller drops the document and restarts its framer.
    public mutating func expire(openAt offset: Int?, bytes: @autoclosure () -> [UInt8]) -> FramingTimeoutError? {
        let now = timeout.clock.nowNanoseconds()
        guard let offset, now &- lastInputAt > timeout.limitNanoseconds else { return nil }
        let error = FramingTimeoutError(
            offset: offset, partialDocument: bytes(), limitNanoseconds: timeout.limitNanoseconds, action: timeout.action)
        switch timeout.action {
        case .fail: failure = error
        case .deadLetter: lastInputAt = now
        }
        return error
    }
}

/// A document stayed incomplete with no input for longer than the framing stage's `FramingIdleTimeout`.
///
/// The message is deterministic (offset, bytes received, limit; not the measured idle time), so that reruns of
/// the same input give byte-identical dead-letter output.
public struct FramingTimeoutError: Error, Hashable, Sendable, CustomStringConvertible, StageErrorCoding {
    /// Absolute stream offset where the incomplete document began.
    public var offset: Int
    /// The document's bytes received before the timeout.
    public var partialDocument: [UInt8]
    /// The limit that was exceeded, in nanoseconds.
    public var limitNanoseconds: UInt64
    /// What the stage did: failed, or dead-lettered the document and went on.
    public var action: FramingIdleTimeout.Action

    /// `framing-timeout`.
    public var errorCode: String { "framing-timeout" }

    /// The offset, the bytes received, the limit in milliseconds and what the stage did; never the measured idle time.
    public var message: String {
        "incomplete document at offset \(offset) (\(partialDocument.count) bytes received) had no input for longer "
            + "than the \(limitNanoseconds / 1_000_000) ms limit"
            + (action == .fail ? "; the framing stage failed" : "; dead-lettered, framing restarts with the next bytes")
    }

    /// `framing-timeout: <message>`.
    public var description: String { "framing-timeout: \(message)" }
}
