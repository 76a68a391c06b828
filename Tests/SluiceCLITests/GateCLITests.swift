import Foundation
import SluiceTestKit
import Testing

/// Crafted suite, results and baseline files for running the built `sluice-bench` against.
struct GateWorkspace {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-gate-cli-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("suites"), withIntermediateDirectories: true)
        try write("suites/t.json", Self.suite())
    }

    static let environmentKey = "x86_64-2c-8g-swift6.3.1-release-jemalloc"

    static func suite(extra: String = "") -> String {
        """
        {"schemaVersion": 1, "name": "t", "tier": "micro",
         "settings": {"maxWarmupSeconds": 0.1, "minRounds": 6, "maxRounds": 6, "minRoundSeconds": 0.01, "processes": 1},
         "metrics": ["wall_time", "allocations"],
         "benchmarks": [{"name": "selftest/spin"}, {"name": "selftest/allocations"}],
         "thresholds": [
           {"benchmark": "*", "metric": "wall_time", "percentile": "p50", "relative": 0.10},
           {"benchmark": "*", "metric": "allocations", "percentile": "p50", "relative": 0.15, "absolute": 0}]
         \(extra)}
        """
    }

    static func environment(allocator: String) -> [String: Any] {
        [
            "toolchain": "Swift version 6.3.1 (swift-6.3.1-RELEASE)", "buildConfiguration": "release",
            "commit": "abc", "isDirty": false, "cpuModel": "Test CPU", "coreCount": 2, "kernel": "6.1",
            "allocator": allocator, "allocatorVersion": "5.3.0", "harnessVersion": "0.1.0", "schemaVersion": 1,
            "machineClass": "x86_64-2c-8g",
        ]
    }

    static func metric(_ name: String, unit: String, exact: Bool, _ rounds: [Double]) -> [String: Any] {
        let sorted = rounds.sorted()
        let median = sorted[sorted.count / 2]
        var object: [String: Any] = [
            "metric": name, "unit": unit, "direction": "lower", "isExact": exact, "isGateable": true,
            "sampleCount": rounds.count,
            "summary": [
                "min": sorted[0], "p25": median, "p50": median, "p75": median, "p90": median, "p99": sorted.last!,
                "p999": sorted.last!, "max": sorted.last!, "mean": median, "standardDeviation": 0,
            ],
            "roundValues": rounds,
        ]
        // Each value stands for one worker process, as the gate's timing lane needs.
        if !exact { object["processValues"] = ["p50": rounds] }
        return object
    }

    /// A results file: spin's wall time scaled by `slowdown`, `allocations` per operation.
    static func results(
        runID: String, slowdown: Double = 1, allocations: Double = 500_000, spinStatus: String = "passed",
        allocator: String = "jemalloc", suite: String = "t", schemaVersion: Int = 1
    ) throws -> String {
        let wall = [1000.0, 1010, 990, 1005, 995, 1002].map { $0 * slowdown }
        let object: [String: Any] = [
            "schemaVersion": schemaVersion, "runID": runID, "suite": suite, "startedAt": "2026-11-29T08:00:00Z",
            "isPartial": false, "environment": environment(allocator: allocator),
            "benchmarks": [
                [
                    "name": "selftest/spin", "status": spinStatus, "innerIterations": 1,
                    "metrics": spinStatus == "passed" ? [metric("wall_time", unit: "ns", exact: false, wall)] : [],
                ] as [String: Any],
                [
                    "name": "selftest/allocations", "status": "passed", "innerIterations": 1,
                    "metrics": [metric("allocations", unit: "allocations/op", exact: true, [allocations, allocations])],
                ],
            ],
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    func write(_ path: String, _ text: String) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ path: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(path)) }

    func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path)
    }

    func run(_ arguments: [String]) throws -> CLIResult {
        try CLIRunner.run("sluice-bench", arguments, workingDirectory: directory, environment: ["SLUICE_TODAY": "2026-11-29"])
    }

    /// `check` of results.json against baseline.json in this workspace.
    func check(_ extra: [String] = []) throws -> CLIResult {
        try run(["check", "--suite-file", "suites/t.json", "--results", "results.json", "--baseline", "baseline.json"]
            + extra)
    }
}

@Suite struct GateCLITests {
    @Test(arguments: [
        (1.0, 500_000.0, 0, "Pass"),
        (1.3, 500_000.0, 1, "Performance regression"),
        (1.0, 500_001.0, 1, "Performance regression"),
        (0.8, 499_999.0, 0, "Pass"),
    ])
    func verdictExitCodes(slowdown: Double, allocations: Double, status: Int32, title: String) throws {
        let workspace = try GateWorkspace()
        try workspace.write("baseline.json", try GateWorkspace.results(runID: "base"))
        try workspace.write("results.json", try GateWorkspace.results(
            runID: "cand", slowdown: slowdown, allocations: allocations))
        let result = try workspace.check()
        #expect(result.status == status, "stderr: \(result.stderr)")
        #expect(result.stdout.hasPrefix("## "), "stdout: \(result.stdout)")
        #expect(result.stdout.contains("sluice-bench gate: \(title)"))
        #expect(result.stderr.contains("/reports/cand.md"))
        #expect(workspace.exists("reports/cand.md") && workspace.exists("reports/cand.json"))
    }

    @Test func functionalFailureExitsTwo() throws {
        let workspace = try GateWorkspace()
        try workspace.write("baseline.json", try GateWorkspace.results(runID: "base"))
        try workspace.write("results.json", try GateWorkspace.results(runID: "cand", spinStatus: "failed"))
        let result = try workspace.check()
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("Functional Fail"))
    }

    @Test func inconclusiveExitsThree() throws {
        // Two rounds a side cannot reach 95 % confidence: a large change is inconclusive, not an alert.
        let workspace = try GateWorkspace()
        let baseline = Self.keepTwoRounds(try GateWorkspace.results(runID: "base"))
        let candidate = Self.keepTwoRounds(try GateWorkspace.results(runID: "cand", slowdown: 1.5))
        try workspace.write("baseline.json", baseline)
        try workspace.write("results.json", candidate)
        let result = try workspace.check(["--format", "json"])
        #expect(result.status == 3, "stderr: \(result.stderr)\nstdout: \(result.stdout)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["outcome"] as? String == "inconclusive")
        #expect(object?["exitCode"] as? Int == 3)
    }

    static func keepTwoRounds(_ json: String) -> String {
        guard var object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            var benchmarks = object["benchmarks"] as? [[String: Any]],
            var metrics = benchmarks[0]["metrics"] as? [[String: Any]],
            let rounds = metrics[0]["roundValues"] as? [Double]
        else { return json }
        metrics[0]["roundValues"] = Array(rounds.prefix(2))
        metrics[0]["processValues"] = ["p50": Array(rounds.prefix(2))]
        benchmarks[0]["metrics"] = metrics
        object["benchmarks"] = benchmarks
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func missingBaselineExitsFourAndSaysHowToRecordOne() throws {
        let workspace = try GateWorkspace()
        try workspace.write("results.json", try GateWorkspace.results(runID: "cand"))
        let result = try workspace.run(["check", "--suite-file", "suites/t.json", "--results", "results.json"])
        #expect(result.status == 4, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("baselines/\(GateWorkspace.environmentKey)/t.json"))
        #expect(result.stderr.contains("sluice-bench baseline update --suite t"))
        #expect(result.stdout.isEmpty)
    }

    @Test func incomparableEnvironmentExitsFiveUnlessForced() throws {
        let workspace = try GateWorkspace()
        try workspace.write("baseline.json", try GateWorkspace.results(runID: "base", allocator: "system"))
        try workspace.write("results.json", try GateWorkspace.results(runID: "cand"))
        let refused = try workspace.check()
        #expect(refused.status == 5, "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("allocator: system → jemalloc"))
        #expect(!workspace.exists("reports/cand.md"))
        let forced = try workspace.check(["--force-incomparable"])
        #expect(forced.status == 0, "stderr: \(forced.stderr)")
        #expect(forced.stdout.contains("Incomparable environments were compared"))
    }

    @Test(arguments: ["truncated", "empty", "schema", "wrongType", "otherSuite"])
    func badBaselineOrResultsExitSix(damage: String) throws {
        for target in ["baseline.json", "results.json"] {
            let workspace = try GateWorkspace()
            try workspace.write("baseline.json", try GateWorkspace.results(runID: "base"))
            try workspace.write("results.json", try GateWorkspace.results(runID: "cand"))
            let good = try GateWorkspace.results(runID: "x")
            let damaged: String =
                switch damage {
                case "truncated": String(good.prefix(good.count / 2))
                case "empty": ""
                case "schema": try GateWorkspace.results(runID: "x", schemaVersion: 7)
                case "wrongType": good.replacingOccurrences(of: "\"isPartial\" : false", with: "\"isPartial\" : 3")
                default: try GateWorkspace.results(runID: "x", suite: "nightly")
                }
            try workspace.write(target, damaged)
            let result = try workspace.check()
            #expect(result.status == 6, "\(damage) \(target): \(result.stderr)")
            #expect(result.stderr.contains(target), "\(damage) \(target): \(result.stderr)")
            #expect(!workspace.exists("reports"), "no report is written for bad input")
        }
    }

    @Test func corruptedSuiteExitsSix() throws {
        let workspace = try GateWorkspace()
        try workspace.write("baseline.json", try GateWorkspace.results(runID: "base"))
        try workspace.write("results.json", try GateWorkspace.results(runID: "cand"))
        try workspace.write("suites/t.json", String(GateWorkspace.suite().prefix(80)))
        let result = try workspace.check()
        #expect(result.status == 6, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("t.json"))
    }

    @Test func expiredWaiverExitsSix() throws {
        let workspace = try GateWorkspace()
        try workspace.write("suites/t.json", GateWorkspace.suite(extra: """
            , "waivers": [{"benchmark": "selftest/spin", "metric": "wall_time", "reason": "issue 7",
                           "expires": "2026-11-28"}]
            """))
        try workspace.write("baseline.json", try GateWorkspace.results(runID: "base"))
        try workspace.write("results.json", try GateWorkspace.results(runID: "cand"))
        let result = try workspace.check()
        #expect(result.status == 6, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("expired on 2026-11-28"))
        let lint = try workspace.run(["lint", "--suite-file", "suites/t.json"])
        #expect(lint.status == 6 && lint.stdout.contains("waivers[0]"), "\(lint.stdout)\(lint.stderr)")
    }

    @Test func baselineUpdateWritesAtomicallyAndRefusesBadInput() throws {
        let workspace = try GateWorkspace()
        try workspace.write("r1.json", try GateWorkspace.results(runID: "r1"))
        try workspace.write("r2.json", try GateWorkspace.results(runID: "r2"))
        let update = try workspace.run([
            "baseline", "update", "--suite", "t", "--suites-dir", "suites", "--from", "r1.json", "--from", "r2.json",
        ])
        let path = "baselines/\(GateWorkspace.environmentKey)/t.json"
        #expect(update.status == 0, "stderr: \(update.stderr)")
        #expect(update.stdout.contains(path))
        let before = try workspace.read(path)
        let merged = try JSONSerialization.jsonObject(with: before) as? [String: Any]
        #expect(merged?["runID"] as? String == "r1+r2")
        try workspace.write("bad.json", String(try GateWorkspace.results(runID: "bad").prefix(100)))
        let refused = try workspace.run(["baseline", "update", "--suite", "t", "--suites-dir", "suites", "--from", "bad.json"])
        #expect(refused.status == 6, "stderr: \(refused.stderr)")
        #expect(try workspace.read(path) == before)
        // The stored baseline is found by environment key.
        try workspace.write("results.json", try GateWorkspace.results(runID: "cand"))
        let check = try workspace.run(["check", "--suite-file", "suites/t.json", "--results", "results.json"])
        #expect(check.status == 0, "stderr: \(check.stderr)")
    }

    @Test func lintReportsThresholdsThatNameNothing() throws {
        let workspace = try GateWorkspace()
        try workspace.write("suites/t.json", GateWorkspace.suite().replacingOccurrences(
            of: #"{"benchmark": "*", "metric": "wall_time""#, with: #"{"benchmark": "macro/*", "metric": "wall_time""#))
        let lint = try workspace.run(["lint", "--suite-file", "suites/t.json"])
        #expect(lint.status == 6)
        #expect(lint.stdout.contains("thresholds[0].benchmark"))
        #expect(lint.stdout.contains("captures wall_time, which no threshold gates"))
    }
}

@Suite struct SelftestCLITests {
    /// The self-test's A/A case on the shipped gate path, with this build on both sides and a two-benchmark
    /// suite: the report has the case, its runs and a minimum detectable effect per gated benchmark.
    @Test func selftestRunsTheGateSessionOnAA() throws {
        let workspace = try GateWorkspace()
        let executable = CLIRunner.productsDirectory.appendingPathComponent("sluice-bench").path
        let result = try workspace.run([
            "selftest", "--suite", "t", "--suites-dir", "suites", "--runs", "1", "--no-mutations",
            "--base-executable", executable, "--processes", "3", "--rounds", "1", "--looks", "1", "--format", "json",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        let cases = try #require(report["cases"] as? [[String: Any]])
        #expect(cases.map { $0["name"] as? String } == ["A/A"])
        let runs = try #require(cases.first?["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        // The same build on both sides never raises an allocation alert: counts are exact.
        let alerts = runs.first?["alerts"] as? [String] ?? []
        #expect(!alerts.contains { $0.contains("allocations") }, "\(alerts)")
        #expect(result.stderr.contains("selftest: A/A run 1/1"))
    }

    @Test func selftestRejectsAPatchThatDoesNotExist() throws {
        let result = try GateWorkspace().run(["selftest", "--suite", "t", "--patch", "no/such.patch", "--runs", "1"])
        #expect(result.status == 6, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("no/such.patch: --patch: the mutation patch does not exist"))
    }
}
