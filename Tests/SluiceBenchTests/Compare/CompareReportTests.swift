import Foundation
import SluiceBench
import Testing

/// The compare report's Markdown has the gate report's shape: verdict and sentence, the changes, the failed and
/// one-sided benchmarks, then the unchanged ones collapsed; metrics unavailable on both sides are left out.
@Suite struct CompareReportTests {
    typealias F = GateFixtures

    static let rules = #"""
        [{"benchmark": "*", "metric": "wall_time", "percentile": "p50", "relative": 0.10},
         {"benchmark": "*", "metric": "allocations", "percentile": "p50", "absolute": 0}]
        """#

    /// A: four benchmarks. B: `micro/slow` 30 % slower, `micro/broken` failing, the rest unchanged; every
    /// benchmark's `instructions` unavailable on both sides (no valgrind); `micro/new` only in B.
    static func report() throws -> CompareReport {
        let unavailable = MetricResult.unavailable(.instructions, reason: "valgrind is not installed")
        let levels = [1000.0, 1010, 990, 1005, 995, 1002, 998]
        func side(_ runID: String, slowdown: Double, failing: Bool) -> ResultsFile {
            F.results(runID: runID, [
                F.benchmark("micro/slow", [F.timing(.wallTime, levels.map { $0 * slowdown }), unavailable]),
                F.benchmark("micro/steady", [F.timing(.wallTime, levels), F.exact(.allocations, 3), unavailable]),
                F.benchmark("micro/other", [F.timing(.wallTime, levels.map { $0 * 2 }), unavailable]),
                failing
                    ? F.benchmark("micro/broken", status: .failed, error: "output check failed", [])
                    : F.benchmark("micro/broken", [F.timing(.wallTime, levels), unavailable]),
            ])
        }
        let a = side("a", slowdown: 1, failing: false)
        let b = side("b", slowdown: 1.3, failing: true)
        let gate = try F.comparator(rules: Self.rules).compare(baseline: a, candidate: b)
        return CompareReport(
            runID: "compare-aaaaaaa-bbbbbbb", suite: "pr",
            a: .init(revision: "main", commit: String(repeating: "a", count: 40), buildWasCached: true),
            b: .init(revision: "HEAD", commit: String(repeating: "b", count: 40), buildWasCached: false),
            rounds: 7, seed: 3, isWorkTreeDirty: false, dirtyFiles: [],
            outcome: CompareOutcome(
                gateReport: gate, order: ["micro/slow": "AB BA"], onlyInA: [], onlyInB: ["micro/new"],
                resultsA: a, resultsB: b))
    }

    @Test func verdictChangesFailuresThenTheCollapsedUnchangedTable() throws {
        let markdown = try Self.report().markdown
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The verdict and one sentence first.
        #expect(lines[0].hasPrefix("## ") && lines[0].contains("sluice-bench compare: "), "\(lines[0])")
        #expect(lines[1].isEmpty && !lines[2].isEmpty && !lines[2].hasPrefix("#") && !lines[2].hasPrefix("|"))
        func position(_ text: String) throws -> String.Index {
            try #require(markdown.range(of: text), "missing: \(text)\n\(markdown)").lowerBound
        }
        let changes = try position("### Changes")
        let failed = try position("### Failed or skipped")
        let oneSided = try position("### On one side only (not compared)")
        let unchanged = try position("unchanged benchmark")
        let order = try position("<details><summary>Round order</summary>")
        #expect(changes < failed && failed < oneSided && oneSided < unchanged && unchanged < order,
            "the gate's order: changes, failed and one-sided, then the collapsed unchanged table\n\(markdown)")
        // The changes table holds the slowdown with its ratio, interval, limit and lane.
        let changesTable = markdown[changes..<failed]
        #expect(changesTable.contains("`micro/slow`") && changesTable.contains("| B/A |"))
        #expect(!changesTable.contains("`micro/steady`"))
        #expect(markdown[failed..<oneSided].contains("- on B: `micro/broken: failed (output check failed)`"))
        #expect(markdown[oneSided..<unchanged].contains("- `micro/new`: only in B"))
        // Collapsed: one row per unchanged benchmark with its headline metric.
        let collapsed = markdown[unchanged...]
        #expect(markdown[..<unchanged].hasSuffix("<details><summary>2 "), "\(markdown[..<unchanged].suffix(40))")
        #expect(collapsed.contains("| `micro/steady` | wall_time p50 |"))
        #expect(collapsed.contains("| `micro/other` | wall_time p50 |"))
    }

    @Test func metricsUnavailableOnBothSidesAreLeftOutButKeptInTheJSON() throws {
        let report = try Self.report()
        #expect(!report.markdown.contains("instructions"), "\(report.markdown)")
        let json = String(decoding: try report.json(), as: UTF8.self)
        #expect(json.contains("\"instructions\""), "the JSON keeps every comparison")
    }
}
