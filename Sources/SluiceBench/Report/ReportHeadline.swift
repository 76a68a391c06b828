/// The words at the top of a report: one sentence saying what changed and why it matters, and the headline
/// metric that stands for each benchmark in compact tables.
///
/// Reads comparisons generically (benchmark, metric, ratio, limit, verdict class), so a new lane or metric
/// needs no change here.
enum ReportHeadline {
    /// The one sentence under the verdict. Complexity: O(c).
    static func sentence(_ report: GateReport) -> String {
        let listed = report.comparisons.filter(MarkdownReportFormatter.isListed)
        let benchmarks = Set(report.comparisons.map(\.benchmark)).count
        let gated = report.comparisons.filter { $0.outcome != .notGated }.count
        let failedBenchmarks = report.benchmarkChanges.filter { $0.verdictClass == .functionalFail }
        let failedComparisons = report.comparisons(raising: .functionalFail)
        let alerts = report.comparisons(raising: .performanceAlert).sorted(by: worseFirst)
        let inconclusive = report.comparisons(raising: .inconclusive).sorted(by: worseFirst)
        let gaps = report.comparisons(raising: .observabilityGap)
        let improved = listed.filter { $0.outcome == .improved }.sorted(by: worseFirst).reversed()
        let warnings = report.comparisons(raising: .reliabilityWarning)
        func more(_ count: Int, _ noun: String) -> String {
            count > 1 ? " (and \(count - 1) more \(noun)\(count == 2 ? "" : "s"))" : ""
        }
        switch report.outcome {
        case .functionalFailure:
            let names = failedBenchmarks.map(\.benchmark) + failedComparisons.map(\.benchmark)
            let detail = failedBenchmarks.first?.detail ?? failedComparisons.first?.note
            return "**`\(names.first ?? "a benchmark")` failed**\(detail.map { ": \(MarkdownReportFormatter.escape($0))" } ?? "")"
                + "\(more(names.count, "failure")). A benchmark that throws or breaks its output check blocks the "
                + "merge whatever its speed."
        case .performanceRegression:
            guard let worst = alerts.first else { break }
            return "**\(describe(worst)) beyond noise**\(more(alerts.count, "alert")). The change makes this path "
                + "slower or hungrier for every user of it: fix it, or waive it in the suite file with a reason."
                + (worst.sameWork == true ? " It executes the same instructions per operation as the base, so look "
                    + "at memory behaviour and code layout rather than at added work." : "")
        case .inconclusive:
            if let gap = gaps.first {
                return "**`\(gap.benchmark)` \(gap.metric.rawValue) is missing**\(more(gaps.count, "gap")), so the "
                    + "gate cannot decide: \(MarkdownReportFormatter.escape(gap.note ?? "a required metric is unavailable"))."
            }
            guard let worst = inconclusive.first else { break }
            return "**\(describe(worst)), but not beyond noise**\(more(inconclusive.count, "such change")). "
                + "Rerun, or run `sluice-bench compare` for a same-machine answer before merging."
        case .pass:
            if let best = improved.first {
                return "No regressions; **\(improved.count) improvement\(improved.count == 1 ? "" : "s")** beyond "
                    + "noise, the largest \(describe(best))."
                    + (best.sameWork == true ? " It executes the same instructions per operation as the base: the "
                        + "time moved with code layout, memory behaviour or the machine, not with less work." : "")
            }
            if !warnings.isEmpty {
                return "Nothing slower beyond noise; \(warnings.count) reliability warning"
                    + "\(warnings.count == 1 ? "" : "s") (error or drop counters up within tolerance) are listed below."
            }
        }
        return "Nothing changed beyond noise: \(benchmarks) benchmark\(benchmarks == 1 ? "" : "s"), \(gated) gated "
            + "comparison\(gated == 1 ? "" : "s") within their limits."
    }

    /// "`micro/x` wall_time p50 +30 % (limit +10 %)".
    static func describe(_ comparison: MetricComparison) -> String {
        var text = "`\(comparison.benchmark)` \(comparison.metric.rawValue) \(comparison.percentile)"
        if let ratio = comparison.ratio { text += " \(ReportNumberFormat.signedPercent(ratio - 1))" }
        if let limit = comparison.limit { text += " (limit \(ReportNumberFormat.signedPercent(limit - 1)))" }
        return text
    }

    /// Orders comparisons by how far they moved in the worse direction.
    static func worseFirst(_ lhs: MetricComparison, _ rhs: MetricComparison) -> Bool {
        badness(lhs) > badness(rhs)
    }

    private static func badness(_ comparison: MetricComparison) -> Double {
        guard let ratio = comparison.ratio, ratio > 0 else { return 0 }
        return comparison.direction == .lowerIsBetter ? ratio : 1 / ratio
    }

    /// One comparison per benchmark: its headline metric (see `HeadlineMetric`), preferring p50 and a
    /// measured value. Benchmarks keep their first-seen order. Complexity: O(c).
    static func headlines(_ comparisons: [MetricComparison]) -> [MetricComparison] {
        var order: [String] = []
        var best: [String: MetricComparison] = [:]
        func key(_ comparison: MetricComparison) -> (Int, Int, Int) {
            (comparison.candidateValue == nil ? 1 : 0, HeadlineMetric.rank(comparison.metric.rawValue),
             comparison.percentile == "p50" ? 0 : 1)
        }
        for comparison in comparisons {
            guard let current = best[comparison.benchmark] else {
                order.append(comparison.benchmark)
                best[comparison.benchmark] = comparison
                continue
            }
            if key(comparison) < key(current) { best[comparison.benchmark] = comparison }
        }
        return order.compactMap { best[$0] }
    }
}

/// Which metrics stand for a benchmark in summaries: wall time, then throughput, latency, instructions and
/// allocations; then other timing, exact, engine and resource metrics. Works on names, so that history
/// lines with metrics this build does not know still rank (last).
package enum HeadlineMetric {
    /// The headline metrics, most telling first.
    package static let preferred = [
        "wall_time", "throughput_items", "throughput_bytes", "latency", "instructions", "allocations",
        "allocated_bytes",
    ]

    /// Lower ranks first. Complexity: O(1).
    package static func rank(_ name: String) -> Int {
        if let index = preferred.firstIndex(of: name) { return index }
        guard let metric = BenchmarkMetric(rawValue: name) else { return preferred.count + 4 }
        // Not a `switch`: lanes added later rank with the resource metrics instead of breaking the build.
        if metric.lane == .timing { return preferred.count + (metric.isGateableByDefault ? 0 : 3) }
        if metric.lane == .deterministic { return preferred.count + 1 }
        if metric.lane == .engine { return preferred.count + 2 }
        return preferred.count + 3
    }

    /// Whether the metric is one of the headline metrics.
    package static func isHeadline(_ name: String) -> Bool { preferred.contains(name) }

    /// Headline metrics that tell the same story share a group: time and throughput (one is the other
    /// inverted), instructions, allocations and allocated bytes. The trend page charts the first moving metric
    /// of each group in full. Nil for other metrics.
    package static func group(_ name: String) -> Int? {
        switch name {
        case "wall_time", "throughput_items", "throughput_bytes", "latency": 0
        case "instructions": 1
        case "allocations", "allocated_bytes": 2
        default: nil
        }
    }
}
