import Foundation
import Testing

/// Runs the built `sluice-bench` and checks exit codes, stdout and stderr.
@Suite struct SluiceBenchCLITests {
    static let tinySettings = """
        {"maxWarmupSeconds": 0.01, "minRounds": 2, "maxRounds": 2, "minRoundSeconds": 0.005, "processes": 1}
        """

    /// A temporary folder holding `suites/<name>.json` for each suite given.
    func workspace(_ suites: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-bench-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("suites"), withIntermediateDirectories: true)
        for (name, text) in suites {
            try Data(text.utf8).write(to: directory.appendingPathComponent("suites/\(name).json"))
        }
        return directory
    }

    static func suite(_ name: String, benchmarks: String, settings: String = tinySettings,
                      metrics: String = #"["wall_time", "throughput_items", "allocations", "allocated_bytes"]"#) -> String {
        """
        {"schemaVersion": 1, "name": "\(name)", "tier": "micro", "settings": \(settings),
         "metrics": \(metrics), "benchmarks": \(benchmarks)}
        """
    }

    static let tiny = suite(
        "tiny", benchmarks: #"[{"name": "selftest/spin", "parameters": {"work": 200}}, {"name": "selftest/allocations", "parameters": {"allocations": 7, "work": 10}}]"#)

    @Test func noArgumentsPrintsUsage() throws {
        let result = try CLIRunner.run("sluice-bench", [])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: sluice-bench"))
        #expect(result.stdout.contains("run"))
        #expect(!result.stdout.contains("worker"), "the worker subcommand is hidden")
    }

    @Test func listNamesRegisteredBenchmarks() throws {
        let result = try CLIRunner.run("sluice-bench", ["list"])
        #expect(result.status == 0)
        for name in ["selftest/spin", "selftest/allocations", "micro/harness/histogram-record", "micro/foundation/twitter"] {
            #expect(result.stdout.contains(name))
        }
        let suites = try CLIRunner.run("sluice-bench", ["list", "--suites"])
        #expect(suites.status == 0)
        #expect(suites.stdout.contains("pr  [mixed]"))
    }

    @Test func runWritesResultsAndATable() throws {
        let directory = try workspace(["tiny": Self.tiny])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run("sluice-bench", ["run", "--suite", "tiny"], workingDirectory: directory)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("selftest/spin"))
        #expect(result.stdout.contains("allocs/op"))
        // Off a terminal: no progress bar, no control characters.
        #expect(!result.stderr.contains("\u{1B}") && !result.stderr.contains("\r"))
        #expect(result.stderr.contains("results: "))
        let reports = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("reports").path)
        #expect(reports.count == 1 && reports[0].hasSuffix(".results.json"), "\(reports)")
    }

    @Test func jsonFormatIsTheResultsFileWithExactAllocations() throws {
        let directory = try workspace(["tiny": Self.tiny])
        defer { try? FileManager.default.removeItem(at: directory) }
        // Not --in-process: the allocation lane runs in a worker process.
        let result = try CLIRunner.run(
            "sluice-bench", ["run", "--suite", "tiny", "--format", "json", "--out", "out/r.json"], workingDirectory: directory)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["schemaVersion"] as? Int == 1)
        #expect(object["suite"] as? String == "tiny")
        #expect(object["isPartial"] as? Bool == false)
        let saved = try Data(contentsOf: directory.appendingPathComponent("out/r.json"))
        #expect(String(decoding: saved, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            == result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let benchmarks = try #require(object["benchmarks"] as? [[String: Any]])
        let allocations = try #require(benchmarks.first { $0["name"] as? String == "selftest/allocations" })
        let metrics = try #require(allocations["metrics"] as? [[String: Any]])
        let calls = try #require(metrics.first { $0["metric"] as? String == "allocations" })
        let environment = try #require(object["environment"] as? [String: Any])
        if environment["allocator"] as? String == "jemalloc" {
            #expect((calls["summary"] as? [String: Any])?["p50"] as? Double == 7)
        } else {
            #expect(calls["unavailableReason"] is String)
        }
    }

    @Test func badSuiteIsBadInputNamingFileAndField() throws {
        let bad = Self.suite("bad", benchmarks: #"[{"name": "selftest/spin", "settings": {"minRounds": "five"}}]"#)
        let directory = try workspace(["bad": bad])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run("sluice-bench", ["run", "--suite", "bad"], workingDirectory: directory)
        #expect(result.status == 6)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains(#"suites/bad.json: benchmarks[0].settings.minRounds: expected an integer, found "five""#))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("reports").path))
    }

    @Test func unknownBenchmarkIsBadInputWithCloseMatches() throws {
        let directory = try workspace(["typo": Self.suite("typo", benchmarks: #"[{"name": "selftest/spn"}]"#)])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run("sluice-bench", ["run", "--suite", "typo"], workingDirectory: directory)
        #expect(result.status == 6)
        #expect(result.stderr.contains("close matches: selftest/spin"))
    }

    @Test(arguments: [["run"], ["run", "--suite", "pr", "--shard", "3/2"], ["run", "--suite", "pr", "--filter", "("],
                      ["run", "--suite", "pr", "--format", "yaml"], ["run", "--suite", "no-such-suite"]])
    func badArgumentsAreBadInput(arguments: [String]) throws {
        let result = try CLIRunner.run("sluice-bench", arguments)
        #expect(result.status == 6, "stderr: \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func wrongOutputIsAFunctionalFailure() throws {
        let failing = Self.suite(
            "failing", benchmarks: #"[{"name": "selftest/spin", "parameters": {"work": 100, "wrongOutput": true}}]"#)
        let directory = try workspace(["failing": failing])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run("sluice-bench", ["run", "--suite", "failing", "--in-process"], workingDirectory: directory)
        #expect(result.status == 2)
        #expect(result.stdout.contains("FAILED"))
        #expect(result.stderr.contains("functional failure: selftest/spin: output check failed"))
    }

    @Test func workerSpeaksTheProtocolOnStdin() throws {
        let input = """
            {"protocol": 1, "op": "hello", "id": "h"}
            {"protocol": 1, "op": "run", "id": "r", "benchmark": "selftest/spin", "parameters": {"work": 50}, "lane": "timing", "metrics": ["wall_time"], "settings": \(Self.tinySettings)}
            {"protocol": 1, "op": "exit"}

            """
        let result = try CLIRunner.run("sluice-bench", ["worker"], stdin: Data(input.utf8))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let events = try result.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["event"] as? String
        }
        #expect(events == ["hello", "round", "round", "result", "bye"])
    }
}
