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
        /// One series per benchmark metric with a passed run, sorted by benchmark, then metric (`TrendSeries.make`).
        public var series: [TrendSeries]
        /// Each benchmark's status in the newest run that lists it (`passed`, `failed`, `skipped`).
        public var latestStatus: [String: BenchmarkResult.Status] = [:]
    }

    /// One detected step, with what it is about: the list at the top of the page.
    public struct Change: Hashable, Sendable {
        /// The environment the step was found in (its `Environment.key`).
        public var environmentKey: String
        /// The benchmark's registry name.
        public var benchmark: String
        /// The metric's stable name, e.g. `wall_time`.
        public var metric: String
        /// The unit of `before` and `after`.
        public var unit: String
        /// Whether the step made the metric worse or better, given its direction.
        public var kind: ChangePoint.Kind
        /// The first commit measured at the new level.
        public var commit: String
        /// The last commit measured at the old level.
        public var previousCommit: String
        /// The date of the first run at the new level: its commit's date, or the run's when unknown (ISO 8601).
        public var date: String
        /// The median p50 of the window before the step, in `unit`.
        public var before: Double
        /// The median p50 of the window after the step, in `unit`.
        public var after: Double
        /// The two-sided exact Mann–Whitney p-value of the two windows.
        public var pValue: Double

        /// `after / before - 1`, e.g. 0.12 for +12 %; nil when `before` is zero.
        public var relativeChange: Double? { before == 0 ? nil : after / before - 1 }
    }

    /// One entry per history given, in the order given.
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
