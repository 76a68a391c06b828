/// A results file: everything one run measured, under a versioned schema.
///
/// Written atomically (temporary file, then rename). `schemaVersion` is checked on read; a damaged
/// or unknown file is an error that names the file, never silently skipped.
public struct ResultsFile: Codable, Sendable {
    /// The schema version this build writes and reads.
    public static let currentSchemaVersion = 1

    /// The results schema version (`currentSchemaVersion`); a reader refuses any other.
    public var schemaVersion: Int
    /// A unique id for the run, e.g. `20261129T080102Z-pr-3f2a`.
    public var runID: String
    /// The suite's name.
    public var suite: String
    /// ISO 8601 time the run started.
    public var startedAt: String
    /// True when the run was interrupted (Ctrl-C) or a shard: not every benchmark ran.
    public var isPartial: Bool
    /// Shard `K/N`, when the run was one shard of a suite.
    public var shard: String?
    /// The `--filter` of a run it left benchmarks of the suite out of (such a run is partial, and so is every
    /// merge of its shards); nil when no benchmark was left out.
    public var filter: String? = nil
    /// Where the run happened: machine, toolchain, build, allocator and commit. The gate compares only
    /// results whose `environmentKey` matches.
    public var environment: EnvironmentFingerprint
    /// The harness's own per-sample cost (clock reads plus a histogram record), in ns.
    public var harnessOverheadNanoseconds: Double?
    /// One entry per benchmark of the suite that was selected, in suite order, including failed and skipped ones.
    public var benchmarks: [BenchmarkResult]

    /// Creates a results file; `schemaVersion` defaults to the version this build writes.
    public init(
        schemaVersion: Int = ResultsFile.currentSchemaVersion, runID: String, suite: String, startedAt: String,
        isPartial: Bool, shard: String? = nil, environment: EnvironmentFingerprint,
        harnessOverheadNanoseconds: Double?, benchmarks: [BenchmarkResult]
    ) {
        self.schemaVersion = schemaVersion
        self.runID = runID
        self.suite = suite
        self.startedAt = startedAt
        self.isPartial = isPartial
        self.shard = shard
        self.environment = environment
        self.harnessOverheadNanoseconds = harnessOverheadNanoseconds
        self.benchmarks = benchmarks
    }
}

/// What one benchmark produced.
public struct BenchmarkResult: Codable, Sendable {
    /// How the benchmark ended.
    public enum Status: String, Codable, Sendable {
        /// Ran and its output check passed.
        case passed
        /// Threw, crashed, or its output check failed: a Functional Fail.
        case failed
        /// Not run (filtered out, interrupted, or unsupported here); `error` says why.
        case skipped
    }

    /// The stable name, e.g. `micro/tokenize/twitter/chunk4k`.
    public var name: String
    /// How the benchmark ended; only `passed` results carry metrics the gate compares.
    public var status: Status
    /// Why the benchmark failed or was skipped.
    public var error: String?
    /// Operations per sample (inner iterations) chosen by the runner.
    public var innerIterations: Int
    /// The metrics captured, one entry per metric.
    public var metrics: [MetricResult]
    /// The parameters the suite gave the benchmark (absent: none, defaults used).
    public var parameters: [String: JSONParameter]? = nil
    /// Items one operation processes (what items/s is computed from), when the benchmark declares it.
    public var itemsPerOperation: Double? = nil
    /// Bytes one operation processes (what bytes/s is computed from), when the benchmark declares it.
    public var bytesPerOperation: Double? = nil
    /// Whether warm-up ended because timings were stable (false: it hit `maxWarmupSeconds`).
    public var isWarmupStable: Bool? = nil
    /// How many processes the timing rounds were spread over.
    public var processCount: Int? = nil

    /// Creates a result; the optional fields (`parameters`, `itemsPerOperation`, ...) start nil.
    public init(name: String, status: Status, error: String? = nil, innerIterations: Int, metrics: [MetricResult]) {
        self.name = name
        self.status = status
        self.error = error
        self.innerIterations = innerIterations
        self.metrics = metrics
    }

    /// The result for `metric`, if it was captured or reported unavailable.
    public func metric(_ metric: BenchmarkMetric) -> MetricResult? { metrics.first { $0.metric == metric } }
}

/// One metric of one benchmark: its samples summarized, per-round values for statistics, and a mergeable histogram.
public struct MetricResult: Codable, Sendable {
    /// Which metric this is (its stable name in JSON, e.g. `wall_time`).
    public var metric: BenchmarkMetric
    /// The unit every value of this entry is in (`BenchmarkMetric.unit`), e.g. `ns` or `allocations/op`.
    public var unit: String
    /// Whether lower or higher values are better (`lower` / `higher`).
    public var direction: BenchmarkMetric.Direction
    /// Set when the metric could not be measured here (e.g. no jemalloc); all values are then absent.
    /// An unavailable metric is an Observability Gap when the suite requires it, never a zero.
    public var unavailableReason: String?
    /// True for exact integer metrics (allocation counts) that need no statistics.
    public var isExact: Bool
    /// False when the metric is too coarse to gate (tick-quantized CPU time).
    public var isGateable: Bool
    /// How many samples were taken.
    public var sampleCount: Int
    /// Summary of all samples; nil when unavailable.
    public var summary: MetricSummary?
    /// One value per round (the round's median), in run order: what the gate's statistics use,
    /// because the noise between rounds and processes is what a baseline must capture.
    public var roundValues: [Double]
    /// All samples in a compact, mergeable form; nil for metrics that are not distributions.
    public var histogram: CompactHistogram?
    /// How the metric was captured when that matters for reading it, e.g. which jemalloc counters.
    public var method: String? = nil
    /// The confidence interval of a value that is an estimate (a soak slope), in the metric's unit; nil otherwise.
    public var confidenceInterval: MetricConfidenceInterval? = nil
    /// One value per worker process, keyed by percentile, in process order: `p50` is the median of that
    /// process's rounds, any other key (`p99`) that process's own summary value. The worker process is the
    /// gate's unit of replication (rounds inside one process are not independent of each other), so the timing
    /// lane's intervals and tests run over these. Nil in files written before schema 1 gained it, and for
    /// metrics without rounds.
    public var processValues: [String: [Double]]? = nil

    /// Creates a metric result. `unit` and `direction` come from `metric`; a nil `isExact` means exact for
    /// deterministic-lane metrics, a nil `isGateable` means `metric.isGateableByDefault`.
    public init(
        metric: BenchmarkMetric, unavailableReason: String? = nil, isExact: Bool? = nil, isGateable: Bool? = nil,
        sampleCount: Int, summary: MetricSummary?, roundValues: [Double], histogram: CompactHistogram? = nil
    ) {
        self.metric = metric
        self.unit = metric.unit
        self.direction = metric.direction
        self.unavailableReason = unavailableReason
        self.isExact = isExact ?? (metric.lane == .deterministic)
        self.isGateable = isGateable ?? metric.isGateableByDefault
        self.sampleCount = sampleCount
        self.summary = summary
        self.roundValues = roundValues
        self.histogram = histogram
    }

    /// A metric that could not be measured: reported as unavailable, with the reason.
    public static func unavailable(_ metric: BenchmarkMetric, reason: String) -> MetricResult {
        MetricResult(metric: metric, unavailableReason: reason, sampleCount: 0, summary: nil, roundValues: [])
    }
}

/// A confidence interval around an estimated metric value (e.g. the Theil–Sen slope of a soak series).
public struct MetricConfidenceInterval: Codable, Hashable, Sendable {
    /// The lower bound, in the metric's unit.
    public var lower: Double
    /// The upper bound, in the metric's unit.
    public var upper: Double
    /// The confidence level, e.g. 0.95.
    public var level: Double

    /// Creates an interval.
    public init(lower: Double, upper: Double, level: Double) {
        self.lower = lower
        self.upper = upper
        self.level = level
    }
}

/// Percentiles and moments of a metric's samples, as Doubles (rates are never rounded to integers).
public struct MetricSummary: Codable, Hashable, Sendable {
    /// The smallest sample.
    public var min: Double
    /// The 25th percentile.
    public var p25: Double
    /// The median: what reports and the trend page show as the value.
    public var p50: Double
    /// The 75th percentile.
    public var p75: Double
    /// The 90th percentile.
    public var p90: Double
    /// The 99th percentile (the trend page's band).
    public var p99: Double
    /// The 99.9th percentile.
    public var p999: Double
    /// The largest sample.
    public var max: Double
    /// The arithmetic mean of the samples.
    public var mean: Double
    /// The samples' standard deviation (population), in the metric's unit.
    public var standardDeviation: Double

    /// Creates a summary from its values.
    public init(
        min: Double, p25: Double, p50: Double, p75: Double, p90: Double, p99: Double, p999: Double, max: Double,
        mean: Double, standardDeviation: Double
    ) {
        self.min = min
        self.p25 = p25
        self.p50 = p50
        self.p75 = p75
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.max = max
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// The value at a named percentile: `p25`, `p50`, `p75`, `p90`, `p99`, `p999`, `max`, `min` or `mean`.
    public func value(at percentile: String) -> Double? {
        switch percentile {
        case "min": min
        case "p25": p25
        case "p50": p50
        case "p75": p75
        case "p90": p90
        case "p99": p99
        case "p999", "p99.9": p999
        case "max": max
        case "mean": mean
        default: nil
        }
    }
}

/// A compact HDR histogram (3 significant digits): the non-empty buckets as value/count pairs,
/// so results from several runs or shards can be merged exactly.
public struct CompactHistogram: Codable, Hashable, Sendable {
    /// Significant decimal digits the histogram kept (3).
    public var significantDigits: Int
    /// Highest value the histogram could record.
    public var highestTrackableValue: UInt64
    /// Bucket values (each bucket's representative value), ascending.
    public var values: [UInt64]
    /// Counts for each value in `values`.
    public var counts: [UInt64]
    /// Recorded values are the metric's unit times this divisor; nil means 1. Wall time is recorded per
    /// sample of `innerIterations` operations (ns per sample, so ns-scale operations keep 3 significant
    /// digits), and the divisor is `innerIterations`. Merge only histograms with equal divisors.
    public var valueDivisor: Double?

    /// Creates a histogram from its buckets; a nil `valueDivisor` means 1.
    public init(
        significantDigits: Int, highestTrackableValue: UInt64, values: [UInt64], counts: [UInt64],
        valueDivisor: Double? = nil
    ) {
        self.significantDigits = significantDigits
        self.highestTrackableValue = highestTrackableValue
        self.values = values
        self.counts = counts
        self.valueDivisor = valueDivisor
    }
}
