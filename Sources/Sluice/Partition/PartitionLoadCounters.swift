import Synchronization

/// Per-worker load counters, one slot per worker, each written only by its worker, so they never contend: the
/// elements a worker has processed and the nanoseconds it spent busy. The router reads them (relaxed) to estimate
/// utilisation.
final class PartitionLoadCounters: Sendable {
    /// One worker's slot; a separate object per worker, padded so that two slots do not share a cache line.
    final class Slot: Sendable {
        let processed = Atomic<Int>(0)
        let busyNanoseconds = Atomic<UInt64>(0)
        private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    }

    private let slots: [Slot]

    /// Creates counters for up to `capacity` workers.
    init(capacity: Int) {
        slots = (0..<capacity).map { _ in Slot() }
    }

    /// Worker `index`'s slot. O(1).
    func slot(_ index: Int) -> Slot { slots[index] }

    /// Every worker's busy nanoseconds so far, for `count` workers. O(count).
    func busy(count: Int) -> [UInt64] { (0..<count).map { slots[$0].busyNanoseconds.load(ordering: .relaxed) } }

    /// Every worker's processed count so far. O(count).
    func processed(count: Int) -> [Int] { (0..<count).map { slots[$0].processed.load(ordering: .relaxed) } }
}

/// `partition_skew_ratio`: the busiest partition's load over the mean load, 1 for a perfect spread. `nil` when
/// nothing was counted (unmeasurable, never 0).
public func partitionSkewRatio(_ loads: [Int]) -> Double? {
    let total = loads.reduce(0, +)
    guard total > 0, let maximum = loads.max() else { return nil }
    return Double(maximum) / (Double(total) / Double(loads.count))
}
