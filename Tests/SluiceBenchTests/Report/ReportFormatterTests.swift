import Foundation
@testable import SluiceBench
import Testing

@Suite struct JSONReportFormatterTests {
    @Test func roundTripsUnderItsSchema() throws {
        let report = try ReportFixture.report()
        let data = try JSONReportFormatter().format(report)
        let decoded = try JSONReportFormatter().decode(data, path: "reports/cand-run.json")
        #expect(decoded == report)
        #expect(decoded.schemaVersion == GateReport.currentSchemaVersion)
        #expect(decoded.outcome == .performanceRegression && decoded.exitCode == 1)
        #expect(decoded.classCounts == ["performance_alert": 2, "observability_gap": 1])
        let outcomes = decoded.comparisons.map { "\($0.benchmark) \($0.metric.rawValue) \($0.outcome.rawValue)" }
        #expect(outcomes == [
            "micro/slower wall_time regressed", "micro/slower allocations regressed",
            "micro/faster wall_time improved", "micro/faster allocations unchanged", "micro/same wall_time unchanged", "micro/same allocations missing",
        ])
        #expect(decoded.benchmarkChanges.map(\.kind) == [.added, .removed])
        let timing = try #require(decoded.comparisons.first)
        #expect(timing.interval.map { $0.lower > 1.25 && $0.upper < 1.35 } == true)
    }

    @Test func machineReadableFieldsAreStable() throws {
        let data = try JSONReportFormatter().format(try ReportFixture.report())
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == [
            "schemaVersion", "runID", "baselineRunID", "suite", "outcome", "exitCode", "classCounts", "environment",
            "method", "isCandidatePartial", "benchmarkChanges", "comparisons", "host",
        ])
        #expect(object["outcome"] as? String == "performance_regression")
        let comparisons = try #require(object["comparisons"] as? [[String: Any]])
        #expect(comparisons.first?["verdictClass"] as? String == "performance_alert")
    }

    @Test func otherSchemaVersionIsRefused() throws {
        var report = try ReportFixture.report()
        report.schemaVersion = 2
        let data = try JSONReportFormatter().format(report)
        #expect(throws: GateError.self) { try JSONReportFormatter().decode(data, path: "r.json") }
    }
}

@Suite struct MarkdownReportFormatterTests {
    @Test func snapshot() throws {
        let markdown = MarkdownReportFormatter().format(try ReportFixture.report())
        if markdown != Self.expected {
            // The actual text, to review and paste when the format changes on purpose.
            try? markdown.write(toFile: NSTemporaryDirectory() + "/sluice-report-snapshot.md", atomically: true, encoding: .utf8)
        }
        #expect(markdown == Self.expected, "\n--- actual ---\n\(markdown)")
    }

    @Test func writerPutsBothFilesUnderTheRunID() throws {
        let directory = try GateFixtures.temporaryDirectory()
        let files = try ReportWriter(directory: directory).write(try ReportFixture.report())
        #expect(files.markdown.lastPathComponent == "cand-run.md" && files.json.lastPathComponent == "cand-run.json")
        #expect(try String(contentsOf: files.markdown, encoding: .utf8) == Self.expected)
        _ = try JSONReportFormatter().decode(try Data(contentsOf: files.json), path: files.json.path)
    }

    static let expected = """
        ## ❌ sluice-bench gate: Performance regression

        **`micro/slower` wall_time p50 +30 % (limit +10 %) beyond noise** (and 1 more alert). The change makes this path slower or hungrier for every user of it: fix it, or waive it in the suite file with a reason.

        Suite `pr`, run `cand-run` against baseline `base-run` (environment `x86_64-2c-8g-swift6.3.1-release-jemalloc`). Exit code 1.

        ### Changes

        | Benchmark | Metric | Baseline | Candidate | Ratio | Interval (95 %) | Limit | Lane | Verdict |
        |---|---|---:|---:|---:|---|---:|---|---|
        | `micro/slower` | wall_time p50 | 1.001 µs | 1.301 µs | 1.3 | 1.289 – 1.312 | 1.1 | timing | **Performance Alert**: +30 % [+28.9 %, +31.2 %] at 95.9 % confidence; limit +10 %; 6+6 processes; p = 0.0011; beyond noise (Holm over 3 at level 0.050, look 1 of 1) |
        | `micro/slower` | allocations p50 | 540000 allocations/op | 540001 allocations/op | 1 |  | 1 | deterministic | **Performance Alert**: +1 allocations/op (+0.000185 %); any increase fails |
        | `micro/same` | allocations p50 | 3 allocations/op | – | – |  |  | deterministic | **Observability Gap**: mandatory metric unavailable: jemalloc is not the allocator |
        | `micro/faster` | wall_time p50 | 2.002 µs | 1.502 µs | 0.75 | 0.7425 – 0.7576 | 1.1 | timing | improved: -25 % [-25.7 %, -24.2 %] at 95.9 % confidence; limit +10 %; 6+6 processes; p = 1.000 |

        ### Benchmarks added, removed, failed or skipped

        - `micro/new` added: no baseline yet; update the baseline to gate it
        - `micro/gone` removed: not in the candidate run

        <sub>Timing: Hodges-Lehmann estimate of the log-ratio over per-process values; Mann-Whitney interval and one-sided exact Mann-Whitney test; Holm-Bonferroni across the run; Pocock-type alpha spending across looks, 95 % confidence intervals; a change alerts when its estimate is past the limit and Holm across the run rejects "no change" (one value per worker process). Allocations and instructions: exact counts per operation, compared directly. Thresholds: suite. Every comparison is in the JSON report.</sub>

        """
}

@Suite struct MarkdownReportShapeTests {
    typealias F = GateFixtures

    /// A pr-sized suite: `count` benchmarks, each with wall time, allocations, tick-quantized CPU times and
    /// metrics unavailable on both sides, with the candidate measured like the baseline.
    static func unchanged(count: Int) throws -> GateReport {
        func results(_ runID: String, jitter: Double) -> ResultsFile {
            F.results(runID: runID, (0..<count).map { index in
                let base = Double(1000 * (index + 1))
                return F.benchmark("micro/benchmark-\(index)", [
                    F.timing(.wallTime, [base, base * 1.01, base * 0.99, base * (1 + jitter), base * 1.002, base * 0.998]),
                    F.exact(.allocations, Double(index * 3)), F.exact(.allocatedBytes, Double(index * 300)),
                    F.timing(.cpuSystem, [0, 0, 0, 0, 0, 0]), F.timing(.cpuUser, [base, base, base, base, base, base]),
                    MetricResult.unavailable(.latency, reason: "the benchmark records no per-item latency"),
                    MetricResult.unavailable(.channelDepthMax, reason: "no channel_depth_max probe"),
                    MetricResult.unavailable(.stageLatency, reason: "no stage latency"),
                ])
            })
        }
        return try F.comparator(rules: ReportFixture.rules, required: [])
            .compare(baseline: results("base", jitter: 0.003), candidate: results("cand", jitter: -0.003))
    }

    /// A benchmark whose timing a `gated: false` rule leaves ungated (the pr suite's Foundation peers) says why
    /// under the unchanged table, once per reason.
    @Test func aRuleThatLeavesTimingUngatedIsExplainedUnderTheTable() throws {
        func results(_ runID: String, _ factor: Double) -> ResultsFile {
            F.results(runID: runID, ["micro/peer-a", "micro/peer-b", "micro/ours"].map { name in
                F.benchmark(name, [F.timing(.wallTime, [1000, 1010, 990, 1005, 995, 1002].map { $0 * factor })])
            })
        }
        let rules = #"""
            [{"benchmark": "*", "metric": "wall_time", "percentile": "p50", "relative": 0.10},
             {"benchmark": "micro/peer-*", "metric": "wall_time", "percentile": "p50", "gated": false,
              "reason": "a peer: no Sluice code"}]
            """#
        let report = try F.comparator(rules: rules).compare(baseline: results("b", 1), candidate: results("c", 1.001))
        let markdown = MarkdownReportFormatter().format(report)
        #expect(markdown.contains("Not gated by the suite's rules: `micro/peer-a`, `micro/peer-b`: a peer: no Sluice code."),
            "\(markdown)")
        #expect(markdown.components(separatedBy: "Not gated by the suite's rules").count == 2)
        // Its row shows the interval a gated row would, and "not gated" where the limit goes.
        let peerRow = try #require(markdown.split(separator: "\n").first { $0.hasPrefix("| `micro/peer-a` |") })
        #expect(peerRow.contains(" – ") && peerRow.contains("| not gated |"), "\(peerRow)")
        #expect(!markdown.contains("`micro/ours`, ") && MarkdownReportFormatter.notGatedByRule([]).isEmpty)
        // The JSON report carries the reason as a field of its own, and only on the comparisons it covers.
        let json = try JSONReportFormatter().decode(try JSONReportFormatter().format(report), path: "r.json")
        let reasons = Dictionary(
            json.comparisons.filter { $0.metric == .wallTime }.map { ($0.benchmark, $0.notGatedReason ?? "none") },
            uniquingKeysWith: { first, _ in first })
        #expect(reasons == ["micro/peer-a": "a peer: no Sluice code", "micro/peer-b": "a peer: no Sluice code",
                            "micro/ours": "none"])
    }

    @Test func anUnchangedPRSizedRunIsShortAndSaysSo() throws {
        let report = try Self.unchanged(count: 24)
        #expect(report.outcome == .pass)
        let markdown = MarkdownReportFormatter().format(report)
        #expect(markdown.utf8.count < 8 * 1024, "\(markdown.utf8.count) bytes")
        #expect(markdown.contains("Nothing changed beyond noise: 24 benchmarks"))
        #expect(!markdown.contains("### Changes"))
        #expect(markdown.contains("<details><summary>24 unchanged benchmarks (headline metric each)</summary>"))
        for index in 0..<24 {
            let rows = markdown.components(separatedBy: "| `micro/benchmark-\(index)` |").count - 1
            #expect(rows == 1, "micro/benchmark-\(index) has \(rows) rows")
        }
        #expect(markdown.contains("| `micro/benchmark-3` | wall_time p50 | 3.996 µs | 0.999 | 0.99 – 1.008 | 1.1 |"))
        #expect(!markdown.contains("latency") && !markdown.contains("channel_depth_max"),
            "metrics unavailable on both sides are never listed")
        // The JSON keeps every comparison, including those.
        let json = try JSONReportFormatter().decode(try JSONReportFormatter().format(report), path: "r.json")
        #expect(json.comparisons.contains { $0.metric == .latency })
        #expect(json.comparisons.count == report.comparisons.count)
    }

    @Test func changesCarryRatioIntervalLimitAndLane() throws {
        let markdown = MarkdownReportFormatter().format(try ReportFixture.report())
        let lines = markdown.split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("**`micro/slower` wall_time p50 +30 % (limit +10 %) beyond noise** (and 1 more alert)"),
            "\(lines[1])")
        let header = try #require(lines.first { $0.hasPrefix("| Benchmark | Metric | Baseline |") })
        #expect(header.contains("| Ratio | Interval (95 %) | Limit | Lane | Verdict |"))
        let slower = try #require(lines.first { $0.hasPrefix("| `micro/slower` | wall_time p50 |") })
        #expect(slower.contains("| 1.3 | 1.289 – 1.312 | 1.1 | timing | **Performance Alert**"), "\(slower)")
        let allocations = try #require(lines.first { $0.hasPrefix("| `micro/slower` | allocations p50 |") })
        #expect(allocations.contains("| deterministic | **Performance Alert**"), "\(allocations)")
    }

    @Test(arguments: [0.0, 0.2])
    func theSentenceNamesWhatChanged(slowdown: Double) throws {
        var report = try Self.unchanged(count: 3)
        if slowdown > 0 {
            let baseline = F.results(runID: "b", [F.benchmark("micro/x", [F.timing(.wallTime, [100, 101, 99, 100, 102, 98])])])
            let candidate = F.results(runID: "c", [F.benchmark("micro/x", [F.timing(.wallTime, [80, 81, 79, 80, 82, 78])])])
            report = try F.comparator(rules: ReportFixture.rules, required: []).compare(baseline: baseline, candidate: candidate)
        }
        let sentence = ReportHeadline.sentence(report)
        if slowdown > 0 {
            #expect(sentence.hasPrefix("No regressions; **1 improvement** beyond noise, the largest `micro/x` wall_time p50 -20 %"),
                "\(sentence)")
        } else {
            #expect(sentence == "Nothing changed beyond noise: 3 benchmarks, 6 gated comparisons within their limits.",
                "\(sentence)")
        }
    }
}
