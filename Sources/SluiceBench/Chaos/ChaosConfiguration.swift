/// What a chaos run injects, and when. Every fault is optional; times are seconds since the run started.
///
/// Set from a suite file's benchmark `parameters` (every field by its name, read by the `chaos/…` benchmark's
/// driver), so CI and nightly runs differ only in their suite files.
public struct ChaosConfiguration: Hashable, Sendable, Codable {
    /// How long the run lasts.
    public var durationSeconds: Double
    /// Records the producer offers per step.
    public var recordsPerStep: Int
    /// Records the consumer takes per step at full speed.
    public var consumerBatch: Int
    /// Capacity of the bounded channel between producer and the supervised stage.
    public var channelCapacity: Int
    /// Distinct keys the records are aggregated by.
    public var keyCount: Int
    /// The supervised stage fails (throws) every this many seconds.
    public var stageFailureEverySeconds: Double?
    /// A burst of poison records (valid JSON the stage can never process) every this many seconds.
    public var poisonBurstEverySeconds: Double?
    /// Poison records in each poison burst.
    public var poisonBurstSize: Int
    /// A burst of malformed JSON lines every this many seconds.
    public var malformedBurstEverySeconds: Double?
    /// Malformed lines in each malformed burst.
    public var malformedBurstSize: Int
    /// A burst of truncated JSON lines every this many seconds.
    public var truncatedBurstEverySeconds: Double?
    /// Truncated lines (a valid record cut short) in each truncated burst.
    public var truncatedBurstSize: Int
    /// The consumer slows down every this many seconds, for `slowConsumerSeconds`, taking
    /// `consumerBatch / slowdownFactor` records per step.
    public var slowConsumerEverySeconds: Double?
    /// How long each slowdown lasts, in seconds.
    public var slowConsumerSeconds: Double
    /// The consumer's batch is divided by this during a slowdown (at least one record per step); at least 1.
    public var slowdownFactor: Int
    /// Memory pressure every this many seconds: `memoryPressureBytes` allocated and touched, held for
    /// `memoryPressureSeconds`, then released.
    public var memoryPressureEverySeconds: Double?
    /// Bytes allocated and touched (every 4 KiB page written) by each memory pressure fault.
    public var memoryPressureBytes: Int
    /// How long each memory pressure fault holds its bytes before freeing them, in seconds.
    public var memoryPressureSeconds: Double
    /// Restart backoff of the supervised stage.
    public var restartInitialDelaySeconds: Double
    /// Longest restart delay the backoff grows to, in seconds; also the delay used when the restart tracker
    /// gives up.
    public var restartMaxDelaySeconds: Double
    /// Seed for the record contents and the restart jitter.
    public var seed: UInt64

    /// Creates a configuration; the defaults are a small CI-sized run with every fault enabled.
    public init(
        durationSeconds: Double = 10, recordsPerStep: Int = 64, consumerBatch: Int = 128, channelCapacity: Int = 4096,
        keyCount: Int = 64, stageFailureEverySeconds: Double? = 2, poisonBurstEverySeconds: Double? = 3,
        poisonBurstSize: Int = 20, malformedBurstEverySeconds: Double? = 3, malformedBurstSize: Int = 20,
        truncatedBurstEverySeconds: Double? = 4, truncatedBurstSize: Int = 20, slowConsumerEverySeconds: Double? = 5,
        slowConsumerSeconds: Double = 1, slowdownFactor: Int = 8, memoryPressureEverySeconds: Double? = 5,
        memoryPressureBytes: Int = 64 << 20, memoryPressureSeconds: Double = 0.5, restartInitialDelaySeconds: Double = 0.01,
        restartMaxDelaySeconds: Double = 0.2, seed: UInt64 = 0xC4A05
    ) {
        precondition(durationSeconds > 0 && recordsPerStep > 0 && consumerBatch > 0 && channelCapacity > 0 && keyCount > 0)
        precondition(slowdownFactor >= 1)
        self.durationSeconds = durationSeconds
        self.recordsPerStep = recordsPerStep
        self.consumerBatch = consumerBatch
        self.channelCapacity = channelCapacity
        self.keyCount = keyCount
        self.stageFailureEverySeconds = stageFailureEverySeconds
        self.poisonBurstEverySeconds = poisonBurstEverySeconds
        self.poisonBurstSize = poisonBurstSize
        self.malformedBurstEverySeconds = malformedBurstEverySeconds
        self.malformedBurstSize = malformedBurstSize
        self.truncatedBurstEverySeconds = truncatedBurstEverySeconds
        self.truncatedBurstSize = truncatedBurstSize
        self.slowConsumerEverySeconds = slowConsumerEverySeconds
        self.slowConsumerSeconds = slowConsumerSeconds
        self.slowdownFactor = slowdownFactor
        self.memoryPressureEverySeconds = memoryPressureEverySeconds
        self.memoryPressureBytes = memoryPressureBytes
        self.memoryPressureSeconds = memoryPressureSeconds
        self.restartInitialDelaySeconds = restartInitialDelaySeconds
        self.restartMaxDelaySeconds = restartMaxDelaySeconds
        self.seed = seed
    }
}

/// A schedule of a periodic fault: fires at `every`, `2·every`, … seconds.
struct PeriodicFault {
    let every: Double?
    private var next: Double

    init(every: Double?) {
        self.every = every
        self.next = every ?? .infinity
    }

    /// Whether the fault is due at `elapsed` seconds; each due time fires once.
    mutating func isDue(at elapsed: Double) -> Bool {
        guard let every, elapsed >= next else { return false }
        next += every
        return true
    }
}
