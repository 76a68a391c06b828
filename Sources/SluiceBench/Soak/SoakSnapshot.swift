/// One interval snapshot of a soak or chaos run, written as a JSON line while the run goes on.
public struct SoakSnapshot: Hashable, Sendable, Codable {
    /// Seconds since the run started.
    public var elapsedSeconds: Double
    /// Items processed per second over the interval.
    public var throughputPerSecond: Double
    /// 99th percentile latency over the interval, in nanoseconds, where the workload records latency.
    public var p99Nanoseconds: Double?
    /// Resident set size at the snapshot, in bytes.
    public var rssBytes: Double?
    /// jemalloc's `stats.allocated` (bytes in live allocations); nil without jemalloc.
    public var allocatedBytes: Double?
    /// jemalloc's `stats.active` (bytes in active pages); nil without jemalloc.
    public var activeBytes: Double?
    /// Channel depth at the snapshot, where the workload has channels.
    public var channelDepth: Double?

    /// Creates a snapshot.
    public init(elapsedSeconds: Double, throughputPerSecond: Double, p99Nanoseconds: Double? = nil,
        rssBytes: Double? = nil, allocatedBytes: Double? = nil, activeBytes: Double? = nil, channelDepth: Double? = nil) {
        self.elapsedSeconds = elapsedSeconds
        self.throughputPerSecond = throughputPerSecond
        self.p99Nanoseconds = p99Nanoseconds
        self.rssBytes = rssBytes
        self.allocatedBytes = allocatedBytes
        self.activeBytes = activeBytes
        self.channelDepth = channelDepth
    }

    /// The memory series soak verdicts use: jemalloc's allocated bytes when known (exact, not page-quantized),
    /// else RSS.
    public var memoryBytes: Double? { allocatedBytes ?? rssBytes }
}
