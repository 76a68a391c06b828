import Foundation

/// Renders a `TrendReport` as the Markdown summary published beside the page (`reports/trend/README.md`).
package enum TrendMarkdown {
    /// The summary: per environment one row per benchmark (headline metric, latest p50, change since the
    /// previous run and since 10 runs before, status; changed rows first), then the steps grouped by commit.
    /// Complexity: O(series log series).
    package static func markdown(_ report: TrendReport) -> String {
        var text = "# Sluice benchmark trends\n\n"
        text += "Generated \(report.generatedAt). The charts are in [index.html](index.html).\n\n"
        for environment in report.environments {
            text += "## Environment `\(environment.key)`\n\n"
            text += "\(environment.runCount) run(s).\n\n"
            let rows = report.summaryRows(environment)
            guard !rows.isEmpty else {
                text += "No measured benchmarks yet.\n\n"
                continue
            }
            text += "| benchmark | headline metric | latest p50 | vs previous | vs 10 runs before | status |\n"
            text += "|---|---|---:|---:|---:|---|\n"
            for row in rows {
                let unit = row.headline?.unit ?? ""
                var status = row.status.rawValue
                if let step = row.step, row.status == .regression || row.status == .improvement {
                    let marker = row.status == .regression ? "🔴" : "🟢"
                    let change = step.point.ratio.map { ValueFormatter.percent($0 - 1) } ?? "step"
                    status = "\(marker) \(status) \(step.series.metric) \(change) at "
                        + String(step.series.points[step.point.index].commit.prefix(7))
                }
                let cells: [String] = [
                    "`\(row.benchmark)`", row.headline?.metric ?? "–",
                    row.latest.map { ValueFormatter.format($0, unit: unit) } ?? "–",
                    row.change(overRuns: 1).map(ValueFormatter.percent) ?? "–",
                    row.change(overRuns: 10).map(ValueFormatter.percent) ?? "–", status,
                ]
                text += "| " + cells.map(cell).joined(separator: " | ") + " |\n"
            }
            text += "\n"
        }
        text += "## Changes by commit\n\n"
        let groups = report.changeGroups
        if groups.isEmpty {
            text += "No step changes detected.\n\n"
        }
        for group in groups {
            text += "- `\(group.commit.prefix(7))` (\(TrendDates.day(group.date))), after "
                + "`\(group.previousCommit.prefix(7))`: \(group.benchmarks.count) benchmark(s)"
                + (report.environments.count > 1 ? " [\(group.environmentKey)]" : "") + "\n"
            for change in group.changes {
                let marker = change.kind == .regression ? "🔴 regression" : "🟢 improvement"
                let amount = change.relativeChange.map(ValueFormatter.percent) ?? "step"
                text += "  - \(marker) | `\(change.benchmark)` | \(change.metric) \(amount) (p50 "
                    + ValueFormatter.format(change.before, unit: change.unit) + " → "
                    + ValueFormatter.format(change.after, unit: change.unit)
                    + ", p = \(ValueFormatter.number(change.pValue)))\n"
            }
        }
        if !groups.isEmpty { text += "\n" }
        let detector = report.detector
        text += "Method: E-Divisive-style change points (after Apache Otava) on the p50 per run: window "
            + "\(detector.window) runs a side (at least \(detector.minimumSide)), significance p ≤ "
            + "\(ValueFormatter.number(detector.significance)) (exact Mann–Whitney), minimum effect "
            + "\(ValueFormatter.number(detector.minimumEffect * 100)) %.\n"
        return text
    }

    /// A cell: code spans keep their backticks, everything else is escaped.
    private static func cell(_ text: String) -> String {
        if text.hasPrefix("`") && text.hasSuffix("`") && text.count >= 2 {
            let inner = text.dropFirst().dropLast().replacingOccurrences(of: "`", with: "'")
                .replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
            return "`\(inner)`"
        }
        return HTMLEscaping.markdownCell(text)
    }
}
