import Foundation

/// Measures a suite for `check` and `baseline update` with the runner of `sluice-bench run`: rounds in worker
/// processes (or in this process), then the results file where `destination` says.
///
/// Unlike `RunSession` it writes no snapshot logs and can write no results file at all. Suspends while the suite
/// runs. Ctrl-C is not intercepted: it ends the process (status 130) before any report is written, and every file
/// the harness writes is renamed into place, so nothing is left torn.
public enum SuiteMeasurement {
    /// Where a measurement's results file goes.
    public enum Destination: Sendable, Hashable {
        /// `<reports>/<run-id>.results.json` (`./reports` even when the layout writes no reports).
        case reports
        /// This file.
        case file(URL)
        /// Nowhere (`--out -`).
        case none

        /// The destination an `--out` option names: nil the reports folder, `-` none, else that file (relative
        /// paths against the current directory).
        public init(path: String?) {
            switch path {
            case nil: self = .reports
            case "-": self = .none
            case let path?: self = .file(URL(fileURLWithPath: path))
            }
        }
    }

    /// The environment key of this process: where its baseline is looked up before the suite runs.
    public static func currentEnvironmentKey() -> String {
        EnvironmentFingerprint.current().environmentKey
    }

    /// Runs `suite` and writes its results file to `destination`. `log` gets `results: <path>`; `onEvent` sees
    /// every runner event (progress). Returns the results and where they were written.
    /// - Throws: `HarnessError` for harness errors (a worker that broke down, a file that cannot be written);
    ///   failed benchmarks are in the results, not thrown.
    public static func run(
        _ suite: SuiteFile, isolation: RunConfiguration.Isolation, destination: Destination = .reports,
        layout: HarnessLayout, log: @Sendable (String) -> Void = { _ in },
        onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in }
    ) async throws -> (results: ResultsFile, file: URL?) {
        let runner = SuiteRunner(configuration: RunConfiguration(suite: suite, isolation: isolation), onEvent: onEvent)
        let results = try await runner.run().results
        let url: URL
        switch destination {
        case .none:
            return (results, nil)
        case .file(let file):
            url = file
        case .reports:
            let reports = layout.reportsDirectory ?? layout.root.appendingPathComponent(HarnessLayout.defaultReports)
            url = reports.appendingPathComponent("\(results.runID).results.json")
        }
        try results.write(to: url)
        log("results: \(url.path)")
        return (results, url)
    }
}
