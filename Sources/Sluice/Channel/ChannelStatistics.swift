/// A snapshot of a ``BoundedChannel``'s instrumentation, read without taking the channel's lock.
///
/// Counters are loaded one by one while the channel may be running, so a snapshot taken under load is
/// approximate across fields (each field is exact on its own); a snapshot of a quiescent channel is exact.
/// Times come from the channel's ``MonotonicClock``, in nanoseconds.
///
/// Conservation: `sentCount == receivedCount + droppedOldestCount + droppedNewestCount + depth`.
public struct ChannelStatistics: Sendable, Hashable {
    /// Accumulated time spent at depths within `depths`.
    public struct DepthBucket: Sendable, Hashable {
        /// The depths this bucket covers: `0...0`, then `1...1`, `2...3`, `4...7`, … (powers of two).
        public var depths: ClosedRange<Int>
        /// Nanoseconds the channel spent at a depth in `depths`.
        public var nanoseconds: UInt64

        /// Creates a bucket.
        public init(depths: ClosedRange<Int>, nanoseconds: UInt64) {
            self.depths = depths
            self.nanoseconds = nanoseconds
        }
    }

    /// The channel's name.
    public var name: String
    /// The capacity, or `nil` when unbounded.
    public var capacity: Int?
    /// Elements buffered now (`channel_depth_current`).
    public var depth: Int
    /// The largest depth ever reached (`channel_depth_max`).
    public var maxDepth: Int
    /// Elements the channel took from producers: enqueued, or discarded on arrival by `.dropNewest`.
    public var sentCount: Int
    /// Elements handed to consumers.
    public var receivedCount: Int
    /// Buffered elements discarded by `.dropOldest` (including a batch's own head when the batch alone
    /// exceeds the capacity).
    public var droppedOldestCount: Int
    /// Arriving elements discarded by `.dropNewest`.
    public var droppedNewestCount: Int
    /// Elements refused under `.fail` (thrown as `.full` or reported as `.full` by `trySend`).
    public var rejectedCount: Int
    /// Time-weighted depth histogram: how long the channel spent in each power-of-two depth bucket, from its
    /// creation until the snapshot. Buckets run up to the one holding the capacity (or depth `Int.max`).
    /// `nil` when the channel was created without a clock.
    public var depthHistogram: [DepthBucket]?
    /// Nanoseconds from the channel's creation to this snapshot; the histogram's buckets sum to it.
    /// `nil` without a clock.
    public var observedNanoseconds: UInt64?
    /// Nanoseconds spent with the depth at the capacity (0 for an unbounded channel); `nil` without a clock.
    public var nanosecondsAtCapacity: UInt64?
    /// Nanoseconds producers spent suspended waiting for room, summed over producers and measured from
    /// each suspension to its resumption; `nil` without a clock.
    public var producerBlockedNanoseconds: UInt64?
    /// How many times a producer suspended waiting for room.
    public var producerSuspensionCount: Int
    /// Producers suspended right now.
    public var waitingProducerCount: Int
    /// Consumers suspended right now.
    public var waitingConsumerCount: Int

    /// Creates a snapshot (for tests and tools; channels make their own with ``BoundedChannel/statistics()``).
    public init(
        name: String,
        capacity: Int?,
        depth: Int,
        maxDepth: Int,
        sentCount: Int,
        receivedCount: Int,
        droppedOldestCount: Int,
        droppedNewestCount: Int,
        rejectedCount: Int,
        depthHistogram: [DepthBucket]? = nil,
        observedNanoseconds: UInt64? = nil,
        nanosecondsAtCapacity: UInt64? = nil,
        producerBlockedNanoseconds: UInt64? = nil,
        producerSuspensionCount: Int,
        waitingProducerCount: Int,
        waitingConsumerCount: Int
    ) {
        self.name = name
        self.capacity = capacity
        self.depth = depth
        self.maxDepth = maxDepth
        self.sentCount = sentCount
        self.receivedCount = receivedCount
        self.droppedOldestCount = droppedOldestCount
        self.droppedNewestCount = droppedNewestCount
        self.rejectedCount = rejectedCount
        self.depthHistogram = depthHistogram
        self.observedNanoseconds = observedNanoseconds
        self.nanosecondsAtCapacity = nanosecondsAtCapacity
        self.producerBlockedNanoseconds = producerBlockedNanoseconds
        self.producerSuspensionCount = producerSuspensionCount
        self.waitingProducerCount = waitingProducerCount
        self.waitingConsumerCount = waitingConsumerCount
    }

    /// `droppedOldestCount + droppedNewestCount`.
    public var droppedCount: Int { droppedOldestCount + droppedNewestCount }

    /// The share of the observed time spent at capacity, 0...1 (the harness's `channel_time_at_capacity`);
    /// `nil` without a clock or before any time has passed.
    public var fractionOfTimeAtCapacity: Double? {
        guard let nanosecondsAtCapacity, let observedNanoseconds, observedNanoseconds > 0 else { return nil }
        return Double(nanosecondsAtCapacity) / Double(observedNanoseconds)
    }

    /// The time-weighted mean depth, using each bucket's midpoint; `nil` without a clock or before any time
    /// has passed.
    public var approximateMeanDepth: Double? {
        guard let depthHistogram, let observedNanoseconds, observedNanoseconds > 0 else { return nil }
        var weighted = 0.0
        for bucket in depthHistogram where bucket.nanoseconds > 0 {
            let middle = (Double(bucket.depths.lowerBound) + Double(bucket.depths.upperBound)) / 2
            weighted += middle * Double(bucket.nanoseconds)
        }
        return weighted / Double(observedNanoseconds)
    }

    /// The bucket index for `depth`: 0 for 0, else `1 + floor(log2(depth))`.
    @inlinable
    public static func bucketIndex(forDepth depth: Int) -> Int {
        depth <= 0 ? 0 : Int.bitWidth - depth.leadingZeroBitCount
    }

    /// The depths covered by bucket `index`.
    public static func depths(ofBucket index: Int) -> ClosedRange<Int> {
        if index == 0 { return 0...0 }
        let lower = 1 << (index - 1)
        let upper = index >= Int.bitWidth - 1 ? Int.max : (1 << index) - 1
        return lower...upper
    }
}
