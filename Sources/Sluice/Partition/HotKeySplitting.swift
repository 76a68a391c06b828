/// When a parallel keyed aggregation spreads a hot key over all its workers (the design's "slow partition
/// isolator").
///
/// A key whose share of a skew window's elements reaches `threshold` is split: its elements go round-robin to every
/// worker, each folding them into a partial value, and the partials are merged back into the key's owner (with the
/// aggregation's `merge`) when the key's share falls below `coolingThreshold`, before a rescale, and at the end of
/// the input. The output equals the unsplit run's because the aggregation is associative and commutative.
/// Splitting applies only to aggregations (`KeyedOperation.aggregate`); general keyed stages keep per-key order
/// and are never split.
public struct HotKeySplitting: Sendable, Hashable {
    /// The share of a window's elements at which a key is split, in (0, 1].
    public var threshold: Double
    /// The share below which a split key merges back; below `threshold`, for hysteresis.
    public var coolingThreshold: Double

    /// Creates a setting. - Precondition: `0 < coolingThreshold < threshold <= 1`.
    public init(threshold: Double = 0.1, coolingThreshold: Double? = nil) {
        let cooling = coolingThreshold ?? threshold / 2
        precondition(cooling > 0 && cooling < threshold && threshold <= 1, "need 0 < cooling < threshold <= 1")
        self.threshold = threshold
        self.coolingThreshold = cooling
    }
}

/// How a keyed stage runs in parallel on `ConcurrentEngine`.
public struct KeyedParallelism: Sendable {
    /// The worker count at the start (and throughout, unless `scaling` is set).
    public var workers: Int
    /// The key groups (maximum parallelism); fixed for the lifetime of the state.
    public var keyGroups: KeyGroups
    /// Dynamic parallelism; `nil` keeps `workers` fixed.
    public var scaling: ParallelismPolicy?
    /// Hot-key splitting; `nil` switches it off. Ignored for stages that are not aggregations.
    public var hotKeys: HotKeySplitting?
    /// Elements per skew window: skew, heavy hitters, hot keys and scaling are evaluated once per window.
    public var window: Int
    /// How many heavy hitters the Space-Saving sketch monitors.
    public var heavyHitterCapacity: Int
    /// One element in this many feeds the heavy-hitter sketch (counts are scaled back up).
    public var sketchSampling: Int
    /// A full key-group load histogram is kept every this many windows.
    public var histogramEveryWindows: Int
    /// Receives skew, heavy hitters, histograms, rescales and splits as the run goes; optional.
    public var observer: PartitionObserver?
    /// Not API: for tests, the worker count to rescale to at the end of window *i* is entry *i* modulo the count,
    /// instead of the controller's decision, so that rescaling runs deterministically.
    public var _rescaleSchedule: [Int]?

    /// Creates a setting. - Precondition: `1 <= workers <= keyGroups.count`, positive window and sizes.
    public init(
        workers: Int, keyGroups: KeyGroups = KeyGroups(), scaling: ParallelismPolicy? = nil,
        hotKeys: HotKeySplitting? = nil, window: Int = 16_384, heavyHitterCapacity: Int = 16, sketchSampling: Int = 4,
        histogramEveryWindows: Int = 16, observer: PartitionObserver? = nil
    ) {
        precondition(workers >= 1 && workers <= keyGroups.count, "workers must be in 1...key group count")
        precondition(window > 0 && heavyHitterCapacity > 0 && sketchSampling > 0 && histogramEveryWindows > 0)
        if let scaling { precondition(scaling.maximumWorkers <= keyGroups.count, "more workers than key groups") }
        self.workers = workers
        self.keyGroups = keyGroups
        self.scaling = scaling
        self.hotKeys = hotKeys
        self.window = window
        self.heavyHitterCapacity = heavyHitterCapacity
        self.sketchSampling = sketchSampling
        self.histogramEveryWindows = histogramEveryWindows
        self.observer = observer
    }
}
