import Foundation

/// Renders a `TrendReport` as the Markdown summary published beside the page (`reports/trend/README.md`).
package enum TrendMarkdown {
    /// The summary: the detected steps first, then the latest value of every series. Complexity: O(series).
    package static func markdown(_ report: TrendReport) -> String {
        let changes = report.changes
        var text = "# Sluice benchmark trends\n\n"
        text += "Generated \(report.generatedAt). The charts are in [index.html](index.html).\n\n"
        text += "## Detected changes\n\n"
        if changes.isEmpty {
            text += "No step changes detected.\n\n"
        } else {
            text += "| | benchmark | metric | p50 before → after | change | at commit | date | p |\n"
            text += "|---|---|---|---|---|---|---|---|\n"
            for change in changes {
                let marker = change.kind == .regression ? "🔴 regression" : "🟢 improvement"
                let amount = change.relativeChange.map(ValueFormatter.percent) ?? "step"
                let values = ValueFormatter.format(change.before, unit: change.unit) + " → "
                    + ValueFormatter.format(change.after, unit: change.unit)
                let cells = [
                    marker, "`\(change.benchmark)`", change.metric, values, amount, String(change.commit.prefix(7)),
                    TrendDates.day(change.date), ValueFormatter.number(change.pValue),
                ]
                text += "| " + cells.map(cell).joined(separator: " | ") + " |\n"
            }
            text += "\n"
        }
        for environment in report.environments {
            text += "## Environment `\(environment.key)`\n\n"
            text += "\(environment.runCount) run(s).\n\n"
            guard !environment.series.isEmpty else {
                text += "No measured benchmarks yet.\n\n"
                continue
            }
            text += "| benchmark | metric | runs | latest p50 | latest p99 | latest commit | steps |\n"
            text += "|---|---|---|---|---|---|---|\n"
            for series in environment.series {
                guard let latest = series.points.last else { continue }
                let steps = series.changePoints.map { point in
                    "\(point.kind == .regression ? "🔴" : "🟢") \(point.ratio.map { ValueFormatter.percent($0 - 1) } ?? "step")"
                }.joined(separator: ", ")
                let cells = [
                    "`\(series.benchmark)`", series.metric, "\(series.points.count)",
                    ValueFormatter.format(latest.p50, unit: series.unit),
                    ValueFormatter.format(latest.p99, unit: series.unit), latest.shortCommit,
                    steps.isEmpty ? "none" : steps,
                ]
                text += "| " + cells.map(cell).joined(separator: " | ") + " |\n"
            }
            text += "\n"
        }
        let detector = report.detector
        text += "Method: two-window exact Mann–Whitney test on the p50 per run (\(detector.window) runs a side, "
            + "at least \(detector.minimumSide), p ≤ \(ValueFormatter.number(detector.significance)), "
            + "median change ≥ \(ValueFormatter.number(detector.minimumEffect * 100)) %).\n"
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
