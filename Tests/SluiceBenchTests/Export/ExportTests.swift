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

/// A checker for the OpenMetrics text grammar parts the exporter uses: metadata before samples, families not
/// interleaved, units as name suffixes, sample names matching their family's type, `# EOF` last.
enum OpenMetricsChecker {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func check(_ text: String) throws {
        guard text.hasSuffix("# EOF\n") else { throw Failure(description: "missing # EOF terminator") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.last == "# EOF" else { throw Failure(description: "# EOF is not the last line") }
        var seenFamilies: Set<String> = []
        var current: (name: String, type: String)?
        let namePattern = try Regex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")
        for (number, line) in lines.dropLast().enumerated() {
            let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
            if line.hasPrefix("# ") {
                guard parts.count >= 3, ["TYPE", "UNIT", "HELP"].contains(parts[1]) else {
                    throw Failure(description: "line \(number + 1): bad metadata \(line)")
                }
                let name = parts[2]
                guard name.wholeMatch(of: namePattern) != nil else {
                    throw Failure(description: "line \(number + 1): bad name \(name)")
                }
                if parts[1] == "TYPE" {
                    guard !seenFamilies.contains(name) else {
                        throw Failure(description: "line \(number + 1): family \(name) interleaved or repeated")
                    }
                    seenFamilies.insert(name)
                    current = (name, parts.count > 3 ? parts[3] : "")
                } else {
                    guard current?.name == name else {
                        throw Failure(description: "line \(number + 1): metadata for \(name) outside its family")
                    }
                    if parts[1] == "UNIT", let unit = parts.count > 3 ? parts[3] : nil, !name.hasSuffix("_" + unit) {
                        throw Failure(description: "line \(number + 1): unit \(unit) is not a suffix of \(name)")
                    }
                }
                continue
            }
            guard let family = current else { throw Failure(description: "line \(number + 1): sample before TYPE") }
            guard let brace = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") else {
                throw Failure(description: "line \(number + 1): sample without labels \(line)")
            }
            let sampleName = String(line[..<brace])
            let allowed: [String] = switch family.type {
            case "summary": [family.name, family.name + "_count", family.name + "_sum"]
            case "info": [family.name + "_info"]
            default: [family.name]
            }
            guard allowed.contains(sampleName) else {
                throw Failure(description: "line \(number + 1): sample \(sampleName) not allowed in \(family.type) \(family.name)")
            }
            try checkLabels(String(line[line.index(after: brace)..<close]), line: number + 1)
            let value = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
            guard Double(value) != nil || ["+Inf", "-Inf", "NaN"].contains(value) else {
                throw Failure(description: "line \(number + 1): bad value \(value)")
            }
        }
    }

    /// Parses `a="x",b="y"` honouring escapes; throws on a raw newline, an unknown escape or an unclosed quote.
    static func checkLabels(_ text: String, line: Int) throws {
        var index = text.startIndex
        while index < text.endIndex {
            guard let equals = text[index...].firstIndex(of: "="), text[text.index(after: equals)] == "\"" else {
                throw Failure(description: "line \(line): bad label syntax")
            }
            var cursor = text.index(equals, offsetBy: 2)
            var closed = false
            while cursor < text.endIndex {
                let character = text[cursor]
                if character == "\\" {
                    let next = text.index(after: cursor)
                    guard next < text.endIndex, ["\\", "\"", "n"].contains(text[next]) else {
                        throw Failure(description: "line \(line): unknown escape")
                    }
                    cursor = text.index(after: next)
                    continue
                }
                if character == "\n" { throw Failure(description: "line \(line): raw newline in a label") }
                if character == "\"" {
                    closed = true
                    break
                }
                cursor = text.index(after: cursor)
            }
            guard closed else { throw Failure(description: "line \(line): unclosed label value") }
            index = text.index(after: cursor)
            if index < text.endIndex {
                guard text[index] == "," else { throw Failure(description: "line \(line): expected a comma") }
                index = text.index(after: index)
            }
        }
    }

    static func unescape(_ value: String) -> String {
        var result = ""
        var iterator = value.makeIterator()
        while let character = iterator.next() {
            guard character == "\\", let next = iterator.next() else {
                result.append(character)
                continue
            }
            result.append(next == "n" ? "\n" : next)
        }
        return result
    }
}
