import Foundation

/// Formats a `GateReport` as Markdown that fits a pull-request comment or a CI step summary: the verdict first,
/// then a table of the changes with ratio, interval and verdict, then the added, removed and failed
/// benchmarks, with unchanged and ungated rows collapsed in a `<details>` block.
///
/// Deterministic: the same report always gives the same text (no clock, no locale).
public struct MarkdownReportFormatter: Sendable {
    /// Creates a formatter.
    public init() {}

    /// The Markdown for `report`.
    /// - Complexity: O(c) in the number of comparisons.
    public func format(_ report: GateReport) -> String {
        var lines: [String] = []
        lines.append("## \(Self.marker(report.outcome)) sluice-bench gate: \(report.outcome.title)")
        lines.append("")
        lines.append(
            "Suite `\(report.suite)`, run `\(report.runID)` against baseline `\(report.baselineRunID)` "
                + "(environment `\(report.environment.candidateKey)`). Exit code \(report.exitCode).")
        if let session = report.sessionSentence {
            lines.append("")
            lines.append(session)
        }
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
            lines.append("> The candidate run was partial (interrupted or a shard): not every benchmark ran.")
        }
        lines.append("")
        lines.append(summaryLine(report))
        let changed = report.comparisons.filter(Self.isChange)
        let quiet = report.comparisons.filter { !Self.isChange($0) }
        if !changed.isEmpty {
            lines.append("")
            lines.append("### Changes")
            lines.append("")
            lines += table(changed, confidence: report.method.confidence)
        }
        if !report.benchmarkChanges.isEmpty {
            lines.append("")
            lines.append("### Benchmarks added, removed, failed or skipped")
            lines.append("")
            for change in report.benchmarkChanges {
                let verdict = change.verdictClass.map { " (**\($0.title)**)" } ?? ""
                let detail = change.detail.map { ": \(Self.escape($0))" } ?? ""
                lines.append("- `\(change.benchmark)` \(change.kind.rawValue.replacingUnderscores)\(verdict)\(detail)")
            }
        }
        if !quiet.isEmpty {
            lines.append("")
            lines.append("<details><summary>\(quiet.count) unchanged or not gated</summary>")
            lines.append("")
            lines += table(quiet, confidence: report.method.confidence)
            lines.append("")
            lines.append("</details>")
        }
        lines.append("")
        lines.append(
            "<sub>Timing: \(report.method.timingStatistic), \(ReportNumberFormat.percent(report.method.confidence)) "
                + "confidence intervals; a change alerts when its estimate is past the limit and Holm across the run "
                + "rejects \"no change\" (one value per worker process). Allocations: exact "
                + "counts per operation, compared directly. Thresholds: \(report.method.thresholdsSource).</sub>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// "3 comparisons · 1 Performance Alert · …", or "No comparisons".
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

    func table(_ comparisons: [MetricComparison], confidence: Double) -> [String] {
        var lines = [
            "| Benchmark | Metric | Baseline | Candidate | Ratio | Interval (\(ReportNumberFormat.percent(confidence))) "
                + "| Limit | Verdict |",
            "|---|---|---:|---:|---:|---|---:|---|",
        ]
        for comparison in comparisons {
            var interval = ""
            if let range = comparison.interval {
                let lower = ReportNumberFormat.plain(Self.round(range.lower))
                let upper = ReportNumberFormat.plain(Self.round(range.upper))
                interval = "\(lower) – \(upper)"
            }
            let unit = comparison.unit
            var cells: [String] = ["`\(comparison.benchmark)`", "\(comparison.metric.rawValue) \(comparison.percentile)"]
            cells.append(comparison.baselineValue.map { Self.value($0, unit: unit) } ?? "–")
            cells.append(comparison.candidateValue.map { Self.value($0, unit: unit) } ?? "–")
            cells.append(comparison.ratio.map { ReportNumberFormat.plain(Self.round($0)) } ?? "–")
            cells.append(interval)
            cells.append(comparison.limit.map { ReportNumberFormat.plain(Self.round($0)) } ?? "")
            cells.append(Self.verdict(comparison))
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines
    }

    /// Rows shown in the main table: anything that is not plain `unchanged`/`not_gated` without a class.
    static func isChange(_ comparison: MetricComparison) -> Bool {
        comparison.verdictClass != nil || comparison.outcome == .improved || comparison.outcome == .waived
            || comparison.outcome == .regressed || comparison.outcome == .missing
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
