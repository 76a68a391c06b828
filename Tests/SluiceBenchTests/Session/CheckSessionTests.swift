import Foundation
import SluiceBench
import Synchronization
import Testing

/// `CheckSession` in process: a suite file, a baseline and a results file on disk, judged as `sluice-bench check
/// --results` judges them.
@Suite struct CheckSessionTests {
    static let suite = """
        {"schemaVersion": 1, "name": "t", "tier": "micro",
         "settings": {"maxWarmupSeconds": 0.1, "minRounds": 6, "maxRounds": 6, "minRoundSeconds": 0.01, "processes": 1},
         "metrics": ["wall_time", "allocations"],
         "benchmarks": [{"name": "selftest/spin"}, {"name": "selftest/allocations"}],
         "thresholds": [
           {"benchmark": "*", "metric": "wall_time", "percentile": "p50", "relative": 0.10},
           {"benchmark": "*", "metric": "allocations", "percentile": "p50", "relative": 0.15, "absolute": 0}]}
        """

    /// A results file of suite `t`: spin's wall time scaled by `slowdown` (six worker processes), `allocations`
    /// per operation.
    static func results(runID: String, slowdown: Double = 1, allocations: Double = 500_000) -> ResultsFile {
        let wall = [1000.0, 1010, 990, 1005, 995, 1002].map { $0 * slowdown }
        return GateFixtures.results(runID: runID, suite: "t", [
            GateFixtures.benchmark("selftest/spin", [GateFixtures.timing(.wallTime, wall)]),
            GateFixtures.benchmark("selftest/allocations", [GateFixtures.exact(.allocations, allocations, rounds: 2)]),
        ])
    }

    /// A workspace with `suites/t.json`, `baseline.json` and `results.json` (the candidate), and its layout.
    struct Workspace {
        let directory: URL
        let layout: HarnessLayout

        init(candidate: ResultsFile, reportsDirectory: String? = nil) throws {
            directory = try GateFixtures.temporaryDirectory()
            let suites = directory.appendingPathComponent("suites")
            try FileManager.default.createDirectory(at: suites, withIntermediateDirectories: true)
            try Data(CheckSessionTests.suite.utf8).write(to: suites.appendingPathComponent("t.json"))
            try CheckSessionTests.results(runID: "base").write(to: directory.appendingPathComponent("baseline.json"))
            try candidate.write(to: directory.appendingPathComponent("results.json"))
            layout = HarnessLayout(root: directory, suitesDirectory: suites.path, reportsDirectory: reportsDirectory)
        }

        /// `check --suite t --results results.json [--baseline baseline.json]`.
        func request(withBaseline: Bool = true) -> CheckSession.Request {
            var request = CheckSession.Request(today: "2026-11-29")
            request.suiteName = "t"
            request.resultsFile = directory.appendingPathComponent("results.json")
            request.baselineFile = withBaseline ? directory.appendingPathComponent("baseline.json") : nil
            return request
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    @Test(arguments: [
        (1.0, 500_000.0, HarnessExitCode.pass, GateOutcome.pass),
        (1.3, 500_000.0, .performanceRegression, .performanceRegression),
        (1.0, 500_001.0, .performanceRegression, .performanceRegression),
        (0.8, 499_999.0, .pass, .pass),
    ])
    func verdictAndExitCode(slowdown: Double, allocations: Double, code: HarnessExitCode, outcome: GateOutcome)
        async throws
    {
        let workspace = try Workspace(
            candidate: Self.results(runID: "candidate", slowdown: slowdown, allocations: allocations))
        defer { workspace.remove() }
        let result = try await CheckSession(request: workspace.request(), layout: workspace.layout).run()
        #expect(result.exitCode == code)
        #expect(result.report.outcome == outcome)
        #expect(result.report.exitCode == Int(code.rawValue))
        // Given results are not re-written; the reports go to <root>/reports.
        #expect(result.resultsFiles.isEmpty)
        let files = try #require(result.files)
        let reports = workspace.directory.appendingPathComponent("reports")
        #expect(files.markdown.deletingLastPathComponent().path == reports.path)
        #expect(FileManager.default.fileExists(atPath: files.markdown.path))
        #expect(FileManager.default.fileExists(atPath: files.json.path))
    }

    @Test func aRegressionFailsWithItsBenchmarkNamed() async throws {
        let workspace = try Workspace(candidate: Self.results(runID: "candidate", slowdown: 1.5), reportsDirectory: "-")
        defer { workspace.remove() }
        let result = try await CheckSession(request: workspace.request(), layout: workspace.layout).run()
        #expect(result.exitCode == .performanceRegression)
        #expect(result.files == nil, "--reports-dir - writes no reports")
        let markdown = MarkdownReportFormatter().format(result.report)
        #expect(markdown.contains("selftest/spin"))
        #expect(!FileManager.default.fileExists(atPath: workspace.directory.appendingPathComponent("reports").path))
    }

    @Test func aMissingStoredBaselineIsExitFour() async throws {
        let workspace = try Workspace(candidate: Self.results(runID: "candidate"))
        defer { workspace.remove() }
        let error = await #expect(throws: HarnessError.self) {
            _ = try await CheckSession(request: workspace.request(withBaseline: false), layout: workspace.layout).run()
        }
        #expect(error.map { HarnessExitCode(error: $0) } == .missingBaseline)
    }

    @Test func theStoredBaselineOfTheCandidatesEnvironmentIsUsed() async throws {
        let workspace = try Workspace(candidate: Self.results(runID: "candidate", slowdown: 1.3))
        defer { workspace.remove() }
        _ = try workspace.layout.baselineStore.update(suite: "t", with: [Self.results(runID: "base")])
        let result = try await CheckSession(request: workspace.request(withBaseline: false), layout: workspace.layout)
            .run()
        #expect(result.exitCode == .performanceRegression)
    }

    @Test func resultsOfAnotherSuiteAreBadInput() async throws {
        var other = Self.results(runID: "candidate")
        other.suite = "pr"
        let workspace = try Workspace(candidate: other)
        defer { workspace.remove() }
        let error = await #expect(throws: HarnessError.self) {
            _ = try await CheckSession(request: workspace.request(), layout: workspace.layout).run()
        }
        #expect(error.map { HarnessExitCode(error: $0) } == .badInput)
    }

    @Test func aMeasuredRunWritesItsResultsAndJoinsTheHistory() async throws {
        let workspace = try Workspace(candidate: Self.results(runID: "unused"))
        defer { workspace.remove() }
        var request = workspace.request()
        request.resultsFile = nil
        request.isolation = .inProcess
        // The synthetic baseline comes from another machine.
        request.allowsIncomparableEnvironments = true
        let lines = Mutex<[String]>([])
        let result = try await CheckSession(request: request, layout: workspace.layout).run { line in
            lines.withLock { $0.append(line) }
        }
        let verdicts: [HarnessExitCode] = [.pass, .performanceRegression, .inconclusive]
        #expect(verdicts.contains(result.exitCode), "a verdict, whatever the noise")
        let resultsFile = try #require(result.resultsFiles.first)
        let reports = workspace.directory.appendingPathComponent("reports")
        #expect(resultsFile.deletingLastPathComponent().path == reports.path)
        #expect(FileManager.default.fileExists(atPath: resultsFile.path))
        let history = workspace.directory.appendingPathComponent("reports/history")
        let files = try FileManager.default.contentsOfDirectory(atPath: history.path).filter { $0.hasSuffix(".jsonl") }
        #expect(files.count == 1)
        #expect(lines.withLock { $0 }.contains { $0.hasPrefix("history: appended to") })
        #expect(lines.withLock { $0 }.contains("results: \(resultsFile.path)"))
    }
}
