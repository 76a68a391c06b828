import Foundation
@testable import SluiceBench
import Testing

/// `CompareSession` in process: two commits of a temporary repository built with a stand-in build command and
/// measured by a measurer that answers in process; the reports go where the layout (or `out`) says.
@Suite struct CompareSessionTests {
    static func configuration(_ repository: SessionRepository, suiteFile: URL? = nil) -> CompareDriver.Configuration {
        CompareDriver.Configuration(
            repository: repository.directory, revisionA: "HEAD~1", revisionB: "HEAD",
            suiteFile: suiteFile ?? repository.directory.appendingPathComponent("suites/t.json"), rounds: 6, seed: 3,
            cacheDirectory: repository.directory.appendingPathComponent(".build-compare"),
            buildCommand: SessionRepository.buildCommand, workerPath: SessionRepository.workerPath,
            today: "2026-12-06")
    }

    @Test func aSlowerBIsARegressionAndTheReportsGoToTheLayout() async throws {
        let repository = try SessionRepository()
        defer { repository.remove() }
        var measurer = SyntheticMeasurer(benchmarks: SessionRepository.benchmarks)
        measurer.slowdown = ["selftest/spin": 1.4]
        let factory = RecordingMeasurerFactory(measurer)
        let result = try await CompareSession(
            configuration: Self.configuration(repository), layout: repository.layout(reports: "cmp"), measurers: factory
        ).run()
        #expect(result.exitCode == .performanceRegression)
        #expect(result.report.a.commit == repository.first && result.report.b.commit == repository.second)
        let stem = repository.directory.appendingPathComponent("cmp/\(result.report.runID)").path
        #expect(result.files.map(\.path) == [stem + ".md", stem + ".json"])
        #expect(try String(contentsOf: result.files[0], encoding: .utf8) == result.report.markdown)
        // Each commit was built in its own cached folder, and those builds were handed to the measurer.
        let executables = try #require(factory.executables.first)
        #expect(executables.base.path.contains("/.build-compare/\(repository.first)/src/"))
        #expect(executables.candidate.path.contains("/.build-compare/\(repository.second)/src/"))
    }

    @Test func outNamesTheReportsStem() async throws {
        let repository = try SessionRepository()
        defer { repository.remove() }
        let out = repository.directory.appendingPathComponent("elsewhere/report").path
        let result = try await CompareSession(
            configuration: Self.configuration(repository), layout: repository.layout(), out: out,
            measurers: RecordingMeasurerFactory(SyntheticMeasurer(benchmarks: SessionRepository.benchmarks))
        ).run()
        #expect(result.exitCode == .pass)
        #expect(result.files.map(\.path) == [out + ".md", out + ".json"])
    }

    /// `compare` reads the suite with the same strict reader as `run` and `gate`: a misspelled field is bad
    /// input naming the file and the field, before any build.
    @Test func aMisspelledSuiteFieldIsRefusedNamingFileAndField() async throws {
        let repository = try SessionRepository()
        defer { repository.remove() }
        let suite = repository.directory.appendingPathComponent("misspelled.json")
        try Data(SessionRepository.suite.replacingOccurrences(of: "\"thresholds\"", with: "\"threshold\"").utf8)
            .write(to: suite)
        let factory = RecordingMeasurerFactory(SyntheticMeasurer(benchmarks: SessionRepository.benchmarks))
        let error = await #expect(throws: HarnessError.self) {
            _ = try await CompareSession(
                configuration: Self.configuration(repository, suiteFile: suite), layout: repository.layout(),
                measurers: factory
            ).run()
        }
        #expect(error?.file?.hasSuffix("misspelled.json") == true, "\(String(describing: error))")
        #expect(error?.field == "threshold" && error?.message.hasPrefix("unknown field") == true)
        #expect(error?.code == .invalidSuite)
        #expect(error.map { HarnessExitCode(error: $0) } == .badInput)
        #expect(factory.executables.isEmpty, "nothing was built or measured")
        #expect(!FileManager.default.fileExists(atPath: repository.directory.appendingPathComponent(".build-compare").path))
    }
}
