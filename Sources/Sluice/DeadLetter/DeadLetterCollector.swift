import Synchronization

/// A dead-letter sink that keeps every record in memory, for tests and small tools. Guarded by a `Mutex`.
public final class DeadLetterCollector: DeadLetterSink {
    private let state = Mutex<([DeadLetterRecord], [DeadLetterSummary])>(([], []))

    /// Creates an empty collector.
    public init() {}

    /// Appends `record` to `records`, under the lock.
    public func receive(_ record: DeadLetterRecord) {
        state.withLock { $0.0.append(record) }
    }

    /// Appends `summary` to `summaries`, under the lock.
    public func receive(summary: DeadLetterSummary) {
        state.withLock { $0.1.append(summary) }
    }

    /// The records received so far, in arrival order.
    public var records: [DeadLetterRecord] { state.withLock { $0.0 } }
    /// The summaries received so far, one per run.
    public var summaries: [DeadLetterSummary] { state.withLock { $0.1 } }
}
