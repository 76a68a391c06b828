/// Renders a `TrendReport` as one self-contained HTML page: inline CSS and SVG, no script, nothing loaded
/// from the network. The markup is also well-formed XML (every element closed, only XML entities), so it can
/// be checked with an XML parser.
package enum TrendPage {
    /// The page. Complexity: O(total points).
    package static func html(_ report: TrendReport) -> String {
        let changes = report.changes
        let regressions = changes.filter { $0.kind == .regression }.count
        let improvements = changes.count - regressions
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>Sluice benchmark trends</title>
            <style>
            \(css)
            </style>
            </head>
            <body>
            <header>
            <h1>Sluice benchmark trends</h1>
            <p class="meta">Generated \(HTMLEscaping.escape(report.generatedAt)) · \
            \(report.environments.count) environment(s) · \(regressions) regression(s), \
            \(improvements) improvement(s) detected</p>
            </header>
            <section id="changes">
            <h2>Detected changes</h2>

            """
        if changes.isEmpty {
            html += "<p class=\"none\">No step changes detected.</p>\n"
        } else {
            html += "<ul class=\"changes\">\n"
            var anchors = AnchorNames()
            for environment in report.environments {
                for series in environment.series { _ = anchors.name(environment.key, series) }
            }
            for change in changes {
                let amount = change.relativeChange.map(ValueFormatter.percent) ?? "step"
                let anchor = anchors.existing(change.environmentKey, change.benchmark, change.metric)
                html += """
                    <li class="\(change.kind.rawValue)"><span class="kind">\(change.kind.rawValue)</span> \
                    <a href="#\(anchor)"><code>\(HTMLEscaping.escape(change.benchmark))</code> \
                    \(HTMLEscaping.escape(change.metric))</a> \(HTMLEscaping.escape(amount)) \
                    (p50 \(HTMLEscaping.escape(ValueFormatter.format(change.before, unit: change.unit))) → \
                    \(HTMLEscaping.escape(ValueFormatter.format(change.after, unit: change.unit)))) at \
                    <code>\(HTMLEscaping.escape(String(change.commit.prefix(7))))</code> \
                    (\(HTMLEscaping.escape(TrendDates.day(change.date)))), \
                    after <code>\(HTMLEscaping.escape(String(change.previousCommit.prefix(7))))</code>; \
                    p = \(HTMLEscaping.escape(ValueFormatter.number(change.pValue)))\
                    \(report.environments.count > 1 ? " [\(HTMLEscaping.escape(change.environmentKey))]" : "")</li>

                    """
            }
            html += "</ul>\n"
        }
        html += "</section>\n"
        var anchors = AnchorNames()
        let chart = TrendChart()
        if report.environments.isEmpty {
            html += "<p class=\"none\">No history yet: runs are added by <code>ci/nightly</code> "
                + "(<code>sluice-bench trend --append RESULTS</code>).</p>\n"
        }
        for environment in report.environments {
            html += """
                <section class="environment">
                <h2>Environment <code>\(HTMLEscaping.escape(environment.key))</code></h2>
                <p class="meta">\(environment.runCount) run(s)\(fingerprintText(environment.latestEnvironment))</p>

                """
            if environment.series.isEmpty {
                html += "<p class=\"none\">No measured benchmarks in this history yet.</p>\n"
            }
            var currentBenchmark: String?
            for series in environment.series {
                if series.benchmark != currentBenchmark {
                    if currentBenchmark != nil { html += "</div>\n</section>\n" }
                    currentBenchmark = series.benchmark
                    html += """
                        <section class="benchmark">
                        <h3><code>\(HTMLEscaping.escape(series.benchmark))</code></h3>
                        <div class="charts">

                        """
                }
                let id = anchors.name(environment.key, series)
                let latest = series.points.last
                let latestText = latest.map {
                    "latest p50 \(ValueFormatter.format($0.p50, unit: series.unit)), "
                        + "p99 \(ValueFormatter.format($0.p99, unit: series.unit))"
                } ?? ""
                html += """
                    <figure class="trend" data-benchmark="\(HTMLEscaping.escape(series.benchmark))" \
                    data-metric="\(HTMLEscaping.escape(series.metric))">
                    <figcaption><strong>\(HTMLEscaping.escape(series.metric))</strong> \
                    (\(HTMLEscaping.escape(series.unit)), \
                    \(series.direction == .lowerIsBetter ? "lower is better" : "higher is better")) · \
                    \(series.points.count) run(s) · \(HTMLEscaping.escape(latestText))</figcaption>
                    \(chart.svg(for: series, id: id))
                    </figure>

                    """
            }
            if currentBenchmark != nil { html += "</div>\n</section>\n" }
            html += "</section>\n"
        }
        let detector = report.detector
        html += """
            <footer>
            <p>Line: p50 per run; band: p50 to p99. Steps: two-window exact Mann–Whitney test on the p50 \
            (\(detector.window) runs a side, at least \(detector.minimumSide), p ≤ \
            \(ValueFormatter.number(detector.significance)), median change ≥ \
            \(ValueFormatter.number(detector.minimumEffect * 100)) %). Red: regression; green: improvement. \
            Hollow dots: runs of a dirty work tree. Hover a point for its commit and values.</p>
            </footer>
            </body>
            </html>

            """
        return html
    }

    private static func fingerprintText(_ environment: EnvironmentFingerprint?) -> String {
        guard let environment else { return "" }
        let text = " · latest: \(environment.cpuModel), \(environment.coreCount) cores, \(environment.toolchain), "
            + "\(environment.buildConfiguration), \(environment.allocator)"
        return HTMLEscaping.escape(text)
    }

    /// Unique `id`s for charts, stable for a given report.
    private struct AnchorNames {
        private var used: Set<String> = []
        private var assigned: [String: String] = [:]

        mutating func name(_ environment: String, _ series: TrendSeries) -> String {
            let key = Self.key(environment, series.benchmark, series.metric)
            if let existing = assigned[key] { return existing }
            let base = "chart-" + HTMLEscaping.identifier("\(environment) \(series.benchmark) \(series.metric)")
            var candidate = base
            var counter = 2
            while used.contains(candidate) {
                candidate = "\(base)-\(counter)"
                counter += 1
            }
            used.insert(candidate)
            assigned[key] = candidate
            return candidate
        }

        func existing(_ environment: String, _ benchmark: String, _ metric: String) -> String {
            assigned[Self.key(environment, benchmark, metric)] ?? "changes"
        }

        private static func key(_ environment: String, _ benchmark: String, _ metric: String) -> String {
            "\(environment)\u{1F}\(benchmark)\u{1F}\(metric)"
        }
    }

    private static let css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1600px; \
        padding: 1rem 2rem; color: #1f2328; background: #fff; }
        h1 { margin: 0.2rem 0; font-size: 1.6rem; }
        h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 0.2rem; }
        h3 { margin: 1.2rem 0 0.4rem; font-size: 1.05rem; }
        .meta { color: #59636e; margin: 0.2rem 0; }
        .none { color: #59636e; font-style: italic; }
        ul.changes { list-style: none; padding: 0; }
        ul.changes li { padding: 0.3rem 0.6rem; margin: 0.2rem 0; border-left: 4px solid; border-radius: 3px; }
        ul.changes li.regression { border-color: #d1242f; background: #ffebe9; }
        ul.changes li.improvement { border-color: #1a7f37; background: #dafbe1; }
        .kind { font-weight: 600; text-transform: uppercase; font-size: 0.8rem; margin-right: 0.4rem; }
        li.regression .kind { color: #d1242f; }
        li.improvement .kind { color: #1a7f37; }
        .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
        figure.trend { margin: 0; border: 1px solid #d0d7de; border-radius: 6px; padding: 0.5rem; }
        figcaption { font-size: 0.85rem; margin-bottom: 0.3rem; }
        svg.chart { display: block; font-size: 11px; }
        svg .plot { fill: #fbfcfd; stroke: #d0d7de; }
        svg .grid { stroke: #eaeef2; }
        svg .tick, svg .commit, svg .axis { fill: #59636e; font-family: ui-monospace, monospace; font-size: 10px; }
        svg .axis { font-family: system-ui, sans-serif; }
        svg .band { fill: #54aeff; fill-opacity: 0.22; stroke: none; }
        svg .p50 { fill: none; stroke: #0969da; stroke-width: 2; }
        svg .point { fill: #0969da; }
        svg .point.dirty { fill: #fff; stroke: #0969da; stroke-width: 1.5; }
        svg .point.regression { fill: #d1242f; }
        svg .point.improvement { fill: #1a7f37; }
        svg .change line { stroke-width: 2; stroke-dasharray: 5 4; }
        svg .change text { font-size: 11px; font-weight: 600; }
        svg .change.regression line { stroke: #d1242f; }
        svg .change.regression text { fill: #d1242f; }
        svg .change.improvement line { stroke: #1a7f37; }
        svg .change.improvement text { fill: #1a7f37; }
        code { font-family: ui-monospace, monospace; }
        footer { margin-top: 2rem; color: #59636e; font-size: 0.85rem; border-top: 1px solid #d0d7de; }
        """
}
