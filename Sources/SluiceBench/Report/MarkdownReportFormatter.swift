import Foundation

/// Formats a `GateReport` as Markdown that fits a pull-request comment or a CI step summary.
///
/// The shape, top to bottom:
/// 1. the verdict and one sentence saying what changed and why it matters (`ReportHeadline`);
/// 2. only the changes (alerts, inconclusive results, improvements, waivers, gaps), each with its ratio,
///    interval, limit and the lane that decided it;
/// 3. the benchmarks added, removed, failed or skipped;
/// 4. one collapsed table of the unchanged benchmarks, one row each with its headline metric.
///
/// Metrics unavailable on both sides are never listed; the JSON report keeps every comparison. The formatter
/// reads each comparison generically (lane, ratio, interval, limit, verdict), so a new lane or metric shows up
/// without changes here. Deterministic: the same report always gives the same text (no clock, no locale).
public struct MarkdownReportFormatter: Sendable {
    /// Column and heading words, so that the compare report can say A and B where the gate says baseline
    /// and candidate.
    public struct Labels: Sendable {
        /// The baseline's column heading: `Baseline`, or `A` in a compare report.
        public var baseline: String
        /// The candidate's column heading: `Candidate`, or `B` in a compare report.
        public var candidate: String
        /// The ratio's column heading: `Ratio`, or `B/A` in a compare report.
        public var ratio: String

        /// The gate's words.
        public static let gate = Labels(baseline: "Baseline", candidate: "Candidate", ratio: "Ratio")
        /// The compare report's words: B is judged against A.
        public static let compare = Labels(baseline: "A", candidate: "B", ratio: "B/A")
    }

    /// Creates a formatter.
    public init() {}

    /// The Markdown for `report`.
    /// - Complexity: O(c log c) in the number of comparisons.
    public func format(_ report: GateReport) -> String {
        var lines: [String] = []
        lines.append("## \(Self.marker(report.outcome)) sluice-bench gate: \(report.outcome.title)")
        lines.append("")
        lines.append(ReportHeadline.sentence(report))
        lines.append("")
        lines.append(
            "Suite `\(report.suite)`, run `\(report.runID)` against baseline `\(report.baselineRunID)` "
                + "(environment `\(report.environment.candidateKey)`). Exit code \(report.exitCode).")
        if let session = report.sessionSentence {
            lines.append("")
            lines.append(session)
        }
        lines += warnings(report)
        lines += body(report, labels: .gate)
        lines.append("")
        lines.append(
            "<sub>Timing: \(report.method.timingStatistic), \(ReportNumberFormat.percent(report.method.confidence)) "
                + "confidence intervals; a change alerts when its estimate is past the limit and Holm across the run "
                + "rejects \"no change\" (one value per worker process). Allocations and instructions: exact counts "
                + "per operation, compared directly. Thresholds: \(report.method.thresholdsSource). Every comparison "
                + "is in the JSON report.</sub>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The forced-environment and partial-run call-outs, each preceded by a blank line; empty when neither.
    func warnings(_ report: GateReport) -> [String] {
        var lines: [String] = []
        if report.environment.isForced {
            lines.append("")
            lines.append("> [!WARNING]")
            lines.append("> **Incomparable environments were compared (`--force-incomparable`).** Baseline "
                + "`\(report.environment.baselineKey)`, candidate `\(report.environment.candidateKey)`: "
                + report.environment.blockingDifferences.joined(separator: "; ") + ". Treat every ratio with care.")
        }
        if report.isCandidatePartial {
            lines.append("")
            lines.append("> [!NOTE]")
            lines.append("> The candidate run was partial (interrupted, filtered or a shard): not every benchmark ran.")
        }
        return lines
    }

    /// The changes table, the benchmark-level changes and the collapsed unchanged table, each preceded by a
    /// blank line. Shared by the gate and the compare report, which lists failed and one-sided benchmarks itself:
    /// it passes `listsBenchmarkChanges: false` and its own sections as `benchmarkSections`, which take the place
    /// of the gate's benchmark-level changes (before the unchanged table, as in the gate's report).
    func body(
        _ report: GateReport, labels: Labels, listsBenchmarkChanges: Bool = true, benchmarkSections: [String] = []
    ) -> [String] {
        var lines: [String] = []
        let listed = report.comparisons.filter(Self.isListed)
        // Most serious first, so the row the headline sentence names is the first row; stable within a rank.
        let changed = listed.filter(Self.isChange).enumerated()
            .sorted { (Self.severity($0.element), $0.offset) < (Self.severity($1.element), $1.offset) }.map(\.element)
        if !changed.isEmpty {
            lines.append("")
            lines.append("### Changes")
            lines.append("")
            lines += changesTable(changed, confidence: report.method.confidence, labels: labels)
        }
        if listsBenchmarkChanges && !report.benchmarkChanges.isEmpty {
            lines.append("")
            lines.append("### Benchmarks added, removed, failed or skipped")
            lines.append("")
            for change in report.benchmarkChanges {
                let verdict = change.verdictClass.map { " (**\($0.title)**)" } ?? ""
                let detail = change.detail.map { ": \(Self.escape($0))" } ?? ""
                lines.append("- `\(change.benchmark)` \(change.kind.rawValue.replacingUnderscores)\(verdict)\(detail)")
            }
        }
        lines += benchmarkSections
        let changedNames = Set(changed.map(\.benchmark))
        let unchanged = ReportHeadline.headlines(listed.filter { !changedNames.contains($0.benchmark) })
        if !unchanged.isEmpty {
            lines.append("")
            lines.append("<details><summary>\(unchanged.count) unchanged benchmark\(unchanged.count == 1 ? "" : "s") "
                + "(headline metric each)</summary>")
            lines.append("")
            lines.append("| Benchmark | Metric | \(labels.candidate) | \(labels.ratio) | Interval | Limit |")
            lines.append("|---|---|---:|---:|---|---:|")
            for comparison in unchanged {
                let cells: [String] = [
                    "`\(comparison.benchmark)`", "\(comparison.metric.rawValue) \(comparison.percentile)",
                    comparison.candidateValue.map { Self.value($0, unit: comparison.unit) } ?? "–",
                    comparison.ratio.map { ReportNumberFormat.plain(Self.round($0)) } ?? "–",
                    Self.interval(comparison),
                    comparison.outcome == .notGated
                        ? "not gated" : comparison.limit.map { ReportNumberFormat.plain(Self.round($0)) } ?? "",
                ]
                lines.append("| " + cells.joined(separator: " | ") + " |")
            }
            lines += Self.notGatedByRule(unchanged)
            lines.append("")
            lines.append("</details>")
        }
        return lines
    }

    /// Why rows say "not gated" on purpose: one line per reason of the suite's `gated: false` rules, naming the
    /// benchmarks it covers (a reader sees a +10 % there and must know it was not judged by design).
    static func notGatedByRule(_ comparisons: [MetricComparison]) -> [String] {
        var reasons: [String] = []
        var benchmarks: [String: [String]] = [:]
        for comparison in comparisons {
            guard let reason = comparison.notGatedReason else { continue }
            if benchmarks[reason] == nil { reasons.append(reason) }
            benchmarks[reason, default: []].append("`\(comparison.benchmark)`")
        }
        guard !reasons.isEmpty else { return [] }
        return [""] + reasons.map { "Not gated by the suite's rules: \(benchmarks[$0]!.joined(separator: ", ")): \(Self.escape($0))." }
    }

    /// "3 comparisons · 1 Performance Alert · …": counts of every class, over every comparison.
    func summaryLine(_ report: GateReport) -> String {
        var parts = ["**\(report.comparisons.count)** comparisons"]
        for verdictClass in VerdictClass.allCases {
            if let count = report.classCounts[verdictClass.rawValue], count > 0 {
                parts.append("**\(count)** \(verdictClass.title)")
            }
        }
        let improved = report.comparisons.filter { $0.outcome == .improved }.count
        if improved > 0 { parts.append("**\(improved)** improved") }
        let waived = report.comparisons.filter { $0.outcome == .waived }.count
        if waived > 0 { parts.append("**\(waived)** waived") }
        return parts.joined(separator: " · ")
    }

    /// The table of changes: values, ratio, interval, limit, the deciding lane and the verdict with its note.
    func changesTable(_ comparisons: [MetricComparison], confidence: Double, labels: Labels) -> [String] {
        var lines = [
            "| Benchmark | Metric | \(labels.baseline) | \(labels.candidate) | \(labels.ratio) "
                + "| Interval (\(ReportNumberFormat.percent(confidence))) | Limit | Lane | Verdict |",
            "|---|---|---:|---:|---:|---|---:|---|---|",
        ]
        for comparison in comparisons {
            let unit = comparison.unit
            let cells: [String] = [
                "`\(comparison.benchmark)`", "\(comparison.metric.rawValue) \(comparison.percentile)",
                comparison.baselineValue.map { Self.value($0, unit: unit) } ?? "–",
                comparison.candidateValue.map { Self.value($0, unit: unit) } ?? "–",
                comparison.ratio.map { ReportNumberFormat.plain(Self.round($0)) } ?? "–",
                Self.interval(comparison), comparison.limit.map { ReportNumberFormat.plain(Self.round($0)) } ?? "",
                comparison.lane.rawValue, Self.verdict(comparison),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines
    }

    /// Whether a comparison appears in the Markdown at all: not when the metric is unavailable on both sides
    /// and nothing was raised about it.
    static func isListed(_ comparison: MetricComparison) -> Bool {
        comparison.verdictClass != nil || comparison.baselineValue != nil || comparison.candidateValue != nil
    }

    /// Rows shown in the changes table: anything that is not plain `unchanged`/`not_gated` without a class.
    static func isChange(_ comparison: MetricComparison) -> Bool {
        comparison.verdictClass != nil || comparison.outcome == .improved || comparison.outcome == .waived
            || comparison.outcome == .regressed || comparison.outcome == .missing
            || comparison.outcome == .inconclusive
    }

    /// Functional fails, alerts, gaps, inconclusive results, waivers, warnings, then improvements.
    static func severity(_ comparison: MetricComparison) -> Int {
        switch comparison.verdictClass {
        case .functionalFail: return 0
        case .performanceAlert: return 1
        case .observabilityGap: return 2
        case .inconclusive: return 3
        case .reliabilityWarning: return 5
        case nil: return comparison.outcome == .waived ? 4 : comparison.outcome == .improved ? 7 : 6
        }
    }

    static func interval(_ comparison: MetricComparison) -> String {
        guard let range = comparison.interval else { return "" }
        return "\(ReportNumberFormat.plain(round(range.lower))) – \(ReportNumberFormat.plain(round(range.upper)))"
    }

    static func verdict(_ comparison: MetricComparison) -> String {
        var text = comparison.verdictClass.map { "**\($0.title)**" } ?? comparison.outcome.rawValue.replacingUnderscores
        if let note = comparison.note { text += ": " + escape(note) }
        return text
    }

    static func marker(_ outcome: GateOutcome) -> String {
        switch outcome {
        case .pass: "✅"
        case .performanceRegression: "❌"
        case .functionalFailure: "💥"
        case .inconclusive: "⚠️"
        }
    }

    /// Ratios to 4 decimals: enough to show +0.0002 % on a 540 K count without noise in the table.
    static func round(_ ratio: Double) -> Double { (ratio * 10_000).rounded() / 10_000 }

    /// A value with its unit; nanoseconds shown in the largest convenient unit.
    static func value(_ value: Double, unit: String) -> String {
        guard unit == "ns" else { return "\(ReportNumberFormat.plain(value)) \(unit)" }
        let magnitude = abs(value)
        if magnitude >= 1e9 { return ReportNumberFormat.plain(value / 1e9) + " s" }
        if magnitude >= 1e6 { return ReportNumberFormat.plain(value / 1e6) + " ms" }
        if magnitude >= 1e3 { return ReportNumberFormat.plain(value / 1e3) + " µs" }
        return ReportNumberFormat.plain(value) + " ns"
    }

    /// Keeps table cells intact: `|` and newlines would break a Markdown table.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

extension String {
    fileprivate var replacingUnderscores: String { replacingOccurrences(of: "_", with: " ") }
}
