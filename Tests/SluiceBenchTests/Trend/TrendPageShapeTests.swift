import Foundation
@testable import SluiceBench
import SluiceTestKit
import Testing

/// The trend page's shape: chart order and folding, the detector's settings on the page, changes grouped by
/// commit, and the page weight when the whole machine steps.
@Suite struct TrendPageShapeTests {
    /// A metric of a synthetic history: its p50 at run 0, and a step by `factor` from run `stepAt` on.
    struct Spec {
        var metric: String
        var unit = "ns"
        var direction = BenchmarkMetric.Direction.lowerIsBetter
        var base: Double
        var stepAt: Int?
        var factor = 1.0
    }

    static func commit(_ run: Int) -> String { String(format: "%040x", run * 7_919 + 1) }

    /// `runs` entries of `benchmarks`, each value with seeded ±`noise` relative noise.
    static func entries(
        runs: Int, benchmarks: [(String, [Spec])], noise: Double = 0.02, seed: UInt64
    ) -> [HistoryEntry] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return (0..<runs).map { run in
            let date = String(format: "2026-%02d-%02dT02:00:00Z", 1 + run / 28, 1 + run % 28)
            let measured = benchmarks.map { name, specs in
                HistoryEntry.Benchmark(name: name, status: .passed, metrics: specs.map { spec in
                    let level = spec.base * (spec.stepAt.map { run >= $0 ? spec.factor : 1 } ?? 1)
                    let p50 = noise == 0 ? level : level * (1 + Double.random(in: -noise...noise, using: &generator))
                    return HistoryEntry.Metric(
                        metric: spec.metric, unit: spec.unit, direction: spec.direction, p50: p50, p99: p50 * 1.3,
                        sampleCount: 50)
                })
            }
            return HistoryEntry(
                runID: "n-\(run)", suite: "nightly", commit: commit(run), commitDate: date, runDate: date,
                isPartial: false, environment: SyntheticResults.fingerprint(commit: "c"), benchmarks: measured)
        }
    }

    static func report(_ entries: [HistoryEntry], detector: ChangePointDetector = .init()) -> TrendReport {
        TrendReport(histories: [(key: "k", entries: entries)], generatedAt: "now", detector: detector)
    }

    /// The chart captions of one benchmark's section, in page order (`<strong>metric</strong>` in figures).
    static func chartedMetrics(_ html: String) -> [String] {
        html.matches(of: /<figure class="trend"><figcaption><strong>([a-z_0-9]+)<\/strong>/).map { String($0.output.1) }
    }

    @Test func headlineMetricsAreChartedFirstAndOtherMovingMetricsFold() throws {
        // Listed in the history with the resource metrics first, so the order on the page is the page's own.
        let specs = [
            Spec(metric: "cpu_user", base: 900),
            Spec(metric: "rss_peak", unit: "bytes", base: 4e7),
            Spec(metric: "allocations", unit: "allocations/op", base: 120),
            Spec(metric: "throughput_items", unit: "items/s", direction: .higherIsBetter, base: 1e6),
            Spec(metric: "wall_time", base: 1000),
            Spec(metric: "instructions", unit: "instructions/op", base: 5000),
        ]
        let html = TrendPage.html(Self.report(Self.entries(runs: 30, benchmarks: [("micro/a", specs)], seed: 7)))
        // In full: the first moving metric of each headline group, headline order (time, instructions, allocations).
        #expect(Self.chartedMetrics(html) == ["wall_time", "instructions", "allocations"], "seed 7")
        // Folded: throughput (the same story as wall time) and the resource metrics, named in rank order.
        #expect(html.contains("<details><summary>3 more metric(s): throughput_items, cpu_user, rss_peak</summary>"),
            "seed 7")
        #expect(html.components(separatedBy: "<ul class=\"folded\">\n<li").count == 2)
    }

    @Test func aMetricWithAStepIsChartedEvenWhenItWouldFold() throws {
        let specs = [
            Spec(metric: "wall_time", base: 1000),
            Spec(metric: "throughput_items", unit: "items/s", direction: .higherIsBetter, base: 1e6),
            Spec(metric: "rss_peak", unit: "bytes", base: 4e7, stepAt: 15, factor: 1.5),
        ]
        let html = TrendPage.html(Self.report(Self.entries(runs: 30, benchmarks: [("micro/a", specs)], seed: 8)))
        #expect(Self.chartedMetrics(html) == ["wall_time", "rss_peak"], "seed 8")
        #expect(html.contains("<details><summary>1 more metric(s): throughput_items</summary>"))
    }

    /// A step that moves several metrics of a benchmark at one commit is charted once: the other metrics fold,
    /// their line naming the step and its commit.
    @Test func aStepAlreadyChartedFoldsTheOtherMetricsThatTookIt() throws {
        let specs = [
            Spec(metric: "wall_time", base: 1000, stepAt: 15, factor: 1.3),
            Spec(metric: "throughput_items", unit: "items/s", direction: .higherIsBetter, base: 1e6, stepAt: 15,
                factor: 1 / 1.3),
            Spec(metric: "rss_peak", unit: "bytes", base: 4e7, stepAt: 15, factor: 1.3),
        ]
        let report = Self.report(Self.entries(runs: 30, benchmarks: [("micro/a", specs)], seed: 12))
        #expect(report.changes.count == 3, "seed 12: \(report.changes.map(\.metric))")
        let html = TrendPage.html(report)
        #expect(Self.chartedMetrics(html) == ["wall_time"], "seed 12")
        #expect(html.contains("<details><summary>2 more metric(s): throughput_items, rss_peak</summary>"))
        let folded = try #require(html.range(of: "<ul class=\"folded\">").map { String(html[$0.lowerBound...]) })
        #expect(folded.components(separatedBy: "regression +30").count - 1 == 1, "rss_peak names its step")
        #expect(folded.contains("at <code>\(Self.commit(15).prefix(7))</code>"))
    }

    @Test func theDetectorsSettingsAreStatedOnThePage() throws {
        let detector = ChangePointDetector(window: 8, minimumSide: 5, significance: 0.02, minimumEffect: 0.1)
        let entries = Self.entries(runs: 20, benchmarks: [("micro/a", [Spec(metric: "wall_time", base: 1000)])], seed: 9)
        let html = TrendPage.html(Self.report(entries, detector: detector))
        let footer = try #require(html.range(of: "<footer>").map { String(html[$0.lowerBound...]) })
        #expect(footer.contains("window 8, at least 5 runs a side"))
        #expect(footer.contains("p ≤ 0.02 (significance)"))
        #expect(footer.contains("at least 10 % (minimum effect)"))
        #expect(footer.contains("E-Divisive"))
    }

    @Test func benchmarksSteppingAtOneCommitAreOneChangeWithItsCommitLink() throws {
        let stepping = ["micro/a", "micro/b", "meso/c"].map { name in
            (name, [Spec(metric: "wall_time", base: 1000, stepAt: 20, factor: 1.25)])
        }
        let other = ("macro/d", [Spec(metric: "wall_time", base: 5000, stepAt: 10, factor: 0.7)])
        let steady = ("macro/e", [Spec(metric: "wall_time", base: 3000)])
        let report = Self.report(Self.entries(runs: 32, benchmarks: stepping + [other, steady], seed: 11))
        let groups = report.changeGroups
        #expect(groups.count == 2, "seed 11: \(groups.map { ($0.commit.prefix(8), $0.benchmarks) })")
        let together = try #require(groups.first { $0.commit == Self.commit(20) }, "seed 11")
        #expect(together.benchmarks.sorted() == ["meso/c", "micro/a", "micro/b"])
        #expect(together.hasRegression)
        #expect(together.previousCommit == Self.commit(19))
        let alone = try #require(groups.first { $0.commit == Self.commit(10) }, "seed 11")
        #expect(alone.benchmarks == ["macro/d"] && !alone.hasRegression)

        let html = TrendPage.html(report, commitURL: "https://example.invalid/c/{commit}")
        let item = try #require(html.range(of: "<li class=\"regression\"><a class=\"commit\" "
            + "href=\"https://example.invalid/c/\(Self.commit(20))\">"), "the change links to its commit")
        let rest = html[item.lowerBound...]
        #expect(rest.prefix(600).contains("3 benchmark(s) moved"))
        #expect(html.components(separatedBy: "<li class=\"regression\"><a class=\"commit\"").count == 2,
            "one regression entry for the three benchmarks")
    }

    /// 100 runs of the nightly suite's size in which the whole machine gets 20 % slower at run 60: every series
    /// steps at once. The page still weighs at most 1 MB.
    @Test func aMachineWideStepOverAHundredRunsStaysUnderOneMegabyte() {
        let metrics = ["wall_time", "throughput_items", "allocations", "allocated_bytes", "cpu_user", "cpu_system",
            "rss_peak", "latency"]
        let benchmarks = (0..<81).map { index in
            ("micro/benchmark/number-\(index)", metrics.map { metric in
                Spec(metric: metric, base: 1_000 * Double(index + 1), stepAt: 60, factor: 1.2)
            })
        }
        let report = Self.report(Self.entries(runs: 100, benchmarks: benchmarks, noise: 0.03, seed: 60))
        #expect(report.changeGroups.count >= 1, "seed 60")
        #expect(report.changeGroups.contains { $0.commit == Self.commit(60) && $0.benchmarks.count == 81 }, "seed 60")
        let bytes = TrendPage.html(report).utf8.count
        #expect(bytes <= 1_000_000, "seed 60: \(bytes) bytes")
        print("TrendPageShapeTests: 100 runs × 81 benchmarks × 8 metrics stepping at run 60: \(bytes) bytes")
    }
}
