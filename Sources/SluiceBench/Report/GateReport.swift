/// What a gate run decided, and every comparison behind it: the content of `reports/<run-id>.json`, and what
/// the Markdown report is written from. Versioned schema; `schemaVersion` is checked on read.
public struct GateReport: Codable, Hashable, Sendable {
    /// The schema version this build writes and reads.
    public static let currentSchemaVersion = 1

    /// How the verdict was reached, so that a reader can judge it.
    public struct Method: Codable, Hashable, Sendable {
        /// The timing lane's statistic.
        public var timingStatistic: String
        /// The requested two-sided confidence of the intervals.
        public var confidence: Double
        /// `suite` when the suite file gave thresholds, `defaults` when the design defaults applied.
        public var thresholdsSource: String

        /// How many comparisons the timing lane's error control covered, and how: e.g. `Holm–Bonferroni
        /// (family-wise error) over 12 timing comparisons at alpha 0.05`.
        public var multipleComparisons: String? = nil
        /// The look of adaptive re-measurement this report is (1-based) and the most there could be.
        public var look: Int? = nil
        /// The most looks the session could take (`AlphaSpending.looks`; 1 outside a gate session).
        public var maxLooks: Int? = nil
        /// The level the timing lane tested at in this look (the alpha spent on it).
        public var lookLevel: Double? = nil
        /// The unit of replication: `process` (one value per worker process) or `round` (a stored file without
        /// per-process values; such comparisons never alert).
        public var replication: String? = nil

        /// A method with its statistic, confidence and thresholds source; the optional fields start nil.
        public init(timingStatistic: String, confidence: Double, thresholdsSource: String) {
            self.timingStatistic = timingStatistic
            self.confidence = confidence
            self.thresholdsSource = thresholdsSource
        }
    }

    /// The schema version the report was written with; reading refuses any other than `currentSchemaVersion`.
    public var schemaVersion: Int
    /// The candidate's run id; the report files are named after it.
    public var runID: String
    /// The baseline's run id.
    public var baselineRunID: String
    /// The candidate run's suite name.
    public var suite: String
    /// The overall outcome.
    public var outcome: GateOutcome
    /// The process exit code for `outcome` (see `HarnessExitCode`).
    public var exitCode: Int
    /// How many comparisons and benchmark changes raised each verdict class (classes with none are absent).
    public var classCounts: [String: Int]
    /// The two sides' environment keys, whether they are comparable, and how they differ.
    public var environment: EnvironmentComparison
    /// How the verdict was reached: statistic, confidence, thresholds and looks.
    public var method: Method
    /// True when the candidate run was partial (interrupted, filtered or a shard).
    public var isCandidatePartial: Bool
    /// Benchmarks added, removed, failed or skipped.
    public var benchmarkChanges: [BenchmarkChange]
    /// Every metric comparison, in benchmark order.
    public var comparisons: [MetricComparison]
    /// Whether the two sides' timings could be compared at all (same host).
    public var host: HostComparison? = nil
    /// How the gate session measured, when the report comes from one (base rule, processes, looks).
    public var session: GateSessionSummary? = nil

    /// Creates a report.
    public init(
        schemaVersion: Int = GateReport.currentSchemaVersion, runID: String, baselineRunID: String, suite: String,
        outcome: GateOutcome, exitCode: Int, classCounts: [String: Int], environment: EnvironmentComparison,
        method: Method, isCandidatePartial: Bool, benchmarkChanges: [BenchmarkChange],
        comparisons: [MetricComparison]
    ) {
        self.schemaVersion = schemaVersion
        self.runID = runID
        self.baselineRunID = baselineRunID
        self.suite = suite
        self.outcome = outcome
        self.exitCode = exitCode
        self.classCounts = classCounts
        self.environment = environment
        self.method = method
        self.isCandidatePartial = isCandidatePartial
        self.benchmarkChanges = benchmarkChanges
        self.comparisons = comparisons
    }

    /// The comparisons that raised `verdictClass`.
    public func comparisons(raising verdictClass: VerdictClass) -> [MetricComparison] {
        comparisons.filter { $0.verdictClass == verdictClass }
    }
}
