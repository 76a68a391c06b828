import Foundation
import SluiceTestKit
import Testing

/// `sluice-bench compare` on a temporary git repository holding a tiny fake "package": its build copies a
/// Python worker that speaks the worker protocol (hello/prepare/round/finish), with a deliberate 25 % slowdown
/// in the second commit. The real package's build is far too slow for a test, so the build command and the
/// worker path are injected exactly as a user would (`--build-command`, `--worker-path`).
@Suite(.serialized) struct CompareCLITests {
    static let worker = #"""
        #!/usr/bin/env python3
        import json, random, sys
        FACTOR = @FACTOR@
        ALLOCATIONS = @ALLOCATIONS@
        BENCHMARKS = @BENCHMARKS@
        ENVIRONMENT = {"toolchain": "Swift version 6.3.1 (swift-6.3.1-RELEASE)", "buildConfiguration": "release",
            "commit": "@COMMIT@", "isDirty": False, "cpuModel": "Fake CPU", "coreCount": 2, "kernel": "6.1",
            "allocator": "jemalloc", "allocatorVersion": "5.3.0", "harnessVersion": "0.1.0", "schemaVersion": 1,
            "machineClass": "x86_64-2c-24g"}
        sessions = {}
        def send(message):
            message["protocol"] = 1
            sys.stdout.write(json.dumps(message) + "\n")
            sys.stdout.flush()
        def metric(name, unit, exact, values):
            ordered = sorted(values)
            middle = ordered[len(ordered) // 2]
            summary = {"min": ordered[0], "p25": middle, "p50": middle, "p75": middle, "p90": ordered[-1],
                "p99": ordered[-1], "p999": ordered[-1], "max": ordered[-1], "mean": sum(values) / len(values),
                "standardDeviation": 0.0}
            return {"metric": name, "unit": unit, "direction": "lower", "isExact": exact, "isGateable": True,
                "sampleCount": len(values), "summary": summary, "roundValues": values}
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            op, session = request.get("op"), request.get("id")
            if op == "hello":
                send({"event": "hello", "harnessVersion": "0.1.0", "benchmarks": sorted(BENCHMARKS),
                      "environment": ENVIRONMENT})
            elif op == "prepare":
                name = request["benchmark"]
                # Noise is seeded by the benchmark and the side's order of arrival, never by the clock.
                sessions[session] = {"name": name, "rounds": [], "random": random.Random(name + str(len(sessions)))}
                send({"event": "prepared", "id": session, "innerIterations": request.get("innerIterations") or 100})
            elif op == "round":
                state = sessions[session]
                value = BENCHMARKS[state["name"]] * FACTOR * (1 + 0.02 * (state["random"].random() - 0.5))
                state["rounds"].append(value)
                send({"event": "round", "id": session, "round": len(state["rounds"]) - 1,
                      "values": {"wall_time": value, "samples": 10, "operations": 1000}})
            elif op == "finish":
                state = sessions.pop(session)
                rounds = state["rounds"]
                send({"event": "result", "id": session, "result": {"name": state["name"], "status": "passed",
                      "innerIterations": 100, "metrics": [metric("wall_time", "ns", False, rounds)]}})
            elif op == "run" and request.get("lane") == "allocation":
                send({"event": "result", "id": session, "result": {"name": request["benchmark"], "status": "passed",
                      "innerIterations": request.get("innerIterations") or 100,
                      "metrics": [metric("allocations", "allocations/op", True, [ALLOCATIONS] * 4)]}})
            elif op == "run":
                # One fresh worker process measuring one benchmark: its own level, seeded by the request id.
                name = request["benchmark"]
                rng = random.Random(name + str(session))
                level = BENCHMARKS[name] * FACTOR * (1 + 0.02 * (rng.random() - 0.5))
                count = (request.get("settings") or {}).get("minRounds", 3)
                values = [level * (1 + 0.001 * (rng.random() - 0.5)) for _ in range(count)]
                send({"event": "result", "id": session, "result": {"name": name, "status": "passed",
                      "innerIterations": request.get("innerIterations") or 100,
                      "metrics": [metric("wall_time", "ns", False, values)]}})
            elif op == "exit":
                send({"event": "bye"})
                break
        """#

    static let suite = """
        {"schemaVersion": 1, "name": "fake", "tier": "micro",
         "settings": {"maxWarmupSeconds": 0.1, "minRounds": 4, "maxRounds": 8, "minRoundSeconds": 0.01, "processes": 1},
         "metrics": ["wall_time", "allocations"],
         "benchmarks": [{"name": "fake/sum"}, {"name": "fake/parse"}, {"name": "fake/new"}]}
        """

    /// A repository with commits `base` (factor 1), `slow` (factor 1.25, one more allocation per operation,
    /// plus a benchmark only it has) and
    /// `broken` (its build fails). Returns the repository and the three shas.
    private func makeRepository() throws -> (URL, base: String, slow: String, broken: String)? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            print("CompareCLITests: skipped: python3 is not installed (the fake worker is a Python script)")
            return nil
        }
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-compare-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let repository = root.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        func git(_ arguments: String...) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-C", repository.path, "-c", "user.name=Test", "-c", "user.email=t@example.com",
                "-c", "commit.gpgsign=false"] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: repository.appendingPathComponent(name))
        }
        func commit(factor: String, allocations: String = "3.0", benchmarks: String, build: String) throws -> String {
            try write("worker.py", Self.worker.replacingOccurrences(of: "@FACTOR@", with: factor)
                .replacingOccurrences(of: "@ALLOCATIONS@", with: allocations)
                .replacingOccurrences(of: "@BENCHMARKS@", with: benchmarks))
            try write("build.sh", build)
            _ = try git("add", "-A")
            _ = try git("commit", "-q", "-m", "factor \(factor)")
            return try git("rev-parse", "HEAD")
        }
        _ = try git("init", "-q")
        try write("suite.json", Self.suite)
        let build = """
            set -e
            mkdir -p out
            sed "s/@COMMIT@/$SLUICE_COMPARE_COMMIT/" worker.py > out/worker
            chmod +x out/worker
            """
        let base = try commit(factor: "1.0", benchmarks: "{'fake/sum': 2000.0, 'fake/parse': 800.0}", build: build)
        let slow = try commit(
            factor: "1.25", allocations: "4.0", benchmarks: "{'fake/sum': 2000.0, 'fake/parse': 800.0, 'fake/new': 50.0}", build: build)
        let broken = try commit(
            factor: "1.25", benchmarks: "{'fake/sum': 2000.0}", build: "echo 'error: deliberately broken' >&2\nexit 3\n")
        return (repository, base, slow, broken)
    }

    private func compare(_ repository: URL, _ arguments: [String]) throws -> CLIResult {
        try CLIRunner.run(
            "sluice-bench",
            ["compare"] + arguments + [
                "--suite-file", "suite.json", "--cache-dir", "../cache", "--build-command", "sh build.sh",
                "--worker-path", "out/worker", "--rounds", "8", "--seed", "11", "--out", "../report",
            ], workingDirectory: repository)
    }

    private func report(_ repository: URL) throws -> [String: Any] {
        let url = repository.deletingLastPathComponent().appendingPathComponent("report.json")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    @Test func slowdownIsDetectedAndTheSameCommitReportsNoChange() throws {
        guard let (repository, base, slow, _) = try makeRepository() else { return }
        defer { try? FileManager.default.removeItem(at: repository.deletingLastPathComponent()) }
        let regression = try compare(repository, [base, slow])
        #expect(regression.status == 1, "\(regression.stderr)")
        #expect(regression.stdout.contains("sluice-bench compare: Performance regression"))
        #expect(regression.stdout.contains("`fake/new`: only in B"))
        #expect(regression.stderr.contains("seed 11"))
        let json = try report(repository)
        #expect(json["outcome"] as? String == "performance_regression")
        #expect(json["onlyInB"] as? [String] == ["fake/new"])
        let gate = try #require(json["gate"] as? [String: Any])
        let comparisons = try #require(gate["comparisons"] as? [[String: Any]])
        let sum = try #require(comparisons.first { $0["benchmark"] as? String == "fake/sum" && $0["metric"] as? String == "wall_time" })
        #expect(sum["outcome"] as? String == "regressed")
        #expect(abs((sum["ratio"] as? Double ?? 0) - 1.25) < 0.02)
        // The exact lane: 3 → 4 allocations per operation is past the +15 % limit, with no statistics needed.
        let allocations = try #require(comparisons.first { $0["metric"] as? String == "allocations" })
        #expect(allocations["outcome"] as? String == "regressed", "\(allocations)")
        #expect(((json["order"] as? [String: String])?["fake/sum"] ?? "").split(separator: " ").count == 8)

        let same = try compare(repository, [base, base])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains("sluice-bench compare: Pass"))
        let sameJSON = try report(repository)
        let sameComparisons = try #require((sameJSON["gate"] as? [String: Any])?["comparisons"] as? [[String: Any]])
        #expect(!sameComparisons.isEmpty)
        #expect(sameComparisons.allSatisfy { ["unchanged", "not_gated"].contains($0["outcome"] as? String ?? "") },
            "\(sameComparisons)")
        #expect((sameJSON["a"] as? [String: Any])?["buildWasCached"] as? Bool == true, "the base build is reused")
    }

    @Test func refusalsGiveNoVerdict() throws {
        guard let (repository, base, slow, broken) = try makeRepository() else { return }
        defer { try? FileManager.default.removeItem(at: repository.deletingLastPathComponent()) }
        let unknown = try compare(repository, [base, "no-such-branch"])
        #expect(unknown.status == 6)
        #expect(unknown.stderr.contains("revision B: \"no-such-branch\" does not name a commit"), "\(unknown.stderr)")
        #expect(unknown.stdout.isEmpty)

        let failing = try compare(repository, [base, broken])
        #expect(failing.status == 7)
        #expect(failing.stderr.contains("revision B: building \(broken.prefix(12)) failed (exit 3)"), "\(failing.stderr)")
        #expect(failing.stderr.contains("deliberately broken"))
        #expect(failing.stdout.isEmpty)

        try Data("changed\n".utf8).write(to: repository.appendingPathComponent("build.sh"), options: .atomic)
        let dirty = try compare(repository, [base, slow])
        #expect(dirty.status == 6)
        #expect(dirty.stderr.contains("uncommitted changes (build.sh)"), "\(dirty.stderr)")
        let allowed = try compare(repository, [base, slow, "--allow-dirty"])
        #expect(allowed.status == 1, "\(allowed.stderr)")
        #expect(allowed.stdout.contains("uncommitted changes (`--allow-dirty`): `build.sh`"))
        #expect(try report(repository)["isWorkTreeDirty"] as? Bool == true)
    }

    /// `compare` reads its suite with the same strict reader as `run` and `gate`: a misspelled field is bad input
    /// (exit 6) naming the file and the field, before anything is built.
    @Test func aMisspelledSuiteFieldIsBadInputNamingFileAndField() throws {
        guard let (repository, base, slow, _) = try makeRepository() else { return }
        defer { try? FileManager.default.removeItem(at: repository.deletingLastPathComponent()) }
        let misspelled = repository.deletingLastPathComponent().appendingPathComponent("misspelled.json")
        try Data(Self.suite.replacingOccurrences(of: "\"metrics\": [", with: "\"thresholdz\": [], \"metrics\": [")
            .utf8).write(to: misspelled)
        let result = try CLIRunner.run(
            "sluice-bench",
            ["compare", base, slow, "--suite-file", misspelled.path, "--cache-dir", "../cache", "--build-command",
             "sh build.sh", "--worker-path", "out/worker", "--out", "../report"],
            workingDirectory: repository)
        #expect(result.status == 6, "\(result.stderr)")
        #expect(result.stderr.contains("misspelled.json: thresholdz: unknown field"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(
            atPath: repository.deletingLastPathComponent().appendingPathComponent("cache").path), "nothing was built")
    }
}
