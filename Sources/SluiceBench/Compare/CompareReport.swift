import Foundation

/// What `sluice-bench compare` found: the gate's report of B against A plus how the comparison was run.
/// Written as `<name>.json` (this structure, versioned schema) and `<name>.md` (see `markdown`).
public struct CompareReport: Codable, Sendable {
    /// The schema version this build writes and reads.
    public static let currentSchemaVersion = 1

    /// One revision of the two.
    public struct Side: Codable, Hashable, Sendable {
        /// As given on the command line, e.g. `main` or `HEAD~1`.
        public var revision: String
        /// The full commit sha it named.
        public var commit: String
        /// True when its build came from the cache.
        public var buildWasCached: Bool

        /// A side: the revision as given, the commit it named, and whether its build came from the cache.
        public init(revision: String, commit: String, buildWasCached: Bool) {
            self.revision = revision
            self.commit = commit
            self.buildWasCached = buildWasCached
        }
    }

    /// The schema version the report was written with (`currentSchemaVersion` in this build).
    public var schemaVersion: Int
    /// `compare-<A's sha, 7 characters>-<B's sha, 7 characters>`; also the default name of the report files.
    public var runID: String
    /// The suite's name.
    public var suite: String
    /// Revision A: the baseline side.
    public var a: Side
    /// Revision B: the side judged against A.
    public var b: Side
    /// Pairs of fresh worker processes (A and B) per gated benchmark at each look (`--rounds`); a benchmark with
    /// no gated timing metric gets 2, and a later look adds more.
    public var rounds: Int
    /// The seed of the round order (`--seed` replays it).
    public var seed: UInt64
    /// Each benchmark's round order, e.g. `AB BA BA AB`.
    public var order: [String: String]
    /// True when the repository's work tree had uncommitted changes and `--allow-dirty` was given.
    /// The builds come from the commits, so the changes are in neither side.
    public var isWorkTreeDirty: Bool
    /// The changed files, when dirty.
    public var dirtyFiles: [String]
    /// Benchmarks of the suite that only A's build registers.
    public var onlyInA: [String]
    /// Benchmarks of the suite that only B's build registers.
    public var onlyInB: [String]
    /// Benchmarks that failed or were skipped, per side: `name: why`.
    public var failedInA: [String]
    /// B's benchmarks that failed or were skipped: `name: status`, with the error in parentheses when known.
    public var failedInB: [String]
    /// The verdict, under the gate's rules (A is the baseline, B the candidate).
    public var outcome: GateOutcome
    /// The exit code for `outcome`.
    public var exitCode: Int
    /// Every comparison: ratio B/A, interval, verdict.
    public var gate: GateReport

    /// Assembles the report; `order`, the one-sided and failed lists, the verdict, exit code and `gate` come
    /// from `outcome`.
    public init(
        runID: String, suite: String, a: Side, b: Side, rounds: Int, seed: UInt64, isWorkTreeDirty: Bool,
        dirtyFiles: [String], outcome: CompareOutcome
    ) {
        self.schemaVersion = Self.currentSchemaVersion
        self.runID = runID
        self.suite = suite
        self.a = a
        self.b = b
        self.rounds = rounds
        self.seed = seed
        self.order = outcome.order
        self.isWorkTreeDirty = isWorkTreeDirty
        self.dirtyFiles = dirtyFiles
        self.onlyInA = outcome.onlyInA
        self.onlyInB = outcome.onlyInB
        func failures(_ results: ResultsFile) -> [String] {
            results.benchmarks.filter { $0.status != .passed }
                .map { "\($0.name): \($0.status.rawValue)\($0.error.map { " (\($0))" } ?? "")" }
        }
        self.failedInA = failures(outcome.resultsA)
        self.failedInB = failures(outcome.resultsB)
        self.outcome = outcome.gateReport.outcome
        self.exitCode = outcome.gateReport.exitCode
        self.gate = outcome.gateReport
    }

    /// The Markdown report, in the gate report's shape: the verdict and one sentence first, then the sides and
    /// method, only the changes (B/A ratio, interval, limit, lane), the benchmarks failed or on one side only,
    /// and the unchanged benchmarks and the round order collapsed. The JSON keeps every comparison.
    /// Complexity: O(comparisons log comparisons).
    public var markdown: String {
        let formatter = MarkdownReportFormatter()
        let short = { (side: Side) in String(side.commit.prefix(12)) }
        var lines: [String] = []
        lines.append("## \(MarkdownReportFormatter.marker(outcome)) sluice-bench compare: \(outcome.title)")
        lines.append("")
        lines.append(ReportHeadline.sentence(gate))
        lines.append("")
        lines.append("**A** = `\(a.revision)` (`\(short(a))`) → **B** = `\(b.revision)` (`\(short(b))`). "
            + "Suite `\(suite)`, \(rounds) pairs of fresh worker processes (A and B) per gated benchmark and look, "
            + "each pair in seeded random order (seed \(seed)). "
            + "Exit code \(exitCode).")
        if isWorkTreeDirty {
            lines.append("")
            lines.append("> [!WARNING]")
            lines.append("> The work tree had uncommitted changes (`--allow-dirty`): "
                + dirtyFiles.prefix(10).map { "`\($0)`" }.joined(separator: ", ")
                + (dirtyFiles.count > 10 ? " and \(dirtyFiles.count - 10) more" : "")
                + ". Both builds come from the commits, so these changes are in neither.")
        }
        // Failed and one-sided benchmarks come before the collapsed unchanged table, as in the gate's report.
        var sections: [String] = []
        if !failedInA.isEmpty || !failedInB.isEmpty {
            sections.append("")
            sections.append("### Failed or skipped")
            sections.append("")
            for (side, failures) in [("A", failedInA), ("B", failedInB)] {
                for failure in failures { sections.append("- on \(side): `\(MarkdownReportFormatter.escape(failure))`") }
            }
        }
        if !onlyInA.isEmpty || !onlyInB.isEmpty {
            sections.append("")
            sections.append("### On one side only (not compared)")
            sections.append("")
            for name in onlyInA where !onlyInB.contains(name) { sections.append("- `\(name)`: only in A") }
            for name in onlyInB where !onlyInA.contains(name) { sections.append("- `\(name)`: only in B") }
            for name in onlyInA where onlyInB.contains(name) { sections.append("- `\(name)`: in neither build") }
        }
        lines += formatter.body(gate, labels: .compare, listsBenchmarkChanges: false, benchmarkSections: sections)
        if !order.isEmpty {
            lines.append("")
            lines.append("<details><summary>Round order</summary>")
            lines.append("")
            for name in order.keys.sorted() { lines.append("- `\(name)`: \(order[name] ?? "")") }
            lines.append("")
            lines.append("</details>")
        }
        lines.append("")
        lines.append("<sub>Each round runs A and B back to back on the same machine, in an order drawn from the seed, so "
            + "drift hits both alike. Verdicts follow the gate: \(gate.method.timingStatistic), "
            + "\(ReportNumberFormat.percent(gate.method.confidence)) confidence; allocations compared exactly. "
            + "Thresholds: \(gate.method.thresholdsSource). Every comparison is in the JSON report.</sub>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON report: sorted keys, pretty-printed.
    public func json() throws(HarnessError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw HarnessError(.badInput, "cannot encode the compare report: \(error)")
        }
    }
}
