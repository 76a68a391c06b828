import Foundation
@testable import SluiceBench
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
        #expect(!html.contains("<script"), "the page must work without script")
        #expect(!html.contains("http://") || html.components(separatedBy: "http://").count - 1
            == html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1,
            "the only URLs are SVG namespace names")
        #expect(!html.contains("https://"))
        #expect(html.contains("macro/pipeline &lt;&amp;&quot;quoted&#39;&gt;"))
        #expect(!html.contains("<&\"quoted'>"))
        try TagBalance.check(html)
        #if canImport(FoundationXML)
        let document = try XMLDocument(xmlString: html, options: [])
        let charts = try document.nodes(forXPath: "//*[local-name()='svg']")
        #expect(charts.count == 4)
        let regressions = try document.nodes(forXPath: "//*[local-name()='li'][@class='regression']")
        #expect(regressions.count == 2)
        let marks = try document.nodes(forXPath: "//*[local-name()='g'][@class='change improvement']")
        #expect(marks.count == 1)
        let bands = try document.nodes(forXPath: "//*[local-name()='polygon'][@class='band']")
        #expect(bands.count == 4)
        #endif
    }

    @Test func twoEnvironmentsGetTheirOwnSectionsAndEveryLinkResolves() throws {
        let entries = SyntheticHistory.entries()
        let report = TrendReport(
            histories: [(key: "env-a", entries: entries), (key: "env-b", entries: entries)],
            generatedAt: "2026-11-29T08:00:00Z", detector: ChangePointDetector())
        #expect(report.changes.count == 6)
        let html = TrendPage.html(report)
        try TagBalance.check(html)
        #expect(html.contains("Environment <code>env-a</code>") && html.contains("Environment <code>env-b</code>"))
        #expect(html.contains("[env-b]"), "with several environments each change names its own")
        let ids = Set(html.matches(of: /id="([^"]+)"/).map { String($0.output.1) })
        let links = html.matches(of: /href="#([^"]+)"/).map { String($0.output.1) }
        #expect(links.count == 6)
        #expect(links.allSatisfy(ids.contains), "every change links to its chart")
        #expect(Set(links).count == 6, "charts of the two environments have distinct ids")
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
