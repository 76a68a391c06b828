import Foundation

/// One run's value of one benchmark metric, as a trend chart plots it.
public struct TrendPoint: Hashable, Sendable {
    /// The measured commit.
    public var commit: String
    /// The commit's date, or the run's when the commit date is unknown (ISO 8601).
    public var date: String
    /// The run's id.
    public var runID: String
    /// Whether the measured tree had uncommitted changes.
    public var isDirty: Bool
    /// The run's p50 of the metric, in the series' unit: the value charted and searched for steps.
    public var p50: Double
    /// The run's p99 of the metric, in the series' unit.
    public var p99: Double
    /// How many samples the run's summary was computed from.
    public var sampleCount: Int

    /// The first 7 characters of the commit.
    public var shortCommit: String { String(commit.prefix(7)) }
}

/// The history of one benchmark metric: its points in commit order and the steps found in them.
public struct TrendSeries: Hashable, Sendable {
    /// The benchmark's registry name, e.g. `micro/tokenize/twitter/chunk4k`.
    public var benchmark: String
    /// The metric's stable name, e.g. `wall_time` (a string, as in the history).
    public var metric: String
    /// The unit of the points' values, from the oldest run that has the metric.
    public var unit: String
    /// Whether lower or higher values are better: decides whether a step is a regression or an improvement.
    public var direction: BenchmarkMetric.Direction
    /// Oldest first.
    public var points: [TrendPoint]
    /// Steps in `points`' p50, in index order.
    public var changePoints: [ChangePoint]

    /// Builds every series in `entries`, ordered by the entries' commit dates (run dates when unknown;
    /// file order breaks ties), with steps found by `detector` (except in metrics too coarse to gate, such as
    /// CPU times). Failed or skipped benchmarks add no point.
    /// Series are sorted by benchmark name, then metric name.
    /// Complexity: O(E log E + points × window²).
    public static func make(from entries: [HistoryEntry], detector: ChangePointDetector) -> [TrendSeries] {
        let ordered = ordered(entries)
        struct Key: Hashable {
            var benchmark: String
            var metric: String
        }
        var byKey: [Key: TrendSeries] = [:]
        for entry in ordered {
            for benchmark in entry.benchmarks where benchmark.status == .passed {
                for metric in benchmark.metrics where metric.p50.isFinite && metric.p99.isFinite {
                    let key = Key(benchmark: benchmark.name, metric: metric.metric)
                    let point = TrendPoint(
                        commit: entry.commit, date: entry.orderingDate, runID: entry.runID,
                        isDirty: entry.environment.isDirty, p50: metric.p50, p99: metric.p99,
                        sampleCount: metric.sampleCount)
                    byKey[key, default: TrendSeries(
                        benchmark: benchmark.name, metric: metric.metric, unit: metric.unit,
                        direction: metric.direction, points: [], changePoints: [])
                    ].points.append(point)
                }
            }
        }
        return byKey.values.map { series in
            var series = series
            // Tick-quantized metrics (CPU times from getrusage) are charted but not searched for steps: a tick
            // more or less is a "step" of tens of percent that says nothing about the code.
            guard BenchmarkMetric(rawValue: series.metric)?.isGateableByDefault ?? true else { return series }
            series.changePoints = detector.detect(series.points.map(\.p50), direction: series.direction)
            return series
        }.sorted { ($0.benchmark, $0.metric) < ($1.benchmark, $1.metric) }
    }
}

extension TrendSeries {
    /// `entries` ordered by their commit dates (run dates when unknown), file order breaking ties.
    /// Complexity: O(E log E).
    static func ordered(_ entries: [HistoryEntry]) -> [HistoryEntry] {
        entries.enumerated().sorted { lhs, rhs in
            let left = TrendDates.sortKey(lhs.element.orderingDate)
            let right = TrendDates.sortKey(rhs.element.orderingDate)
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// True when every point has the same p50: nothing to chart.
    public var isConstant: Bool { points.allSatisfy { $0.p50 == points.first?.p50 } }
}

/// Parses the ISO 8601 dates history entries carry, so entries from different time zones order correctly.
enum TrendDates {
    /// Seconds since 1970 for a parseable date; unparseable dates sort first, by their text.
    static func sortKey(_ text: String) -> Double {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        return -.greatestFiniteMagnitude
    }

    /// `YYYY-MM-DD` of an ISO 8601 date, or the text as it is.
    static func day(_ text: String) -> String {
        text.count >= 10 ? String(text.prefix(10)) : text
    }
}
