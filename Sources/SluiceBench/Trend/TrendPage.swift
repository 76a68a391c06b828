/// Renders a `TrendReport` as one self-contained HTML page: inline CSS and SVG, nothing loaded from the
/// network, and one small inline script for the filter box (the page reads the same without it). The markup
/// is also well-formed XML (every element closed, only XML entities), so it can be checked with an XML parser.
///
/// Top to bottom: the summary table (one row per benchmark: headline metric, latest value, change since the
/// previous run and since 10 runs before, sparkline, status; changed rows first), the changes grouped by
/// commit, then the charts grouped by benchmark, headline metrics first and constant metrics folded away.
package enum TrendPage {
    /// The page. `commitURL` is a template with `{commit}` (e.g. `https://github.com/o/r/commit/{commit}`);
    /// without it commits are shown, not linked. Complexity: O(total points).
    package static func html(_ report: TrendReport, commitURL: String? = nil) -> String {
        var anchors = AnchorNames()
        for environment in report.environments {
            anchors.assignSection("summary", environment.key)
            for series in environment.series { anchors.assignChart(environment.key, series.benchmark, series.metric) }
            for name in Set(environment.series.map(\.benchmark)).union(environment.latestStatus.keys).sorted() {
                anchors.assignBenchmark(environment.key, name)
            }
        }
        let context = Context(report: report, anchors: anchors, commitURL: commitURL)
        let groups = report.changeGroups
        let regressions = groups.filter(\.hasRegression).count
        let benchmarks = report.environments.map { Set($0.series.map(\.benchmark)).union($0.latestStatus.keys).count }
            .reduce(0, +)
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>Sluice benchmark trends</title>
            <style>
            \(TrendPageStyle.css)
            </style>
            </head>
            <body>
            <header>
            <h1>Sluice benchmark trends</h1>
            <p class="meta">\(benchmarks) benchmark(s) · \(report.environments.map(\.runCount).reduce(0, +)) run(s) · \
            \(report.changes.count) step(s) at \(groups.count) commit(s), \(regressions) with a regression · generated \
            \(HTMLEscaping.escape(report.generatedAt))</p>
            <input id="filter" type="search" placeholder="Filter benchmarks" aria-label="Filter benchmarks" hidden=""/>
            </header>

            """
        if report.environments.isEmpty {
            html += "<p class=\"none\">No history yet: runs are added by <code>ci/nightly</code> "
                + "(<code>sluice-bench trend --append RESULTS</code>).</p>\n"
        }
        for environment in report.environments {
            html += summary(environment, context)
        }
        html += changes(groups, context)
        for environment in report.environments {
            html += charts(environment, context)
        }
        let detector = report.detector
        html += """
            <footer>
            <p id="method">Change points: E-Divisive style, after Apache Otava. Each benchmark metric's p50 history \
            is split recursively where the energy distance between the \(detector.window) runs before and the \
            \(detector.window) runs after is largest (window \(detector.window), at least \(detector.minimumSide) \
            runs a side); a split is kept when an exact Mann–Whitney test of the two windows gives \
            p ≤ \(ValueFormatter.number(detector.significance)) (significance) and their medians differ by at least \
            \(ValueFormatter.number(detector.minimumEffect * 100)) % (minimum effect). Benchmarks that step at the \
            same commit are one change. Charts: line p50 per run, band p50 to p99; red: regression, green: \
            improvement; hollow dots: runs of a dirty work tree.</p>
            </footer>
            <script>
            \(TrendPageStyle.script)
            </script>
            </body>
            </html>

            """
        return html
    }

    /// What every part of the page needs.
    struct Context {
        var report: TrendReport
        var anchors: AnchorNames
        var commitURL: String?

        /// `<a href="…"><code>abc1234</code></a>`, or the code alone without a URL template.
        func commit(_ sha: String) -> String {
            let short = "<code title=\"\(HTMLEscaping.escape(sha))\">\(HTMLEscaping.escape(String(sha.prefix(7))))</code>"
            guard let commitURL, sha != "unknown" else { return short }
            let url = commitURL.replacingOccurrences(of: "{commit}", with: sha)
            return "<a class=\"commit\" href=\"\(HTMLEscaping.escape(url))\">\(short)</a>"
        }
    }

    static func summary(_ environment: TrendReport.Environment, _ context: Context) -> String {
        let rows = context.report.summaryRows(environment)
        let changed = rows.filter(\.isChanged).count
        var html = """
            <section class="summary" id="\(context.anchors.section("summary", environment.key))">
            <h2>Summary <small>\(rows.count) benchmark(s) · \(changed) changed · \(environment.runCount) run(s) · \
            <code>\(HTMLEscaping.escape(environment.key))</code></small></h2>
            <div class="scroll"><table class="summary">
            <thead><tr><th>Benchmark · headline metric</th><th>Latest p50</th><th>vs previous</th>\
            <th>vs 10 runs before</th><th>Last \(Sparkline.runs) runs</th><th>Status</th></tr></thead>
            <tbody>

            """
        for row in rows {
            let anchor = context.anchors.benchmark(environment.key, row.benchmark)
            let unit = row.headline?.unit ?? ""
            let latest = row.latest.map { ValueFormatter.format($0, unit: unit) } ?? "–"
            func delta(_ runs: Int) -> String {
                let label = runs == 1 ? "prev" : "\(runs) runs"
                guard let change = row.change(overRuns: runs) else {
                    return "<td class=\"num\" data-label=\"\(label)\">–</td>"
                }
                let direction = row.headline?.direction ?? .lowerIsBetter
                let isWorse = direction == .lowerIsBetter ? change > 0 : change < 0
                let tone = abs(change) < 0.005 ? "" : isWorse ? " worse" : " better"
                return "<td class=\"num\(tone)\" data-label=\"\(label)\">"
                    + "\(HTMLEscaping.escape(ValueFormatter.percent(change)))</td>"
            }
            let spark = row.headline.map {
                Sparkline.svg($0.points.map(\.p50), label: "\($0.metric) over the last \(Sparkline.runs) runs")
            } ?? ""
            html += """
                <tr class="\(row.status.rawValue)" data-benchmark="\(HTMLEscaping.escape(row.benchmark))">\
                <td><a href="#\(anchor)"><code>\(HTMLEscaping.escape(row.benchmark))</code></a>\
                <small>\(HTMLEscaping.escape(row.headline?.metric ?? "no passing run"))</small></td>\
                <td class="num" data-label="latest">\(HTMLEscaping.escape(latest))</td>\(delta(1))\(delta(10))<td>\(spark)</td>\
                <td class="status">\(status(row, context))</td></tr>

                """
        }
        html += "</tbody></table></div>\n</section>\n"
        return html
    }

    static func status(_ row: TrendSummaryRow, _ context: Context) -> String {
        switch row.status {
        case .failed: return "<span class=\"badge failed\">failed</span> in the latest run"
        case .skipped: return "<span class=\"badge skipped\">skipped</span> in the latest run"
        case .new: return "<span class=\"badge new\">new</span>"
        case .stable: return "<span class=\"badge stable\">stable</span>"
        case .regression, .improvement:
            guard let step = row.step else { return row.status.rawValue }
            let change = step.point.ratio.map { ValueFormatter.percent($0 - 1) } ?? "step"
            let ago = row.runsSinceStep.map { $0 == 1 ? "latest run" : "\($0) runs ago" } ?? ""
            return "<span class=\"badge \(row.status.rawValue)\">\(row.status.rawValue)</span> "
                + "\(HTMLEscaping.escape(step.series.metric)) \(HTMLEscaping.escape(change)) at "
                + "\(context.commit(step.series.points[step.point.index].commit)) (\(ago))"
        }
    }

    /// Steps listed per commit before the rest fold away (a machine change moves every benchmark at once).
    static let changesShownPerCommit = 8

    static func changes(_ groups: [TrendChangeGroup], _ context: Context) -> String {
        var html = "<section id=\"changes\">\n<h2>Changes by commit</h2>\n"
        guard !groups.isEmpty else {
            return html + "<p class=\"none\">No step changes detected.</p>\n</section>\n"
        }
        let several = context.report.environments.count > 1
        html += "<ol class=\"changes\">\n"
        for group in groups {
            let names = group.benchmarks
            html += """
                <li class="\(group.hasRegression ? "regression" : "improvement")">\(context.commit(group.commit)) \
                \(HTMLEscaping.escape(TrendDates.day(group.date))) · \(names.count) benchmark(s) moved, after \
                \(context.commit(group.previousCommit))\
                \(several ? " [\(HTMLEscaping.escape(group.environmentKey))]" : "")<ul>

                """
            for (position, change) in group.changes.enumerated() {
                if position == Self.changesShownPerCommit {
                    html += "<li class=\"more\"><details><summary>\(group.changes.count - position) more at this "
                        + "commit</summary><ul>\n"
                }
                let amount = change.relativeChange.map(ValueFormatter.percent) ?? "step"
                let anchor = context.anchors.chart(change.environmentKey, change.benchmark, change.metric)
                if position >= Self.changesShownPerCommit {
                    // Folded: the link and the amount only, so a step of the whole machine (every series at one
                    // commit) stays light; the chart or folded line it links to has the values.
                    html += "<li class=\"\(change.kind.rawValue)\"><a href=\"#\(anchor)\"><code>"
                        + "\(HTMLEscaping.escape(change.benchmark))</code> \(HTMLEscaping.escape(change.metric))</a> "
                        + "\(HTMLEscaping.escape(amount))</li>\n"
                    continue
                }
                html += """
                    <li class="\(change.kind.rawValue)"><span class="kind">\(change.kind.rawValue)</span> \
                    <a href="#\(anchor)"><code>\(HTMLEscaping.escape(change.benchmark))</code> \
                    \(HTMLEscaping.escape(change.metric))</a> \(HTMLEscaping.escape(amount)) (p50 \
                    \(HTMLEscaping.escape(ValueFormatter.format(change.before, unit: change.unit))) → \
                    \(HTMLEscaping.escape(ValueFormatter.format(change.after, unit: change.unit))), \
                    p = \(HTMLEscaping.escape(ValueFormatter.number(change.pValue))))</li>

                    """
            }
            if group.changes.count > Self.changesShownPerCommit { html += "</ul></details></li>\n" }
            html += "</ul></li>\n"
        }
        return html + "</ol>\n</section>\n"
    }

    static func charts(_ environment: TrendReport.Environment, _ context: Context) -> String {
        var html = """
            <section class="environment">
            <h2>Charts <small><code>\(HTMLEscaping.escape(environment.key))</code> · \(environment.runCount) run(s)\
            \(fingerprintText(environment.latestEnvironment))</small></h2>

            """
        let rows = context.report.summaryRows(environment)
        if rows.isEmpty { html += "<p class=\"none\">No measured benchmarks in this history yet.</p>\n" }
        var byBenchmark: [String: [TrendSeries]] = [:]
        for series in environment.series { byBenchmark[series.benchmark, default: []].append(series) }
        let chart = TrendChart()
        for row in rows {
            let series = (byBenchmark[row.benchmark] ?? []).sorted {
                (HeadlineMetric.rank($0.metric), $0.metric) < (HeadlineMetric.rank($1.metric), $1.metric)
            }
            let moving = series.filter { !$0.isConstant }
            let shown = chartedInFull(moving)
            let shownMetrics = Set(shown.map(\.metric))
            let folded = moving.filter { !shownMetrics.contains($0.metric) }
            let constant = series.filter(\.isConstant)
            html += """
                <section class="benchmark" id="\(context.anchors.benchmark(environment.key, row.benchmark))" \
                data-benchmark="\(HTMLEscaping.escape(row.benchmark))">
                <h3><code>\(HTMLEscaping.escape(row.benchmark))</code> \(status(row, context))</h3>

                """
            func figure(_ series: TrendSeries) -> String {
                let id = context.anchors.chart(environment.key, series.benchmark, series.metric)
                let latest = series.points.last.map {
                    " · latest p50 \(ValueFormatter.format($0.p50, unit: series.unit)), "
                        + "p99 \(ValueFormatter.format($0.p99, unit: series.unit))"
                } ?? ""
                return """
                    <figure class="trend"><figcaption><strong>\(HTMLEscaping.escape(series.metric))</strong> \
                    (\(HTMLEscaping.escape(series.unit)), \(series.direction == .lowerIsBetter ? "lower" : "higher") \
                    is better) · \(series.points.count) run(s)\(HTMLEscaping.escape(latest))</figcaption>
                    \(chart.svg(for: series, id: id))
                    </figure>

                    """
            }
            if !shown.isEmpty { html += "<div class=\"charts\">\n" + shown.map(figure).joined() + "</div>\n" }
            if !folded.isEmpty || !constant.isEmpty {
                var parts: [String] = []
                if !folded.isEmpty { parts.append("\(folded.count) more metric(s)") }
                if !constant.isEmpty { parts.append("\(constant.count) constant") }
                html += "<details><summary>\(parts.joined(separator: " · ")): "
                    + HTMLEscaping.escape((folded + constant).map(\.metric).joined(separator: ", ")) + "</summary>\n"
                if !folded.isEmpty {
                    html += "<ul class=\"folded\">\n" + folded.map { series in
                        let values = series.points.map(\.p50)
                        let range = (values.min().map { ValueFormatter.format($0, unit: series.unit) } ?? "") + " – "
                            + (values.max().map { ValueFormatter.format($0, unit: series.unit) } ?? "")
                        let steps = series.changePoints.map { point in
                            " · \(point.kind.rawValue) "
                                + HTMLEscaping.escape(point.ratio.map { ValueFormatter.percent($0 - 1) } ?? "step")
                                + " at <code>\(HTMLEscaping.escape(String(series.points[point.index].commit.prefix(7))))</code>"
                        }.joined()
                        return "<li id=\"\(context.anchors.chart(environment.key, series.benchmark, series.metric))\">"
                            + Sparkline.svg(values, label: "last \(Sparkline.runs) runs")
                            + "<strong>\(HTMLEscaping.escape(series.metric))</strong> latest "
                            + HTMLEscaping.escape(values.last.map { ValueFormatter.format($0, unit: series.unit) } ?? "")
                            + " · range \(HTMLEscaping.escape(range)) over \(values.count) run(s)\(steps)</li>\n"
                    }.joined() + "</ul>\n"
                }
                if !constant.isEmpty {
                    html += "<p class=\"constant\">Constant over every run: " + constant.map { series in
                        let value = series.points.first.map { ValueFormatter.format($0.p50, unit: series.unit) } ?? ""
                        return "<span id=\"\(context.anchors.chart(environment.key, series.benchmark, series.metric))\">"
                            + "\(HTMLEscaping.escape(series.metric)) \(HTMLEscaping.escape(value))</span>"
                    }.joined(separator: " · ") + "</p>\n"
                }
                html += "</details>\n"
            }
            html += "</section>\n"
        }
        return html + "</section>\n"
    }

    /// The moving series of one benchmark (in headline order) that get a chart in full: the first of each
    /// headline group (time and throughput tell one story, allocations and allocated bytes another), and any
    /// other metric with a step at a commit no chart of this benchmark shows yet. The rest fold into one line
    /// each (sparkline, latest, range, steps), so a step of the whole machine, which moves every metric at one
    /// commit, adds no chart per metric and 100 runs of the nightly suite stay under 1 MB.
    /// Complexity: O(series + change points).
    static func chartedInFull(_ moving: [TrendSeries]) -> [TrendSeries] {
        var groups: Set<Int> = []
        var charted: Set<String> = []
        var shown: [TrendSeries] = []
        for series in moving {
            let commits = Set(series.changePoints.map { series.points[$0.index].commit })
            let isFirstOfGroup = HeadlineMetric.group(series.metric).map { groups.insert($0).inserted } ?? false
            guard isFirstOfGroup || !commits.isSubset(of: charted) else { continue }
            charted.formUnion(commits)
            shown.append(series)
        }
        return shown
    }

    private static func fingerprintText(_ environment: EnvironmentFingerprint?) -> String {
        guard let environment else { return "" }
        let text = " · latest: \(environment.cpuModel), \(environment.coreCount) cores, \(environment.toolchain), "
            + "\(environment.buildConfiguration), \(environment.allocator)"
        return HTMLEscaping.escape(text)
    }

    /// Unique `id`s for charts, benchmark sections and summaries, stable for a given report.
    struct AnchorNames {
        private var used: Set<String> = []
        private var assigned: [String: String] = [:]

        mutating func assignChart(_ environment: String, _ benchmark: String, _ metric: String) {
            assign("chart", "\(environment)\u{1F}\(benchmark)\u{1F}\(metric)", "\(environment) \(benchmark) \(metric)")
        }

        mutating func assignBenchmark(_ environment: String, _ benchmark: String) {
            assign("bench", "\(environment)\u{1F}\(benchmark)", "\(environment) \(benchmark)")
        }

        mutating func assignSection(_ kind: String, _ environment: String) {
            assign(kind, environment, environment)
        }

        func chart(_ environment: String, _ benchmark: String, _ metric: String) -> String {
            assigned["chart\u{1F}\(environment)\u{1F}\(benchmark)\u{1F}\(metric)"] ?? "changes"
        }

        func benchmark(_ environment: String, _ benchmark: String) -> String {
            assigned["bench\u{1F}\(environment)\u{1F}\(benchmark)"] ?? "changes"
        }

        func section(_ kind: String, _ environment: String) -> String {
            assigned["\(kind)\u{1F}\(environment)"] ?? kind
        }

        private mutating func assign(_ kind: String, _ key: String, _ readable: String) {
            let fullKey = kind + "\u{1F}" + key
            if assigned[fullKey] != nil { return }
            let base = kind + "-" + HTMLEscaping.identifier(readable)
            var candidate = base
            var counter = 2
            while used.contains(candidate) {
                candidate = "\(base)-\(counter)"
                counter += 1
            }
            used.insert(candidate)
            assigned[fullKey] = candidate
        }
    }
}
