import Foundation
import SluiceBench
import Testing

/// `BaselineSession` (`baseline update`) in process: from results files, and refusing what cannot be a baseline.
@Suite struct BaselineSessionTests {
    @Test func resultsFilesAreMergedIntoTheLayoutsBaselines() async throws {
        let (directory, layout) = try RunSessionTests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [URL] = []
        for runID in ["a", "b"] {
            let url = directory.appendingPathComponent("\(runID).results.json")
            try CheckSessionTests.results(runID: runID).write(to: url)
            files.append(url)
        }
        var request = BaselineSession.Request(suiteName: "t", today: "2026-12-06")
        request.resultsFiles = files
        let written = try await BaselineSession(request: request, layout: layout).run()
        let key = GateFixtures.environment().environmentKey
        #expect(written.path == directory.appendingPathComponent("baselines/\(key)/t.json").path)
        let baseline = try layout.baselineStore.load(environmentKey: key, suite: "t")
        let spin = baseline.benchmarks.first { $0.name == "selftest/spin" }?.metric(.wallTime)
        #expect(spin?.processValues?["p50"]?.count == 12, "both files' processes")
    }

    @Test func resultsOfAnotherSuiteAreRefusedAndNothingIsWritten() async throws {
        let (directory, layout) = try RunSessionTests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        var other = CheckSessionTests.results(runID: "x")
        other.suite = "pr"
        let url = directory.appendingPathComponent("x.results.json")
        try other.write(to: url)
        var request = BaselineSession.Request(suiteName: "t", today: "2026-12-06")
        request.resultsFiles = [url]
        let error = await #expect(throws: HarnessError.self) {
            _ = try await BaselineSession(request: request, layout: layout).run()
        }
        #expect(error?.field == "suite" && error?.file == url.path)
        #expect(error.map { HarnessExitCode(error: $0) } == .badInput)
        #expect(!FileManager.default.fileExists(atPath: layout.baselinesDirectory.path))
    }
}
