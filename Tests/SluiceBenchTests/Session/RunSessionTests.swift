import Foundation
import SluiceBench
import Synchronization
import Testing

/// `RunSession` in process: where the results file goes, and what an interrupted run writes.
@Suite struct RunSessionTests {
    static func configuration(_ layout: HarnessLayout, runID: String) throws -> RunConfiguration {
        let suite = try layout.suiteLoader.load(named: "t")
        return RunConfiguration(suite: suite, isolation: .inProcess, capturesAllocations: false, runID: runID)
    }

    /// A layout over a folder holding `suites/t.json`.
    static func workspace(reports: String? = nil) throws -> (URL, HarnessLayout) {
        let directory = try GateFixtures.temporaryDirectory()
        let suites = directory.appendingPathComponent("suites")
        try FileManager.default.createDirectory(at: suites, withIntermediateDirectories: true)
        try Data(SessionRepository.suite.utf8).write(to: suites.appendingPathComponent("t.json"))
        return (directory, HarnessLayout(root: directory, suitesDirectory: "suites", reportsDirectory: reports))
    }

    @Test func theResultsFileGoesToTheLayoutsReportsFolder() async throws {
        let (directory, layout) = try Self.workspace(reports: "r")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await RunSession(configuration: try Self.configuration(layout, runID: "run-1"), layout: layout)
            .run()
        #expect(result.outcome.exitCode == .pass)
        #expect(result.resultsFile.path == directory.appendingPathComponent("r/run-1.results.json").path)
        let written = try ResultsFile.load(from: result.resultsFile)
        #expect(written.runID == "run-1" && !written.isPartial)
        #expect(written.benchmarks.map(\.name) == SessionRepository.benchmarks)
        #expect(written.benchmarks.allSatisfy { $0.status == .passed })
    }

    @Test func outOverridesTheLayoutAndNoReportsFallsBackToReports() async throws {
        let (directory, layout) = try Self.workspace(reports: "-")
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("elsewhere/mine.json")
        let explicit = try await RunSession(
            configuration: try Self.configuration(layout, runID: "run-2"), layout: layout, out: out
        ).run()
        #expect(explicit.resultsFile == out)
        #expect(FileManager.default.fileExists(atPath: out.path))
        // `--reports-dir -` writes no reports, but a run's results always go somewhere: <root>/reports.
        let fallback = try await RunSession(configuration: try Self.configuration(layout, runID: "run-3"), layout: layout)
            .run()
        #expect(fallback.resultsFile.path == directory.appendingPathComponent("reports/run-3.results.json").path)
    }

    /// A results file that cannot be written is found before anything is measured (before, the whole suite ran
    /// and its results were lost at the end), naming the path; the folder holds no stray file.
    @Test func anUnwritableResultsFileFailsBeforeMeasuring() async throws {
        let (directory, layout) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let blocker = directory.appendingPathComponent("afile")
        try Data("x".utf8).write(to: blocker)
        let events = Mutex(0)
        let error = await #expect(throws: HarnessError.self) {
            _ = try await RunSession(
                configuration: try Self.configuration(layout, runID: "run-5"), layout: layout,
                out: blocker.appendingPathComponent("x.json")
            ).run { _ in events.withLock { $0 += 1 } }
        }
        #expect(error?.message.hasPrefix("cannot create the folder") == true, "\(String(describing: error))")
        #expect(events.withLock { $0 } == 0, "nothing was measured")
        let folderAsFile = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: folderAsFile, withIntermediateDirectories: true)
        await #expect(throws: HarnessError.self) {
            _ = try await RunSession(configuration: try Self.configuration(layout, runID: "run-6"), layout: layout,
                                     out: folderAsFile).run()
        }
    }

    @Test func aCancelledRunWritesPartialResultsAndIsInterrupted() async throws {
        let (directory, layout) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cancellation = RunCancellation()
        cancellation.cancel()
        let result = try await RunSession(configuration: try Self.configuration(layout, runID: "run-4"), layout: layout)
            .run(cancellation: cancellation)
        #expect(result.outcome.exitCode == .interrupted)
        let written = try ResultsFile.load(from: result.resultsFile)
        #expect(written.isPartial)
        #expect(written.benchmarks.allSatisfy { $0.status != .passed })
    }
}
