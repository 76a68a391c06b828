import Foundation
@testable import SluiceBench
import SluiceTestKit
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct TrendPageTests {
    @Test func reportFindsTheSyntheticSteps() throws {
        let report = SyntheticHistory.report()
        let changes = report.changes
        // The slowdown shows twice: wall time up and throughput (higher is better) down, both regressions.
        #expect(changes.count == 3, "\(changes)")
        #expect(changes.filter { $0.kind == .regression }.map(\.metric).sorted() == ["throughput_bytes", "wall_time"])
        let regression = try #require(changes.first { $0.kind == .regression && $0.metric == "wall_time" })
        #expect(regression.benchmark == "micro/parse/twitter" && regression.metric == "wall_time")
        let series = try #require(report.environments[0].series.first { $0.benchmark == regression.benchmark && $0.metric == "wall_time" })
        #expect(series.points.firstIndex { $0.commit == regression.commit } == 14)
        let improvement = try #require(changes.first { $0.kind == .improvement })
        #expect(improvement.benchmark == "macro/pipeline <&\"quoted'>")
        #expect(abs((improvement.relativeChange ?? 0) + 0.3) < 0.05)
        // The failed run adds no point.
        let flat = try #require(report.environments[0].series.first { $0.benchmark == "meso/flat" })
        #expect(flat.points.count == 31 && flat.changePoints.isEmpty)
    }

    @Test func pageIsWellFormedXMLWithEscapedText() throws {
        let html = TrendPage.html(SyntheticHistory.report())
        #expect(html.components(separatedBy: "<script>").count == 2, "one inline script: the filter box")
        #expect(!html.contains("src="), "nothing loaded")
        #expect(html.contains("<input id=\"filter\" type=\"search\" placeholder=\"Filter benchmarks\" aria-label=\"Filter benchmarks\" hidden=\"\"/>"),
            "the filter box is hidden until the script shows it: the page reads without script")
        #expect(!html.contains("https://") && !html.contains("href=\"http"), "no links out without a commit URL")
        #expect(html.contains("macro/pipeline &lt;&amp;&quot;quoted&#39;&gt;"))
        #expect(!html.contains("<&\"quoted'>"))
        try TagBalance.check(html)
        #if canImport(FoundationXML)
        let document = try XMLDocument(xmlString: html, options: [])
        func count(_ path: String) throws -> Int { try document.nodes(forXPath: path).count }
        // Twitter's throughput steps at the commit its wall-time chart shows: it folds into a line of its own.
        #expect(try count("//*[local-name()='svg'][@class='chart']") == 3)
        #expect(try count("//*[local-name()='svg'][@class='spark']") == 4)
        // One change group per commit: the slowdown (wall time and throughput together), the speed-up.
        #expect(try count("//*[local-name()='ol']/*[local-name()='li'][@class='regression']") == 1)
        #expect(try count("//*[local-name()='ol']/*[local-name()='li'][@class='improvement']") == 1)
        #expect(try count("//*[local-name()='ol']//*[local-name()='ul']/*[local-name()='li']") == 3)
        #expect(try count("//*[local-name()='g'][@class='change improvement']") == 1)
        #expect(try count("//*[local-name()='path'][@class='band']") == 3)
        #expect(try count("//*[local-name()='tr'][@data-benchmark]") == 3)
        #endif
    }

    @Test func summaryListsEveryBenchmarkWithChangedRowsFirst() throws {
        let report = SyntheticHistory.report()
        let rows = report.summaryRows(report.environments[0])
        #expect(rows.map(\.benchmark) == ["macro/pipeline <&\"quoted'>", "micro/parse/twitter", "meso/flat"])
        #expect(rows.map(\.status) == [.improvement, .regression, .stable])
        #expect(rows.map { $0.headline?.metric } == ["wall_time", "wall_time", "allocated_bytes"])
        let pipeline = rows[0]
        #expect(pipeline.runsSinceStep == 10)
        #expect(abs((pipeline.change(overRuns: 10) ?? 0) + 0.3) < 0.05, "10 runs back is before the step")
        #expect(abs(pipeline.change(overRuns: 1) ?? 1) < 0.05)
        #expect(pipeline.change(overRuns: 40) == nil)
        let html = TrendPage.html(report)
        let summary = try #require(html.range(of: "<table class=\"summary\">"))
        let changes = try #require(html.range(of: "<section id=\"changes\">"))
        let charts = try #require(html.range(of: "<figure"))
        #expect(summary.lowerBound < changes.lowerBound && changes.lowerBound < charts.lowerBound,
            "summary first, then changes, then charts")
    }

    @Test func benchmarksMovingAtOneCommitAreOneChangeLinkedToIt() throws {
        let report = SyntheticHistory.report()
        let groups = report.changeGroups
        #expect(groups.count == 2)
        let slowdown = try #require(groups.first { $0.hasRegression })
        #expect(slowdown.benchmarks == ["micro/parse/twitter"])
        #expect(slowdown.changes.map(\.metric).sorted() == ["throughput_bytes", "wall_time"])
        #expect(groups.first?.commit == report.environments[0].series.first { $0.benchmark.hasPrefix("macro") }?
            .points[22].commit, "newest commit first")
        let html = TrendPage.html(report, commitURL: "https://example.invalid/commit/{commit}")
        #expect(html.contains("<a class=\"commit\" href=\"https://example.invalid/commit/\(slowdown.commit)\">"))
    }

    @Test func constantMetricsAreFoldedAway() throws {
        var entries = SyntheticHistory.entries()
        for index in entries.indices {
            entries[index].benchmarks[0].metrics.append(
                HistoryEntry.Metric(metric: "allocations", unit: "allocations/op", direction: .lowerIsBetter,
                    p50: 12, p99: 12, sampleCount: 5))
        }
        let report = TrendReport(histories: [(key: "k", entries: entries)], generatedAt: "now", detector: .init())
        let html = TrendPage.html(report)
        #expect(html.contains("<details><summary>1 more metric(s) · 1 constant: throughput_bytes, allocations</summary>"))
        #expect(html.contains("Constant over every run: <span id=\"chart-k-micro-parse-twitter-allocations\">allocations 12 allocations/op</span>"))
        #expect(html.components(separatedBy: "class=\"chart\"").count - 1 == 3, "no chart for a constant")
    }

    @Test func aHundredRunsOfANightlySizedSuiteStayUnderOneMegabyte() {
        // 81 benchmarks × 8 metrics, every one moving (the worst case: nothing folds as constant).
        var generator = SeededRandomNumberGenerator(seed: 100)
        let metrics = ["wall_time", "throughput_items", "allocations", "allocated_bytes", "cpu_user", "cpu_system",
            "rss_peak", "latency"]
        var entries: [HistoryEntry] = []
        for run in 0..<100 {
            var benchmarks: [HistoryEntry.Benchmark] = []
            for index in 0..<81 {
                var values: [HistoryEntry.Metric] = []
                for metric in metrics {
                    let noise = Double.random(in: -0.03...0.03, using: &generator)
                    let p50: Double = 1_000 * Double(index + 1) * (1 + noise)
                    values.append(HistoryEntry.Metric(
                        metric: metric, unit: "ns", direction: .lowerIsBetter, p50: p50, p99: p50 * 1.4, sampleCount: 50))
                }
                benchmarks.append(HistoryEntry.Benchmark(name: "micro/benchmark/number-\(index)", status: .passed, metrics: values))
            }
            let date = String(format: "2026-%02d-%02dT02:00:00Z", 1 + run / 28, 1 + run % 28)
            entries.append(HistoryEntry(
                runID: "n-\(run)", suite: "nightly", commit: String(format: "%040x", run * 7_919 + 1), commitDate: date,
                runDate: date, isPartial: false, environment: SyntheticResults.fingerprint(commit: "c"),
                benchmarks: benchmarks))
        }
        let report = TrendReport(histories: [(key: "k", entries: entries)], generatedAt: "now", detector: .init())
        let bytes = TrendPage.html(report).utf8.count
        #expect(bytes <= 1_000_000, "seed 100: \(bytes) bytes")
        print("TrendPageTests: 100 runs × 81 benchmarks × 8 moving metrics: \(bytes) bytes")
    }

    @Test(arguments: [
        ("git@github.com:acme/sluice.git", "https://github.com/acme/sluice/commit/{commit}"),
        ("https://github.com/acme/sluice", "https://github.com/acme/sluice/commit/{commit}"),
        ("ssh://git@gitlab.com:22/acme/tools/sluice.git", "https://gitlab.com/acme/tools/sluice/-/commit/{commit}"),
        ("https://user@codeberg.org/acme/sluice.git/", "https://codeberg.org/acme/sluice/commit/{commit}"),
    ])
    func commitLinksComeFromTheOriginRemote(remote: String, template: String) {
        #expect(TrendPublisher.commitURLTemplate(remote: remote) == template)
    }

    @Test(arguments: ["/srv/git/sluice.git", "https://git.example.com/acme/sluice", "", "git@github.com:acme"])
    func unknownRemotesGiveNoLinks(remote: String) {
        #expect(TrendPublisher.commitURLTemplate(remote: remote) == nil)
    }

    @Test func twoEnvironmentsGetTheirOwnSectionsAndEveryLinkResolves() throws {
        let entries = SyntheticHistory.entries()
        let report = TrendReport(
            histories: [(key: "env-a", entries: entries), (key: "env-b", entries: entries)],
            generatedAt: "2026-11-29T08:00:00Z", detector: ChangePointDetector())
        #expect(report.changes.count == 6)
        #expect(report.changeGroups.count == 4, "one group per commit and environment")
        let html = TrendPage.html(report)
        try TagBalance.check(html)
        #expect(html.contains("<code>env-a</code>") && html.contains("<code>env-b</code>"))
        #expect(html.contains("[env-b]"), "with several environments each change names its own")
        let ids = Set(html.matches(of: /id="([^"]+)"/).map { String($0.output.1) })
        let links = html.matches(of: /href="#([^"]+)"/).map { String($0.output.1) }
        #expect(links.count == 6 + 6, "6 steps and 3 summary rows per environment")
        #expect(links.allSatisfy(ids.contains), "every link resolves")
        #expect(!links.contains("changes"), "no link falls back to the top")
    }

    @Test func noHistoryAtAllSaysHowToStart() throws {
        let html = TrendPage.html(TrendReport(histories: [], generatedAt: "now", detector: .init()))
        #expect(html.contains("No history yet"))
        try TagBalance.check(html)
    }

    @Test func emptyHistoryRendersAPage() throws {
        let report = TrendReport(histories: [(key: "k", entries: [])], generatedAt: "now", detector: .init())
        let html = TrendPage.html(report)
        #expect(html.contains("No step changes detected."))
        try TagBalance.check(html)
        #expect(TrendMarkdown.markdown(report).contains("No measured benchmarks yet."))
    }

    @Test func markdownListsChangesWithEscapedCells() {
        let markdown = TrendMarkdown.markdown(SyntheticHistory.report())
        #expect(markdown.contains("🔴 regression | `micro/parse/twitter` | wall_time"))
        #expect(markdown.contains("🟢 improvement | `macro/pipeline <&\"quoted'>` | wall_time"))
        #expect(markdown.contains("[index.html](index.html)"))
    }

    @Test func publisherWritesBothFilesFromHistoryFiles() throws {
        let directory = try SyntheticResults.temporaryDirectory("trend")
        defer { try? FileManager.default.removeItem(at: directory) }
        let historyDirectory = directory.appendingPathComponent("history")
        let store = HistoryStore(directory: historyDirectory, environmentKey: "x86_64-2c-24g-swift6.3.1-release-jemalloc")
        for entry in SyntheticHistory.entries(runs: 20) { try store.append(entry) }
        let files = TrendPublisher.historyFiles(in: historyDirectory)
        #expect(files.map(\.lastPathComponent) == ["x86_64-2c-24g-swift6.3.1-release-jemalloc.jsonl"])
        let publisher = TrendPublisher()
        let report = try publisher.makeReport(historyFiles: files)
        let written = try publisher.write(report, to: directory.appendingPathComponent("trend"))
        #expect(written.map(\.lastPathComponent) == ["index.html", "README.md"])
        let html = try String(contentsOf: written[0], encoding: .utf8)
        try TagBalance.check(html)
        #expect(html.contains("micro/parse/twitter"))
    }

    @Test func valuesAreFormattedWithUnits() {
        #expect(ValueFormatter.format(1_250_000, unit: "ns") == "1.25 ms")
        #expect(ValueFormatter.format(950, unit: "ns") == "950 ns")
        #expect(ValueFormatter.format(2048, unit: "bytes/op") == "2 KiB/op")
        #expect(ValueFormatter.format(12, unit: "allocations/op") == "12 allocations/op")
        #expect(ValueFormatter.percent(0.123) == "+12.3 %")
        let ticks = TrendChart.ticks(low: 930, high: 1310, count: 4)
        #expect(ticks == [900, 1000, 1100, 1200, 1300])
    }

    @Test func axisStaysReadableForZerosAndFarTails() {
        let zeros = TrendChart.axis(for: [0, 0, 0], unit: "allocations/op")
        #expect(!zeros.isLogarithmic && zeros.ticks.allSatisfy { $0 >= 0 } && zeros.high > 0, "\(zeros.ticks)")
        // p50 around 245 ns with a p99 of 113 µs: a linear axis would flatten the p50 line.
        let tail = TrendChart.axis(for: [245, 113_000, 240, 90_000], unit: "ns")
        #expect(tail.isLogarithmic)
        #expect(tail.ticks.first! <= 240 && tail.ticks.last! >= 113_000)
        #expect(tail.labels.contains("1 µs") && tail.labels.contains("100 µs"), "\(tail.labels)")
        let plain = TrendChart.axis(for: [1000, 1300], unit: "ns")
        #expect(!plain.isLogarithmic)
    }
}
