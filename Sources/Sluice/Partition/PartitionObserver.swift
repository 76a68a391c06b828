import Metrics
import Synchronization

/// What a parallel keyed stage reported about its partitions: skew per window, heavy hitters, the key-group load
/// histogram, rescales and hot-key splits.
public struct PartitionReport: Sendable {
    /// One heavy hitter of a window.
    public struct HeavyHitter: Sendable, Hashable {
        /// The key, as text.
        public var key: String
        /// Its estimated share of the window's elements.
        public var share: Double
    }

    /// One change of the worker count.
    public struct Rescale: Sendable, Hashable {
        /// Workers before and after.
        public var from: Int, to: Int
        /// Key groups (and keys) that moved, with their state.
        public var movedGroups: Int, movedKeys: Int
    }

    /// `partition_skew_ratio` of every window (the most recent 4096), in order.
    public internal(set) var skewRatios: [Double] = []
    /// Windows evaluated.
    public internal(set) var windowCount = 0
    /// Elements routed to each worker index over the whole run (a split key's elements count where they went).
    public internal(set) var loadByWorker: [Int] = []
    /// `active_workers` at the end of the run (or now, while it runs).
    public internal(set) var activeWorkers = 0
    /// The largest worker count the run had.
    public internal(set) var peakWorkers = 0
    /// Every rescale, in order.
    public internal(set) var rescales: [Rescale] = []
    /// The heavy hitters of the latest window, most frequent first.
    public internal(set) var heavyHitters: [HeavyHitter] = []
    /// The latest full key-group load histogram: elements per key group (only groups that had any) in a window.
    public internal(set) var keyGroupHistogram: [Int: Int] = [:]
    /// Keys split (a key split twice counts twice) and merged back.
    public internal(set) var splitCount = 0, mergeBackCount = 0

    /// The skew ratio over the whole run, from `loadByWorker`; `nil` before anything was routed.
    public var overallSkewRatio: Double? { partitionSkewRatio(loadByWorker) }
    /// The median window skew ratio; `nil` before the first window.
    public var medianSkewRatio: Double? {
        guard !skewRatios.isEmpty else { return nil }
        return skewRatios.sorted()[skewRatios.count / 2]
    }
}

/// Collects a parallel keyed stage's `PartitionReport` while it runs, and exports it through swift-metrics:
/// gauges `partition_skew_ratio` and `active_workers`, counter `partition_records_total` (dimension `partition`),
/// and gauge `partition_heavy_hitter_share` for the top key, each with dimensions `pipeline` and `stage`.
///
/// Pass one in `KeyedParallelism.observer`; read `report` during or after the run. Thread-safe (a `Mutex`).
public final class PartitionObserver: Sendable {
    private let state = Mutex(PartitionReport())

    /// Creates an empty observer.
    public init() {}

    /// A copy of the report so far.
    public var report: PartitionReport { state.withLock { $0 } }

    func recordWindow(loads: [Int], skew: Double?, hitters: [PartitionReport.HeavyHitter], histogram: [Int: Int]?) {
        state.withLock { report in
            report.windowCount += 1
            if let skew {
                if report.skewRatios.count == 4096 { report.skewRatios.removeFirst() }
                report.skewRatios.append(skew)
            }
            if report.loadByWorker.count < loads.count {
                report.loadByWorker += Array(repeating: 0, count: loads.count - report.loadByWorker.count)
            }
            for (worker, load) in loads.enumerated() { report.loadByWorker[worker] += load }
            report.heavyHitters = hitters
            if let histogram { report.keyGroupHistogram = histogram }
        }
    }

    func recordWorkers(_ workers: Int) {
        state.withLock {
            $0.activeWorkers = workers
            $0.peakWorkers = max($0.peakWorkers, workers)
        }
    }

    func recordRescale(_ rescale: PartitionReport.Rescale) {
        state.withLock { $0.rescales.append(rescale) }
    }

    func recordSplits(split: Int, mergedBack: Int) {
        state.withLock {
            $0.splitCount += split
            $0.mergeBackCount += mergedBack
        }
    }
}

/// The metric names of parallel keyed stages.
public enum PartitionMetricName {
    /// Gauge: the busiest partition's load over the mean, per window.
    public static let skewRatio = "partition_skew_ratio"
    /// Gauge: the stage's current worker count.
    public static let activeWorkers = PipelineMetricName.activeWorkers
    /// Counter: elements routed to a partition (dimension `partition`).
    public static let recordsTotal = "partition_records_total"
    /// Gauge: the top heavy hitter's share of the window (dimension `key`).
    public static let heavyHitterShare = "partition_heavy_hitter_share"
}

/// The swift-metrics handles of one parallel keyed stage in one run.
struct PartitionMetrics: Sendable {
    let factory: any MetricsFactory
    let dimensions: [(String, String)]

    func window(loads: [Int], skew: Double?, top: PartitionReport.HeavyHitter?) {
        if let skew {
            Gauge(label: PartitionMetricName.skewRatio, dimensions: dimensions, factory: factory).record(skew)
        }
        for (partition, load) in loads.enumerated() where load > 0 {
            Counter(
                label: PartitionMetricName.recordsTotal, dimensions: dimensions + [("partition", String(partition))],
                factory: factory
            ).increment(by: Int64(load))
        }
        if let top {
            Gauge(label: PartitionMetricName.heavyHitterShare, dimensions: dimensions, factory: factory).record(top.share)
        }
    }

    func workers(_ count: Int) {
        Gauge(label: PartitionMetricName.activeWorkers, dimensions: dimensions, factory: factory).record(Double(count))
    }
}
