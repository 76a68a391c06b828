import Foundation
@testable import SluiceBench
import Testing

@Suite struct ExportTests {
    private func results() -> ResultsFile {
        var results = SyntheticResults.results(benchmarks: [
            SyntheticResults.benchmark("micro/tokenize/twitter", nanoseconds: 250_000, seed: 1),
            BenchmarkResult(
                name: "meso/odd \"name\"\\with\nnewline", status: .passed, innerIterations: 1,
                metrics: [
                    SyntheticResults.timing(.wallTime, samples: [10, 11, 12, 13]),
                    .unavailable(.allocations, reason: "jemalloc is not \"installed\""),
                ]),
            BenchmarkResult(name: "macro/broken", status: .failed, error: "output check failed", innerIterations: 1, metrics: []),
        ])
        results.environment.isDirty = true
        return results
    }

    @Test func githubActionBenchmarkSplitsByDirection() throws {
        let export = GitHubActionBenchmarkExporter.export(results())
        let smaller = try #require(export.entries[.customSmallerIsBetter])
        let bigger = try #require(export.entries[.customBiggerIsBetter])
        #expect(smaller.map(\.name) == [
            "micro/tokenize/twitter wall_time", "micro/tokenize/twitter allocations",
            "meso/odd \"name\"\\with\nnewline wall_time",
        ])
        #expect(bigger.map(\.name) == ["micro/tokenize/twitter throughput_items"])
        let wall = smaller[0]
        let summary = try #require(results().benchmarks[0].metric(.wallTime)?.summary)
        #expect(wall.value == summary.p50 && wall.unit == "ns")
        #expect(wall.range?.hasPrefix("± ") == true)
        #expect(wall.extra?.contains("samples: 40") == true)
        #expect(wall.extra?.contains("(dirty)") == true)
        #expect(smaller[1].value == 12 && smaller[1].unit == "allocations/op")
        #expect(export.omitted.contains { $0.hasPrefix("meso/odd") && $0.contains("allocations: unavailable") })
        #expect(export.omitted.contains { $0.hasPrefix("macro/broken: failed") })
    }

    @Test func githubActionBenchmarkJSONHasTheActionsShape() throws {
        let export = GitHubActionBenchmarkExporter.export(results())
        let data = GitHubActionBenchmarkExporter.json(export.entries[.customSmallerIsBetter] ?? [])
        let array = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(array.count == 3)
        for element in array {
            #expect(Set(element.keys).isSubset(of: ["name", "unit", "value", "range", "extra"]))
            #expect(element["name"] is String && element["unit"] is String && element["value"] is NSNumber)
            if let range = element["range"] { #expect(range is String) }
            if let extra = element["extra"] { #expect(extra is String) }
        }
        #expect(try JSONDecoder().decode([GitHubActionBenchmarkExporter.Entry].self, from: data).count == 3)
    }

    @Test func openMetricsTextIsWellFormed() throws {
        let text = OpenMetricsExporter.text(results())
        try OpenMetricsChecker.check(text)
        #expect(text.hasSuffix("# EOF\n"))
        #expect(text.contains("# TYPE sluice_bench_wall_time_seconds summary\n# UNIT sluice_bench_wall_time_seconds seconds\n# HELP sluice_bench_wall_time_seconds "))
        #expect(text.contains("# TYPE sluice_bench_throughput_items_per_second summary\n# HELP"))
        #expect(text.contains("# TYPE sluice_bench_allocations_per_op summary"))
        #expect(text.contains("# TYPE sluice_bench_run info\n"))
        #expect(text.contains("sluice_bench_run_info{suite=\"nightly\""))
        #expect(text.contains("dirty=\"true\""))
        // Values in base units: 250 µs is 0.00025 s give or take the noise.
        let summary = try #require(results().benchmarks[0].metric(.wallTime)?.summary)
        #expect(text.contains(
            "sluice_bench_wall_time_seconds{suite=\"nightly\",benchmark=\"micro/tokenize/twitter\",quantile=\"0.5\"} \(summary.p50 * 1e-9)\n"))
        // Escaping: backslash, quote and newline in a label value.
        #expect(text.contains("benchmark=\"meso/odd \\\"name\\\"\\\\with\\nnewline\""))
        // Unavailable is reported as such, never as a zero measurement.
        #expect(text.contains("sluice_bench_metric_unavailable{suite=\"nightly\",benchmark=\"meso/odd \\\"name\\\"\\\\with\\nnewline\",metric=\"allocations\",reason=\"jemalloc is not \\\"installed\\\"\"} 1\n"))
        #expect(!text.contains("macro/broken"))
    }

    @Test func labelEscapingRoundTrips() {
        for value in ["plain", "a\"b", "c\\d", "e\nf", "\\\"\n", "ünïcode ✓"] {
            #expect(OpenMetricsChecker.unescape(OpenMetricsExporter.escapeLabelValue(value)) == value)
        }
        #expect(OpenMetricsExporter.sanitize("9lives-x.y") == "_9lives_x_y")
        #expect(OpenMetricsExporter.number(.infinity) == "+Inf" && OpenMetricsExporter.number(.nan) == "NaN")
    }
}
