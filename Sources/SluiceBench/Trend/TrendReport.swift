/// What a trend page shows: per environment, every benchmark metric's series and the steps found.
public struct TrendReport: Sendable {
    /// The history of one environment (one history file).
    public struct Environment: Sendable {
        /// The environment key (the history file's name without `.jsonl`).
        public var key: String
        /// How many runs the history holds.
        public var runCount: Int
        /// The latest run's fingerprint, when there is a run.
        public var latestEnvironment: EnvironmentFingerprint?
        public var series: [TrendSeries]
        /// Each benchmark's status in the newest run that lists it (`passed`, `failed`, `skipped`).
        public var latestStatus: [String: BenchmarkResult.Status] = [:]
    }

    /// One detected step, with what it is about: the list at the top of the page.
    public struct Change: Hashable, Sendable {
        public var environmentKey: String
        public var benchmark: String
        public var metric: String
        public var unit: String
        public var kind: ChangePoint.Kind
        /// The first commit measured at the new level.
        public var commit: String
        /// The last commit measured at the old level.
        public var previousCommit: String
        public var date: String
        public var before: Double
        public var after: Double
        public var pValue: Double

        /// `after / before - 1`, e.g. 0.12 for +12 %; nil when `before` is zero.
        public var relativeChange: Double? { before == 0 ? nil : after / before - 1 }
    }

    public var environments: [Environment]
    /// When the report was made (ISO 8601).
    public var generatedAt: String
    /// The detector's settings, shown on the page.
    public var detector: ChangePointDetector

    /// Builds a report from histories (`key` is the environment key). Complexity: see `TrendSeries.make`.
    public init(
        histories: [(key: String, entries: [HistoryEntry])], generatedAt: String, detector: ChangePointDetector
    ) {
        self.generatedAt = generatedAt
        self.detector = detector
        self.environments = histories.map { history in
            let latest = history.entries.max { TrendDates.sortKey($0.runDate) < TrendDates.sortKey($1.runDate) }
            var statuses: [String: BenchmarkResult.Status] = [:]
            for entry in TrendSeries.ordered(history.entries) {
                for benchmark in entry.benchmarks { statuses[benchmark.name] = benchmark.status }
            }
            return Environment(
                key: history.key, runCount: history.entries.count, latestEnvironment: latest?.environment,
                series: TrendSeries.make(from: history.entries, detector: detector), latestStatus: statuses)
        }
    }

    /// Every step, regressions first, then by environment, benchmark, metric and position.
    public var changes: [Change] {
        var changes: [Change] = []
        for environment in environments {
            for series in environment.series {
                for point in series.changePoints {
                    let new = series.points[point.index]
                    let previous = series.points[point.index - 1]
                    changes.append(
                        Change(
                            environmentKey: environment.key, benchmark: series.benchmark, metric: series.metric,
                            unit: series.unit, kind: point.kind, commit: new.commit, previousCommit: previous.commit,
                            date: new.date, before: point.before, after: point.after, pValue: point.pValue))
                }
            }
        }
        return changes.sorted { lhs, rhs in
            if lhs.kind != rhs.kind { return lhs.kind == .regression }
            return (lhs.environmentKey, lhs.benchmark, lhs.metric, lhs.date)
                < (rhs.environmentKey, rhs.benchmark, rhs.metric, rhs.date)
        }
    }
}
