/// Where failed elements go, and how error storms are limited.
public struct DeadLetterPolicy: Sendable {
    /// The sink that receives routed records and the storm summary.
    public var sink: any DeadLetterSink
    /// Records per second routed per stage once the burst is spent; the rest are counted, not delivered.
    public var ratePerSecond: Double
    /// Records a stage may route at once before the rate applies.
    public var burst: Int
    /// The clock the rate limiter reads. Tests pass a `ManualClock`.
    public var clock: any MonotonicClock

    /// Creates a policy. The default routes up to 100 records per stage at once, then 10 per second.
    public init(
        sink: any DeadLetterSink = DiscardingDeadLetterSink(),
        ratePerSecond: Double = 10,
        burst: Int = 100,
        clock: any MonotonicClock = SystemMonotonicClock()
    ) {
        self.sink = sink
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.clock = clock
    }
}

/// Receives elements that stages failed on.
///
/// `receive` is called once per routed record, on the thread or task of the stage that failed (so concurrently
/// from several stages under the `ConcurrentEngine`); `receive(summary:)` once, after the run, with what the rate
/// limiter suppressed.
public protocol DeadLetterSink: Sendable {
    /// Takes one routed record.
    func receive(_ record: DeadLetterRecord)
    /// Takes the end-of-run summary of suppressed records.
    func receive(summary: DeadLetterSummary)
}

/// A dead-letter sink that drops what it gets (records are still counted in the statistics).
public struct DiscardingDeadLetterSink: DeadLetterSink {
    /// Creates the sink.
    public init() {}
    /// Drops the record.
    public func receive(_ record: DeadLetterRecord) {}
    /// Drops the summary.
    public func receive(summary: DeadLetterSummary) {}
}

/// What the dead-letter router did in one run.
public struct DeadLetterSummary: Sendable, Hashable {
    /// Errors per stage name (every failed element, routed or suppressed): `stage_error_total`.
    public var errorsByStage: [String: Int] = [:]
    /// Records delivered to the sink: `poison_routed_total`.
    public var routedCount = 0
    /// Records the rate limiter held back, per stage and error code.
    public var suppressed: [SuppressedKey: Int] = [:]

    /// Creates an empty summary.
    public init() {}

    /// Every error, routed or suppressed.
    public var errorCount: Int { errorsByStage.values.reduce(0, +) }
    /// Every suppressed record.
    public var suppressedCount: Int { suppressed.values.reduce(0, +) }

    /// A stage and error code whose records were suppressed.
    public struct SuppressedKey: Sendable, Hashable, CustomStringConvertible {
        /// The stage that failed.
        public var stageName: String
        /// The error's code.
        public var errorCode: String

        /// Creates a key.
        public init(stageName: String, errorCode: String) {
            self.stageName = stageName
            self.errorCode = errorCode
        }

        /// `<stageName>/<errorCode>`.
        public var description: String { "\(stageName)/\(errorCode)" }
    }
}
