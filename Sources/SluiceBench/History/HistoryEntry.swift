/// One line of a history store: the summary of one gate or nightly run, enough to draw a trend.
///
/// Each entry carries the measured commit, the commit's date, the run's date and the environment fingerprint,
/// and for every benchmark and metric its p50, p99, unit, direction and sample count. The schema is versioned
/// per line (`schemaVersion`), so a store can hold lines of older versions that a later harness still reads.
public struct HistoryEntry: Codable, Hashable, Sendable {
    /// The schema version this build writes and reads.
    public static let currentSchemaVersion = 1

    /// The schema version of this line (`currentSchemaVersion` when this build wrote it); a reader refuses any other.
    public var schemaVersion: Int
    /// The run's id, from the results file.
    public var runID: String
    /// The suite that ran, e.g. `nightly`.
    public var suite: String
    /// The measured commit (full sha), or `unknown`.
    public var commit: String
    /// The commit's committer date, ISO 8601, when known.
    public var commitDate: String?
    /// When the run started, ISO 8601.
    public var runDate: String
    /// True when not every benchmark of the suite ran (an interrupted run or a lone shard).
    public var isPartial: Bool
    /// Where the run happened.
    public var environment: EnvironmentFingerprint
    /// The benchmarks, in the order the results file listed them.
    public var benchmarks: [Benchmark]

    /// One benchmark's summary.
    public struct Benchmark: Codable, Hashable, Sendable {
        /// The stable benchmark name.
        public var name: String
        /// How the benchmark ended.
        public var status: BenchmarkResult.Status
        /// One entry per metric that has a summary (unavailable metrics are left out, never written as zero).
        public var metrics: [Metric]

        /// Creates a benchmark summary.
        public init(name: String, status: BenchmarkResult.Status, metrics: [Metric]) {
            self.name = name
            self.status = status
            self.metrics = metrics
        }
    }

    /// One metric's summary.
    public struct Metric: Codable, Hashable, Sendable {
        /// The metric's stable name, e.g. `wall_time`. Kept as a string so that a later harness's
        /// new metrics never make an old reader reject the line.
        public var metric: String
        /// The unit of `p50` and `p99`, e.g. `ns`.
        public var unit: String
        /// Whether lower or higher values are better.
        public var direction: BenchmarkMetric.Direction
        /// The median of the metric's samples (`MetricSummary.p50`), in `unit`.
        public var p50: Double
        /// The 99th percentile of the metric's samples, in `unit`.
        public var p99: Double
        /// How many samples the summary was computed from.
        public var sampleCount: Int

        /// Creates a metric summary.
        public init(
            metric: String, unit: String, direction: BenchmarkMetric.Direction, p50: Double, p99: Double,
            sampleCount: Int
        ) {
            self.metric = metric
            self.unit = unit
            self.direction = direction
            self.p50 = p50
            self.p99 = p99
            self.sampleCount = sampleCount
        }
    }

    /// Creates an entry; `schemaVersion` defaults to the version this build writes.
    public init(
        schemaVersion: Int = HistoryEntry.currentSchemaVersion, runID: String, suite: String, commit: String,
        commitDate: String?, runDate: String, isPartial: Bool, environment: EnvironmentFingerprint,
        benchmarks: [Benchmark]
    ) {
        self.schemaVersion = schemaVersion
        self.runID = runID
        self.suite = suite
        self.commit = commit
        self.commitDate = commitDate
        self.runDate = runDate
        self.isPartial = isPartial
        self.environment = environment
        self.benchmarks = benchmarks
    }

    /// Summarizes a results file: p50 and p99 of every metric that was measured.
    ///
    /// `commitDate` comes from git (the results file does not carry it); `runDate` defaults to the run's start.
    /// Complexity: O(benchmarks × metrics).
    public init(results: ResultsFile, commitDate: String?, runDate: String? = nil) {
        self.init(
            runID: results.runID, suite: results.suite, commit: results.environment.commit, commitDate: commitDate,
            runDate: runDate ?? results.startedAt, isPartial: results.isPartial, environment: results.environment,
            benchmarks: results.benchmarks.map { benchmark in
                Benchmark(
                    name: benchmark.name, status: benchmark.status,
                    metrics: benchmark.metrics.compactMap { metric in
                        guard metric.unavailableReason == nil, let summary = metric.summary else { return nil }
                        return Metric(
                            metric: metric.metric.rawValue, unit: metric.unit, direction: metric.direction,
                            p50: summary.p50, p99: summary.p99, sampleCount: metric.sampleCount)
                    })
            })
    }

    /// The date the trend orders entries by: the commit's date when known, else the run's.
    public var orderingDate: String { commitDate ?? runDate }
}
