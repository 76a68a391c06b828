/// What a chaos run measured: how fast the pipeline recovered, and whether anything was lost or duplicated.
public struct ChaosReport: Hashable, Sendable, Codable {
    /// Recovery time after each injected stage failure: from the failure to the first element the restarted
    /// stage completed, in milliseconds: the median. Nil (like p99 and max) when no recovery was measured.
    public var recoveryMillisecondsP50: Double?
    /// The 99th percentile of the recovery times, in milliseconds; nil when no recovery was measured.
    public var recoveryMillisecondsP99: Double?
    /// The longest recovery time, in milliseconds; nil when no recovery was measured.
    public var recoveryMillisecondsMax: Double?
    /// Valid records produced (poison included: they are valid messages the stage cannot process).
    public var producedCount: Int
    /// Records that reached the sink, duplicates included.
    public var deliveredCount: Int
    /// Poison records quarantined to the dead-letter channel (routed or summarized during a storm).
    public var poisonQuarantinedCount: Int
    /// Poison records summarized instead of routed because the dead-letter channel was storming.
    public var poisonSuppressedCount: Int
    /// Malformed and truncated lines injected, and how many were rejected to the dead-letter channel.
    public var invalidInjectedCount: Int
    /// Lines rejected to the dead-letter channel as invalid: not JSON, or lacking an integer `seq`, an integer
    /// `value` or a `k<number>` `key`.
    public var invalidRejectedCount: Int
    /// Valid records neither delivered nor quarantined, as a percentage of those produced.
    public var lossPercent: Double
    /// Extra deliveries of a record already delivered, as a fraction of the records delivered.
    public var duplicateRatio: Double
    /// Stage failures injected, and restarts performed.
    public var stageFailures: Int
    /// Restarts of the supervised stage, each counted when its backoff delay has passed.
    public var restarts: Int
    /// Highest depth of the channel in front of the supervised stage.
    public var peakDepth: Int
    /// Memory pressure faults injected (the share of their memory that came back follows).
    public var memoryPressureEvents: Int
    /// Mean share (0…1) of each memory pressure fault's RSS growth that came back after its release; nil when
    /// RSS was not measured or never grew.
    public var memoryReturnedFractionRSS: Double?
    /// Mean share (0…1) of each memory pressure fault's growth in jemalloc's allocated bytes that came back
    /// after its release; nil when jemalloc is not the allocator or the bytes never grew.
    public var memoryReturnedFractionAllocated: Double?
    /// The run's interval snapshots.
    public var snapshots: [SoakSnapshot]
    /// True when the sink's per-key aggregate equals the aggregate of every valid non-poison record.
    public var aggregateMatches: Bool

    /// At-least-once holds by count: no valid record lost (`lossPercent` is 0). Whether the delivered records
    /// add up to the input's aggregate is `aggregateMatches`, checked beside it by the chaos benchmarks.
    public var isAtLeastOnce: Bool { lossPercent == 0 }
}
