import Foundation
import SluiceBench

/// Runs a suite for the gate commands with the runner of `sluice-bench run`: rounds in worker processes of
/// this binary (unless `inProcess`), progress on stderr when it is a terminal.
///
/// Ctrl-C is not intercepted here: it ends the process (status 130) before any report is written, and every
/// file the harness writes is renamed into place, so nothing is left torn.
enum SuiteMeasurement {
    /// The environment key of this process: where its baseline is looked up before the suite runs.
    static func currentEnvironmentKey() -> String {
        EnvironmentFingerprint.current().environmentKey
    }

    /// Runs `suite` and writes its results file to `out` (default `<reportsDir>/<run-id>.results.json`;
    /// `-` writes none). Throws for harness errors; failed benchmarks are in the results.
    static func run(
        _ suite: SuiteFile, inProcess: Bool, out: String?, reportsDir: String?, quiet: Bool = false
    ) async throws -> ResultsFile {
        let configuration = RunConfiguration(
            suite: suite, isolation: inProcess ? .inProcess : .workers(executable: WorkerClient.currentExecutable))
        let progress = quiet ? nil : ProgressDisplay()
        let runner = SuiteRunner(configuration: configuration) { event in progress?.handle(event) }
        let outcome = try await runner.run()
        if out != "-" {
            let directory = reportsDir.flatMap { $0 == "-" ? nil : $0 } ?? HarnessLayout.defaultReports
            let url = URL(fileURLWithPath: out ?? "\(directory)/\(outcome.results.runID).results.json")
            try outcome.results.write(to: url)
            if !quiet { GateCommandSupport.diagnostic("results: \(url.path)") }
        }
        return outcome.results
    }
}
