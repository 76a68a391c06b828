/// Everything the comparator needs besides the two results files: thresholds, waivers, mandatory metrics,
/// the confidence level and whether incomparable environments may be compared anyway.
public struct GateConfiguration: Sendable {
    /// The thresholds in force.
    public var thresholds: ThresholdSet
    /// The waivers in force (already checked for expiry).
    public var waivers: WaiverSet
    /// Metrics whose absence in the candidate is an Observability Gap, for every benchmark.
    public var requiredMetrics: Set<BenchmarkMetric>
    /// Per-benchmark override of `requiredMetrics` (a suite benchmark with its own metric list).
    public var requiredMetricsByBenchmark: [String: Set<BenchmarkMetric>]
    /// The metric list of each suite benchmark that has its own (`metrics` in its entry). A metric such a list
    /// leaves out is not measured for that benchmark, so a stored baseline's value of it is not a gap.
    public var metricsByBenchmark: [String: Set<BenchmarkMetric>] = [:]
    /// The two-sided confidence of the timing lane's intervals.
    public var confidence: Double
    /// Compare even when the environments differ; the report then says so prominently.
    public var allowsIncomparableEnvironments: Bool
    /// Environment-control benchmarks: always compared; when one moves, the timing lane is normalised by its
    /// movement (see `GateComparator.controlNormalization`).
    public var calibrationBenchmarks: [String] = []
    /// The timing lane's error budget: `alpha` is the family-wise error rate of the whole run (Holm across the
    /// suite's timing comparisons), spent across the looks of adaptive re-measurement.
    public var sequential = AlphaSpending(alpha: GateConfiguration.defaultAlpha, looks: 1)
    /// The look this comparison is (1-based, at most `sequential.looks`).
    public var look = 1

    /// The default family-wise error rate of a gate run's timing lane (one-sided).
    public static let defaultAlpha = 0.05

    /// Creates a configuration.
    public init(
        thresholds: ThresholdSet = ThresholdSet(rules: nil), waivers: WaiverSet,
        requiredMetrics: Set<BenchmarkMetric> = [], requiredMetricsByBenchmark: [String: Set<BenchmarkMetric>] = [:],
        confidence: Double = RatioStatistics.defaultConfidence, allowsIncomparableEnvironments: Bool = false
    ) {
        precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1)")
        self.thresholds = thresholds
        self.waivers = waivers
        self.requiredMetrics = requiredMetrics
        self.requiredMetricsByBenchmark = requiredMetricsByBenchmark
        self.confidence = confidence
        self.allowsIncomparableEnvironments = allowsIncomparableEnvironments
    }

    /// The configuration a suite file describes: its thresholds (or the defaults), its waivers checked against
    /// `today` (`YYYY-MM-DD`), and its required metrics restricted to what each benchmark captures.
    ///
    /// Throws `HarnessError` (bad input or expired waiver) naming `file` and the field.
    public init(
        suite: SuiteFile, file: String?, today: String, confidence: Double = RatioStatistics.defaultConfidence,
        allowsIncomparableEnvironments: Bool = false
    ) throws(HarnessError) {
        let thresholds = ThresholdSet(rules: suite.thresholds)
        try thresholds.validate(file: file)
        let required = Set(suite.requiredMetrics ?? [])
        var byBenchmark: [String: Set<BenchmarkMetric>] = [:]
        var listed: [String: Set<BenchmarkMetric>] = [:]
        for benchmark in suite.benchmarks {
            if let metrics = benchmark.metrics {
                byBenchmark[benchmark.name] = required.intersection(metrics)
                listed[benchmark.name] = Set(metrics)
            }
        }
        self.init(
            thresholds: thresholds, waivers: try WaiverSet(suite.waivers, today: today, file: file),
            requiredMetrics: required.intersection(suite.metrics), requiredMetricsByBenchmark: byBenchmark,
            confidence: confidence, allowsIncomparableEnvironments: allowsIncomparableEnvironments)
        calibrationBenchmarks = suite.calibration ?? []
        metricsByBenchmark = listed
    }

    /// The metrics that must be present for `benchmark`.
    public func requiredMetrics(forBenchmark benchmark: String) -> Set<BenchmarkMetric> {
        requiredMetricsByBenchmark[benchmark] ?? requiredMetrics
    }

    /// True when `benchmark` has a metric list of its own in the suite and `metric` is not on it.
    public func leavesOut(_ metric: BenchmarkMetric, forBenchmark benchmark: String) -> Bool {
        metricsByBenchmark[benchmark].map { !$0.contains(metric) } ?? false
    }
}
