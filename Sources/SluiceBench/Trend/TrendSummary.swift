/// One row of the trend page's summary table: a benchmark in one environment, told by its headline metric.
public struct TrendSummaryRow: Sendable {
    /// What the row says about the benchmark.
    public enum Status: String, Sendable {
        /// The newest step in any of its metrics made it worse.
        case regression
        /// The newest step in any of its metrics made it better.
        case improvement
        /// It failed in the newest run that lists it.
        case failed
        /// It was skipped in the newest run that lists it.
        case skipped
        /// No step in its history.
        case stable
        /// Fewer than two points of the headline metric: nothing to compare yet.
        case new
    }

    /// The environment the row belongs to (`TrendReport.Environment.key`).
    public var environmentKey: String
    /// The benchmark's registry name.
    public var benchmark: String
    /// The series of the headline metric (see `HeadlineMetric`), or nil when the benchmark never passed.
    public var headline: TrendSeries?
    /// What the row says: `failed` or `skipped` from the newest run that lists the benchmark, else the newest
    /// step's kind, else `stable`, or `new` when the headline has fewer than two points.
    public var status: Status
    /// The series and step behind a `regression` or `improvement` status: the newest step of the benchmark.
    public var step: (series: TrendSeries, point: ChangePoint)?

    /// The latest p50 of the headline metric.
    public var latest: Double? { headline?.points.last?.p50 }

    /// The relative change of the headline p50 from `runs` runs before the latest (`0.1` = +10 %); nil when
    /// the history is shorter or the older value is zero.
    public func change(overRuns runs: Int) -> Double? {
        guard let points = headline?.points, points.count > runs, let last = points.last else { return nil }
        let before = points[points.count - 1 - runs].p50
        return before == 0 ? nil : last.p50 / before - 1
    }

    /// Runs measured at the new level since `step` (1 = the latest run is the first at the new level).
    public var runsSinceStep: Int? { step.map { $0.series.points.count - $0.point.index } }

    /// Whether the row belongs to the changed rows at the top of the table.
    public var isChanged: Bool { status != .stable && status != .new }
}

/// The steps found at one commit in one environment: benchmarks that moved together are one change.
public struct TrendChangeGroup: Sendable {
    /// The environment the steps were found in (`TrendReport.Environment.key`).
    public var environmentKey: String
    /// The first commit measured at the new level.
    public var commit: String
    /// The last commit measured at the old level.
    public var previousCommit: String
    /// The commit's date (the run's when unknown), ISO 8601.
    public var date: String
    /// The steps, regressions first, then by benchmark and metric.
    public var changes: [TrendReport.Change]

    /// The benchmarks that moved, each once, in `changes` order.
    public var benchmarks: [String] {
        var seen: Set<String> = []
        return changes.map(\.benchmark).filter { seen.insert($0).inserted }
    }

    /// Whether any step in the group is a regression.
    public var hasRegression: Bool { changes.contains { $0.kind == .regression } }
}

extension TrendReport {
    /// The summary rows of `environment`: changed rows first (failed, then the newest step first, regressions
    /// before improvements), then the rest by name. Complexity: O(series log series).
    public func summaryRows(_ environment: Environment) -> [TrendSummaryRow] {
        var byBenchmark: [String: [TrendSeries]] = [:]
        for series in environment.series { byBenchmark[series.benchmark, default: []].append(series) }
        let names = Set(byBenchmark.keys).union(environment.latestStatus.keys)
        let rows = names.map { name -> TrendSummaryRow in
            let series = byBenchmark[name] ?? []
            let headline = series.min { lhs, rhs in
                (HeadlineMetric.rank(lhs.metric), lhs.metric) < (HeadlineMetric.rank(rhs.metric), rhs.metric)
            }
            var step: (series: TrendSeries, point: ChangePoint)?
            for candidate in series {
                guard let point = candidate.changePoints.last else { continue }
                let age = candidate.points.count - point.index
                if let current = step {
                    let currentAge = current.series.points.count - current.point.index
                    // Newest first; at the same run a regression beats an improvement, then the headline metric.
                    let rank = (point.kind == .regression ? 0 : 1, HeadlineMetric.rank(candidate.metric))
                    let currentRank = (
                        current.point.kind == .regression ? 0 : 1, HeadlineMetric.rank(current.series.metric)
                    )
                    let isNewer = age < currentAge || (age == currentAge && rank < currentRank)
                    if !isNewer { continue }
                }
                step = (candidate, point)
            }
            let status: TrendSummaryRow.Status
            switch environment.latestStatus[name] {
            case .failed: status = .failed
            case .skipped: status = .skipped
            default:
                if let step {
                    status = step.point.kind == .regression ? .regression : .improvement
                } else {
                    status = (headline?.points.count ?? 0) < 2 ? .new : .stable
                }
            }
            return TrendSummaryRow(
                environmentKey: environment.key, benchmark: name, headline: headline, status: status, step: step)
        }
        func order(_ row: TrendSummaryRow) -> (Int, Int, Int, String) {
            switch row.status {
            case .failed, .skipped: (0, 0, 0, row.benchmark)
            case .regression, .improvement:
                (1, row.runsSinceStep ?? .max, row.status == .regression ? 0 : 1, row.benchmark)
            case .stable, .new: (2, 0, 0, row.benchmark)
            }
        }
        return rows.sorted { order($0) < order($1) }
    }

    /// Every step grouped by environment and commit, newest commit first. Complexity: O(changes log changes).
    public var changeGroups: [TrendChangeGroup] {
        var groups: [String: TrendChangeGroup] = [:]
        for change in changes {
            let key = change.environmentKey + "\u{1F}" + change.commit
            groups[key, default: TrendChangeGroup(
                environmentKey: change.environmentKey, commit: change.commit, previousCommit: change.previousCommit,
                date: change.date, changes: [])
            ].changes.append(change)
        }
        return groups.values.sorted { lhs, rhs in
            let left = TrendDates.sortKey(lhs.date)
            let right = TrendDates.sortKey(rhs.date)
            if left != right { return left > right }
            return (lhs.environmentKey, lhs.commit) < (rhs.environmentKey, rhs.commit)
        }
    }
}
