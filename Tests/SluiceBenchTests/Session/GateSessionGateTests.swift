import Foundation
import Synchronization
@testable import SluiceBench
import Testing

/// `GateSession.gate(_:layout:measurers:)` in process: the whole gate as `ci/pr-gate` runs it (base found and
/// built, both sides measured, reports written where the layout says), with a measurer that answers in process.
@Suite struct GateSessionGateTests {
    static func request() -> GateRequest {
        var request = GateRequest(candidateExecutable: URL(fileURLWithPath: "/candidate/sluice-bench"), today: "2026-12-06")
        request.suiteName = "t"
        request.processesPerSide = 6
        request.maxLooks = 2
        request.seed = 5
        request.buildCommand = SessionRepository.buildCommand
        request.workerPath = SessionRepository.workerPath
        return request
    }

    @Test func theParentCommitIsTheBaseAndTheReportsGoToTheLayout() async throws {
        let repository = try SessionRepository()
        defer { repository.remove() }
        let layout = repository.layout(reports: "out/reports")
        let factory = RecordingMeasurerFactory(SyntheticMeasurer(benchmarks: SessionRepository.benchmarks))
        let result = try await GateSession.gate(Self.request(), layout: layout, measurers: factory)

        // The base: HEAD~1 by the parent-commit rule, built in the layout's cache from its tree.
        let base = try #require(result.report.session?.base)
        #expect(base.commit == repository.first)
        #expect(base.rule == .parentCommit)
        let executables = try #require(factory.executables.first)
        #expect(executables.base.path.hasPrefix(layout.buildCacheDirectory.path + "/"))
        #expect(executables.base.path.hasSuffix("/src/" + SessionRepository.workerPath))
        #expect(FileManager.default.isExecutableFile(atPath: executables.base.path))
        #expect(executables.candidate.path == "/candidate/sluice-bench")

        // A pass, with both reports, both results files and the history under the layout's reports folder.
        #expect(result.exitCode == .pass, "\(result.report.comparisons.map { "\($0.benchmark) \($0.note ?? "")" })")
        let reports = try #require(layout.reportsDirectory)
        #expect(reports.path == repository.directory.appendingPathComponent("out/reports").path)
        let files = try #require(result.files)
        #expect(files.markdown.path == reports.appendingPathComponent("\(result.report.runID).md").path)
        #expect(files.json.path == reports.appendingPathComponent("\(result.report.runID).json").path)
        #expect(result.resultsFiles.map(\.lastPathComponent).sorted()
            == ["\(result.report.runID)-base.results.json", "\(result.report.runID).results.json"])
        for file in [files.markdown, files.json] + result.resultsFiles {
            #expect(FileManager.default.fileExists(atPath: file.path), "\(file.path)")
        }
        // What was written reads back through the one strict reader.
        let candidate = try ResultsFile.load(from: reports.appendingPathComponent("\(result.report.runID).results.json"))
        #expect(candidate.benchmarks.map(\.name) == SessionRepository.benchmarks)
        let history = try #require(layout.historyDirectory)
        #expect(TrendPublisher.historyFiles(in: history).count == 1)
    }

    @Test func noReportsDirectoryWritesNothing() async throws {
        let repository = try SessionRepository()
        defer { repository.remove() }
        let layout = repository.layout(reports: "-")
        var measurer = SyntheticMeasurer(benchmarks: SessionRepository.benchmarks)
        measurer.slowdown = ["selftest/spin": 1.4]
        let result = try await GateSession.gate(
            Self.request(), layout: layout, measurers: RecordingMeasurerFactory(measurer))
        #expect(result.exitCode == .performanceRegression)
        #expect(result.report.comparisons(raising: .performanceAlert).map(\.benchmark) == ["selftest/spin"])
        #expect(result.files == nil && result.resultsFiles.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: repository.directory.appendingPathComponent("reports").path))
    }

    /// A base build of several minutes shows how it is getting on: its first `[n/m]` step at once (then at most one
    /// every 30 s), the output of the build streamed as it comes, and the whole output still in the build log.
    @Test func theBaseBuildsStepsShowInTheProgress() async throws {
        let repository = try SessionRepository()
        defer { repository.remove() }
        var request = Self.request()
        request.buildCommand = "printf 'Building for production...\\n[1/3] Compiling A a.swift\\n[2/3] Compiling B b.swift\\n' && "
            + SessionRepository.buildCommand + " && printf '[3/3] Linking worker'"
        let lines = Mutex<[String]>([])
        _ = try await GateSession.gate(
            request, layout: repository.layout(reports: "-"),
            measurers: RecordingMeasurerFactory(SyntheticMeasurer(benchmarks: SessionRepository.benchmarks)),
            log: { line in lines.withLock { $0.append(line) } })
        let building = lines.withLock { $0 }.filter { $0.hasPrefix("gate: building the base: ") }
        #expect(building.count == 1, "\(lines.withLock { $0 })")
        #expect(building.first?.wholeMatch(of: /gate: building the base: \[1\/3\] Compiling A a\.swift \(\d+s so far\)/) != nil,
                "\(building)")
        // The build log still holds all of it, the last line (no newline) included.
        let cache = repository.layout(reports: "-").buildCacheDirectory
        let folders = try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { !$0.hasSuffix(".lock") }
        let buildLog = try String(
            contentsOf: cache.appendingPathComponent(try #require(folders.first)).appendingPathComponent("build.log"),
            encoding: .utf8)
        #expect(buildLog.contains("[2/3] Compiling B b.swift\n") && buildLog.hasSuffix("[3/3] Linking worker"), "\(buildLog)")
    }

    @Test func aFailingBuildOfTheBaseIsABuildFailureNamingTheSide() async throws {
        let repository = try SessionRepository()
        defer { repository.remove() }
        var request = Self.request()
        request.buildCommand = "echo 'error: deliberately broken' >&2; exit 3"
        let error = await #expect(throws: HarnessError.self) {
            _ = try await GateSession.gate(
                request, layout: repository.layout(reports: "-"),
                measurers: RecordingMeasurerFactory(SyntheticMeasurer(benchmarks: SessionRepository.benchmarks)))
        }
        #expect(error?.code == .buildFailed)
        #expect(error?.field == "revision base")
        #expect(error?.message.contains("deliberately broken") == true)
        #expect(error.map { HarnessExitCode(error: $0) } == .harnessError)
    }

    @Test func aMisspelledSuiteFieldIsBadInputNamingFileAndField() async throws {
        let repository = try SessionRepository()
        defer { repository.remove() }
        let suite = repository.directory.appendingPathComponent("suites/t.json")
        try Data(SessionRepository.suite.replacingOccurrences(of: "\"thresholds\"", with: "\"threshold\"").utf8)
            .write(to: suite)
        let error = await #expect(throws: HarnessError.self) {
            _ = try await GateSession.gate(
                Self.request(), layout: repository.layout(reports: "-"),
                measurers: RecordingMeasurerFactory(SyntheticMeasurer(benchmarks: SessionRepository.benchmarks)))
        }
        #expect(error?.field == "threshold" && error?.file?.hasSuffix("suites/t.json") == true, "\(String(describing: error))")
        #expect(error.map { HarnessExitCode(error: $0) } == .badInput)
    }
}

/// `BuildProgressThrottle`: which build output lines become progress lines, and how often.
@Suite struct BuildProgressThrottleTests {
    @Test func stepsAreShownAtOnceThenAtMostOncePerInterval() {
        var throttle = BuildProgressThrottle(interval: 30)
        let seen: [(String, Double)] = [
            ("Building for production...", 0), ("[1/10] Compiling A a.swift", 1), ("[2/10] Compiling B b.swift", 10),
            ("warning: [deprecated] x/y", 40), ("[3/10] Compiling C c.swift", 31), ("[4/10] Compiling D", 40),
            ("[5/10] Linking sluice-bench", 61.2), ("[x/10] not a step", 200), ("[/10] not a step", 200),
            ("Build complete! (62.00s)", 200),
        ]
        let shown = seen.compactMap { throttle.report(Substring($0.0), elapsed: $0.1) }
        #expect(shown == [
            "[1/10] Compiling A a.swift (1s so far)", "[3/10] Compiling C c.swift (31s so far)",
            "[5/10] Linking sluice-bench (1m01s so far)",
        ])
    }

    @Test func aLongStepIsCut() {
        var throttle = BuildProgressThrottle()
        let line = "[7/9] Compiling SluiceBench " + String(repeating: "File.swift, ", count: 40)
        let shown = throttle.report(Substring(line), elapsed: 125)
        #expect(shown?.hasPrefix("[7/9] Compiling SluiceBench File.swift") == true)
        #expect(shown?.hasSuffix("… (2m05s so far)") == true, "\(shown ?? "nil")")
        #expect((shown?.count ?? 0) <= 100 + " (2m05s so far)".count)
    }
}

extension BuildProgressThrottleTests {
    /// While one long step prints nothing (a whole-module compile of two minutes), the heartbeat says so every
    /// interval, naming the step; steps and heartbeats share the interval.
    @Test func aLongSilentStepGetsAHeartbeat() {
        var throttle = BuildProgressThrottle(interval: 30)
        #expect(throttle.heartbeat(elapsed: 40) == nil)  // nothing seen yet
        #expect(throttle.report("[1/10] Compiling A a.swift", elapsed: 1) == "[1/10] Compiling A a.swift (1s so far)")
        #expect(throttle.heartbeat(elapsed: 20) == nil)
        #expect(throttle.heartbeat(elapsed: 31) == "still at [1/10] Compiling A a.swift (31s so far)")
        #expect(throttle.heartbeat(elapsed: 40) == nil)
        #expect(throttle.report("[9/10] Compiling SluiceBench x.swift", elapsed: 45) == nil)
        // A step not shown yet is shown as it is, not as "still at".
        #expect(throttle.heartbeat(elapsed: 61.2) == "[9/10] Compiling SluiceBench x.swift (1m01s so far)")
        #expect(throttle.heartbeat(elapsed: 70) == nil)
        #expect(throttle.heartbeat(elapsed: 91.4) == "still at [9/10] Compiling SluiceBench x.swift (1m31s so far)")
        #expect(throttle.report("[10/10] Linking sluice-bench", elapsed: 100) == nil)
        #expect(throttle.report("[10/10] Linking sluice-bench", elapsed: 122) == "[10/10] Linking sluice-bench (2m02s so far)")
    }
}
