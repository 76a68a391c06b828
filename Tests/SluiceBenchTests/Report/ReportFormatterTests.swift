import Foundation
import SluiceBench
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
        #expect(throws: HarnessError.self) { try JSONReportFormatter().decode(data, path: "r.json") }
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

        Suite `pr`, run `cand-run` against baseline `base-run` (environment `x86_64-2c-8g-swift6.3.1-release-jemalloc`). Exit code 1.

        **6** comparisons · **2** Performance Alert · **1** Observability Gap · **1** improved

        ### Changes

        | Benchmark | Metric | Baseline | Candidate | Ratio | Interval (95 %) | Limit | Verdict |
        |---|---|---:|---:|---:|---|---:|---|
        | `micro/slower` | wall_time p50 | 1.001 µs | 1.301 µs | 1.3 | 1.289 – 1.312 | 1.1 | **Performance Alert**: +30 % [+28.9 %, +31.2 %] at 95.9 % confidence; limit +10 %; 6+6 processes; p = 0.0011; beyond noise (Holm over 3 at level 0.050, look 1 of 1) |
        | `micro/slower` | allocations p50 | 540000 allocations/op | 540001 allocations/op | 1 |  | 1 | **Performance Alert**: +1 allocations/op (+0.000185 %); any increase fails |
        | `micro/faster` | wall_time p50 | 2.002 µs | 1.502 µs | 0.75 | 0.7425 – 0.7576 | 1.1 | improved: -25 % [-25.7 %, -24.2 %] at 95.9 % confidence; limit +10 %; 6+6 processes; p = 1.000 |
        | `micro/same` | allocations p50 | 3 allocations/op | – | – |  |  | **Observability Gap**: mandatory metric unavailable: jemalloc is not the allocator |

        ### Benchmarks added, removed, failed or skipped

        - `micro/new` added: no baseline yet; update the baseline to gate it
        - `micro/gone` removed: not in the candidate run

        <details><summary>2 unchanged or not gated</summary>

        | Benchmark | Metric | Baseline | Candidate | Ratio | Interval (95 %) | Limit | Verdict |
        |---|---|---:|---:|---:|---|---:|---|
        | `micro/faster` | allocations p50 | 12 allocations/op | 12 allocations/op | 1 |  | 1 | unchanged: 0 allocations/op (0 %) |
        | `micro/same` | wall_time p50 | 500.5 ns | 500.5 ns | 1 | 0.9901 – 1.008 | 1.1 | unchanged: 0 % [-1 %, +0.8 %] at 95.9 % confidence; limit +10 %; 6+6 processes; p = 0.531 |

        </details>

        <sub>Timing: Hodges-Lehmann estimate of the log-ratio over per-process values; Mann-Whitney interval and one-sided exact Mann-Whitney test; Holm-Bonferroni across the run; Pocock-type alpha spending across looks, 95 % confidence intervals; a change alerts when its estimate is past the limit and Holm across the run rejects "no change" (one value per worker process). Allocations: exact counts per operation, compared directly. Thresholds: suite.</sub>

        """
}
