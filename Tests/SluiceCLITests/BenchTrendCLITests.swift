import Foundation
import SluiceTestKit
import Testing

/// End to end through the built binary: run --shard, merge, trend, export.
@Suite(.serialized) struct BenchTrendCLITests {
    static let tinySuite = """
        {
          "schemaVersion": 1, "name": "tiny", "tier": "micro",
          "settings": {"maxWarmupSeconds": 0.02, "minRounds": 3, "maxRounds": 3, "minRoundSeconds": 0.01, "processes": 1},
          "metrics": ["wall_time", "throughput_items", "allocations"],
          "benchmarks": [
            {"name": "selftest/spin", "parameters": {"work": 2000}},
            {"name": "selftest/allocations", "parameters": {"allocations": 2}},
            {"name": "micro/harness/histogram-record"}
          ]
        }
        """

    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-bench-trend-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data(Self.tinySuite.utf8).write(to: url.appendingPathComponent("tiny.json"))
        return url
    }

    private func bench(_ arguments: [String], in directory: URL) throws -> CLIResult {
        try CLIRunner.run("sluice-bench", arguments, workingDirectory: directory)
    }

    private func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// name → (status, metric names, exact allocation p50)
    private func shape(_ results: [String: Any]) throws -> [String: String] {
        let benchmarks = try #require(results["benchmarks"] as? [[String: Any]])
        var shape: [String: String] = [:]
        for benchmark in benchmarks {
            let metrics = (benchmark["metrics"] as? [[String: Any]] ?? [])
            let names = metrics.compactMap { $0["metric"] as? String }.sorted()
            let allocations = metrics.first { $0["metric"] as? String == "allocations" }
            let exact = (allocations?["summary"] as? [String: Any])?["p50"].map { "\($0)" } ?? "unavailable"
            shape[benchmark["name"] as? String ?? "?"] = "\(benchmark["status"] ?? "?") \(names) \(exact)"
        }
        return shape
    }

    @Test func shardsMergeIntoTheUnshardedRun() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        for shard in ["1/2", "2/2"] {
            let result = try bench(
                ["run", "--suite-file", "tiny.json", "--shard", shard, "--in-process", "--out", "shard-\(shard.first!).json"],
                in: directory)
            #expect(result.status == 0, "run --shard \(shard): \(result.stderr)")
        }
        let whole = try bench(["run", "--suite-file", "tiny.json", "--in-process", "--out", "whole.json"], in: directory)
        #expect(whole.status == 0, "\(whole.stderr)")
        let merged = try bench(["merge", "shard-2.json", "shard-1.json", "--out", "merged.json"], in: directory)
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("3 benchmark(s) from 2 file(s), complete"))
        let mergedFile = try json(directory.appendingPathComponent("merged.json"))
        let wholeFile = try json(directory.appendingPathComponent("whole.json"))
        #expect(mergedFile["isPartial"] as? Bool == false)
        #expect(mergedFile["shard"] == nil)
        #expect(try shape(mergedFile) == shape(wholeFile))
        let environment = { (file: [String: Any]) in
            (file["environment"] as? [String: Any]).map { NSDictionary(dictionary: $0) }
        }
        #expect(environment(mergedFile) == environment(wholeFile))

        // The same shard twice merges its repeated runs; a benchmark in two different shards is refused.
        var duplicated = try json(directory.appendingPathComponent("shard-1.json"))
        duplicated["shard"] = "2/2"
        duplicated["runID"] = "another-run"
        try JSONSerialization.data(withJSONObject: duplicated).write(to: directory.appendingPathComponent("fake-2.json"))
        let duplicate = try bench(["merge", "shard-1.json", "fake-2.json", "--out", "bad.json"], in: directory)
        #expect(duplicate.status == 6)
        #expect(duplicate.stderr.contains("is in shard 1/2 and shard 2/2"), "\(duplicate.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad.json").path))
        // One run given twice would count its rounds twice: refused.
        let twice = try bench(["merge", "shard-1.json", "shard-1.json", "shard-2.json", "--out", "bad.json"], in: directory)
        #expect(twice.status == 6 && twice.stderr.contains("is given twice"), "\(twice.stderr)")

        var otherMachine = try json(directory.appendingPathComponent("shard-2.json"))
        var fingerprint = try #require(otherMachine["environment"] as? [String: Any])
        fingerprint["kernel"] = "0.0.0-elsewhere"
        otherMachine["environment"] = fingerprint
        try JSONSerialization.data(withJSONObject: otherMachine).write(to: directory.appendingPathComponent("other-2.json"))
        let mismatch = try bench(["merge", "shard-1.json", "other-2.json", "--out", "bad.json"], in: directory)
        #expect(mismatch.status == 5)
        #expect(mismatch.stderr.contains("kernel"), "\(mismatch.stderr)")

        // Trend takes the merged file; export takes it too.
        let trend = try bench(["trend", "--append", "merged.json", "--history-dir", "history", "--out", "trend"], in: directory)
        #expect(trend.status == 0, "\(trend.stderr)")
        #expect(trend.stderr.contains("appended run"))
        let page = try String(contentsOf: directory.appendingPathComponent("trend/index.html"), encoding: .utf8)
        #expect(page.contains("selftest/spin"))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("trend/README.md").path))
        let openMetrics = try bench(["export", "--format", "openmetrics", "merged.json"], in: directory)
        #expect(openMetrics.status == 0 && openMetrics.stdout.hasSuffix("# EOF\n"))
        #expect(openMetrics.stdout.contains("# TYPE sluice_bench_wall_time_seconds summary"))
        let gab = try bench(
            ["export", "--format", "github-action-benchmark", "--direction", "smaller", "merged.json"], in: directory)
        #expect(gab.status == 0, "\(gab.stderr)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(gab.stdout.utf8)) as? [[String: Any]])
        #expect(entries.contains { $0["name"] as? String == "selftest/spin wall_time" })
    }

    @Test func checkRunsJoinTheHistory() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = try bench(["run", "--suite-file", "tiny.json", "--in-process", "--out", "base.json"], in: directory)
        #expect(baseline.status == 0, "\(baseline.stderr)")
        let check = try bench(
            ["check", "--suite-file", "tiny.json", "--baseline", "base.json", "--in-process", "--reports-dir", "out"],
            in: directory)
        #expect([0, 1, 3].contains(check.status), "a verdict, whatever the noise: \(check.stderr)")
        #expect(check.stderr.contains("history: appended to"), "\(check.stderr)")
        let history = directory.appendingPathComponent("out/history")
        let files = try FileManager.default.contentsOfDirectory(atPath: history.path).filter { $0.hasSuffix(".jsonl") }
        #expect(files.count == 1)
        let lines = try String(contentsOf: history.appendingPathComponent(files[0]), encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("\"suite\":\"tiny\"") == true)
    }

    @Test func damagedHistoryAndBadInputsExitWithBadInput() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let history = directory.appendingPathComponent("history")
        try FileManager.default.createDirectory(at: history, withIntermediateDirectories: true)
        try Data("{\"schemaVersion\":1,\"runID\":\"truncated".utf8).write(to: history.appendingPathComponent("env.jsonl"))
        let trend = try bench(["trend", "--history-dir", "history", "--out", "trend"], in: directory)
        #expect(trend.status == 6)
        #expect(trend.stderr.contains("env.jsonl: line 1: "), "\(trend.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("trend/index.html").path))

        let missing = try bench(["export", "--format", "openmetrics", "nothing.json"], in: directory)
        #expect(missing.status == 6)
        #expect(missing.stderr.contains("nothing.json"))
        let usage = try bench(["export", "--format", "github-action-benchmark", "x.json"], in: directory)
        #expect(usage.status == 6)
        #expect(usage.stderr.contains("--out DIR"))
        let notShard = try bench(["merge", "tiny.json", "--out", "m.json"], in: directory)
        #expect(notShard.status == 6)
    }

    /// Every command maps its errors through the one mapper (`HarnessExitCode(error:)`): a representative error
    /// of each gives the code of its kind, with the file (and field) named on stderr.
    @Test func everyCommandMapsErrorsThroughTheOneMapper() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try bench(["run", "--suite-file", "tiny.json", "--in-process", "--out", "r.json"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        var object = try json(directory.appendingPathComponent("r.json"))
        // A file the commands cannot write to: a regular file where a folder is needed.
        try Data("x".utf8).write(to: directory.appendingPathComponent("blocked"))

        // Write failures are harness errors (7), not bad input.
        let trend = try bench(["trend", "--append", "r.json", "--history-dir", "history", "--out", "blocked/trend"], in: directory)
        #expect(trend.status == 7, "\(trend.stderr)")
        #expect(trend.stderr.contains("blocked"))
        let export = try bench(["export", "--format", "openmetrics", "r.json", "--out", "blocked/r.prom"], in: directory)
        #expect(export.status == 7, "\(export.stderr)")

        // Two shards measured on different machines: incomparable environments (5).
        object["isPartial"] = true
        object["shard"] = "1/2"
        try JSONSerialization.data(withJSONObject: object).write(to: directory.appendingPathComponent("s1.json"))
        var environment = try #require(object["environment"] as? [String: Any])
        environment["cpuModel"] = "Another CPU"
        object["environment"] = environment
        object["shard"] = "2/2"
        object["benchmarks"] = []
        try JSONSerialization.data(withJSONObject: object).write(to: directory.appendingPathComponent("s2.json"))
        let merge = try bench(["merge", "s1.json", "s2.json", "--out", "m.json"], in: directory)
        #expect(merge.status == 5, "\(merge.stderr)")

        // An unknown field in a results file: bad input (6) naming the file and the field, for every reader.
        object["shard"] = nil
        object["isPartial"] = false
        object["unexpected"] = 1
        try JSONSerialization.data(withJSONObject: object).write(to: directory.appendingPathComponent("bad.json"))
        for arguments in [
            ["figures", "--results", "bad.json"], ["export", "--format", "openmetrics", "bad.json"],
            ["trend", "--append", "bad.json", "--append-only", "--history-dir", "history"],
            ["merge", "bad.json", "--out", "m.json"],
            ["baseline", "update", "--suite", "tiny", "--suites-dir", ".", "--baselines-dir", "b", "--from", "bad.json"],
        ] {
            let result = try bench(arguments, in: directory)
            #expect(result.status == 6, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("bad.json: unexpected: unknown field"), "\(arguments): \(result.stderr)")
        }
        let list = try bench(["list", "--suite", "no-such-suite", "--suites-dir", "."], in: directory)
        #expect(list.status == 6, "\(list.stderr)")
        #expect(list.stderr.contains("no suite \"no-such-suite\""), "\(list.stderr)")
    }
}
