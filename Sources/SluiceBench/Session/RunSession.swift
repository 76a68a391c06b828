import Foundation

/// `sluice-bench run` as a session: measures a suite, writes its results file (and the soak snapshot logs) where
/// the layout says, and returns what the CLI prints and the exit code.
///
/// Suspends while the suite runs. Cancelling `cancellation` stops the run between samples; the results are then
/// written marked partial and the exit code is `interrupted`.
public struct RunSession: Sendable {
    /// What a run produced.
    public struct Result: Sendable {
        /// The results and the exit code (`pass`, `functionalFailure` or `interrupted`).
        public var outcome: RunOutcome
        /// Where the results file was written.
        public var resultsFile: URL
        /// Snapshot logs written by driver benchmarks (soak, chaos).
        public var snapshotFiles: [String]
    }

    /// The suite, selection, isolation and policy of the run.
    public var configuration: RunConfiguration
    /// Where the results file goes when `out` is nil (`reportsDirectory`, else `<root>/reports`).
    public var layout: HarnessLayout
    /// The results file; nil: `<reports>/<run-id>.results.json`.
    public var out: URL?

    /// A session of `configuration` in `layout`, writing the results file to `out` when given.
    public init(configuration: RunConfiguration, layout: HarnessLayout, out: URL? = nil) {
        self.configuration = configuration
        self.layout = layout
        self.out = out
    }

    /// Runs the suite. `onEvent` sees every runner event (progress); `log` gets warnings.
    /// - Throws: `HarnessError` for a worker failure or a results file that cannot be written.
    public func run(
        cancellation: RunCancellation = RunCancellation(), log: @escaping @Sendable (String) -> Void = { _ in },
        onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in }
    ) async throws -> Result {
        var configuration = configuration
        let runID = configuration.runID ?? RunConfiguration.makeRunID(suite: configuration.suite.name)
        configuration.runID = runID
        let reports = layout.reportsDirectory ?? layout.root.appendingPathComponent(HarnessLayout.defaultReports)
        let resultsFile = out ?? reports.appendingPathComponent("\(runID).results.json")
        // Before measuring: a results file that cannot be written would throw the whole run away at the end.
        try AtomicFileWriter.checkWritable(resultsFile)
        let snapshots = SnapshotLog(folder: resultsFile.deletingLastPathComponent(), runID: runID, onError: log)
        defer { snapshots.close() }
        let runner = SuiteRunner(configuration: configuration, cancellation: cancellation) { event in
            snapshots.handle(event)
            onEvent(event)
        }
        let outcome = try await runner.run()
        try outcome.results.write(to: resultsFile)
        return Result(outcome: outcome, resultsFile: resultsFile, snapshotFiles: snapshots.writtenPaths)
    }
}
