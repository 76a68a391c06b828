import Foundation

/// `sluice-bench check` as a session: compares a suite's results (given, or measured now) with the stored
/// baseline under the suite's thresholds, writes the reports and returns the verdict with its exit code.
///
/// The suite's configuration and the baseline are loaded before the suite is measured, so a bad suite, an expired
/// waiver or a missing baseline fails at once and costs no run. A measured run joins the trend history
/// (`<reports>/history/<environment-key>.jsonl`); a history problem is logged but never changes the verdict.
/// Suspends while the suite runs.
public struct CheckSession: Sendable {
    /// What `check` asks for. Every field has the CLI's default; the CLI only fills in what was given.
    public struct Request: Sendable {
        /// The suite to check (`suites/<name>.json`), or a suite file.
        public var suiteName = "pr"
        /// A suite file path; when set it replaces `suiteName`.
        public var suiteFile: String?
        /// The baseline; nil: the stored baseline of the suite in the candidate's environment.
        public var baselineFile: URL?
        /// The candidate's results; nil measures the suite now.
        public var resultsFile: URL?
        /// Where a measured run's results file goes.
        public var resultsDestination = SuiteMeasurement.Destination.reports
        /// How a measured run isolates its benchmarks.
        public var isolation = RunConfiguration.Isolation.inProcess
        /// Two-sided confidence of the timing intervals.
        public var confidence = RatioStatistics.defaultConfidence
        /// Compare even when the baseline's environment differs (the report says so).
        public var allowsIncomparableEnvironments = false
        /// `YYYY-MM-DD` for waiver expiry.
        public var today: String

        /// A request with the CLI's defaults; `today` (`YYYY-MM-DD`) decides waiver expiry.
        public init(today: String) {
            self.today = today
        }
    }

    /// What to check.
    public var request: Request
    /// Where the suites, baselines, reports and history live.
    public var layout: HarnessLayout

    /// A session of `request` in `layout`.
    public init(request: Request, layout: HarnessLayout) {
        self.request = request
        self.layout = layout
    }

    /// Runs the check. `log` gets the results file, history and warning lines; `onEvent` sees every runner event
    /// of a measured run (progress).
    /// - Returns: the report, its exit code, the report files when written, and the measured results file.
    /// - Throws: `HarnessError` for a bad suite, results or baseline (exit 6), a missing baseline (4), an
    ///   incomparable environment (5), or a run or file that fails (7). No report is written then.
    public func run(
        log: @escaping @Sendable (String) -> Void = { _ in },
        onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in }
    ) async throws -> GateResult {
        let (suite, path) = try GateSession.loadSuite(named: request.suiteName, file: request.suiteFile, layout: layout)
        let check = try GateCheck(
            suite: suite, file: path, today: request.today, confidence: request.confidence,
            allowsIncomparableEnvironments: request.allowsIncomparableEnvironments)
        let candidate: ResultsFile
        let baseline: ResultsFile
        var resultsFiles: [URL] = []
        if let resultsFile = request.resultsFile {
            candidate = try check.loadResults(file: resultsFile)
            baseline = try check.loadBaseline(
                file: request.baselineFile, store: layout.baselineStore,
                environmentKey: candidate.environment.environmentKey)
        } else {
            baseline = try check.loadBaseline(
                file: request.baselineFile, store: layout.baselineStore,
                environmentKey: SuiteMeasurement.currentEnvironmentKey())
            let measured = try await SuiteMeasurement.run(
                suite, isolation: request.isolation, destination: request.resultsDestination, layout: layout,
                log: log, onEvent: onEvent)
            candidate = measured.results
            if let file = measured.file { resultsFiles.append(file) }
            if let history = layout.historyDirectory {
                do {
                    let (_, file, isNew) = try HistoryStore.record(candidate, in: history)
                    log(isNew ? "history: appended to \(file.path)" : "history: this run is already in \(file.path)")
                } catch {
                    log("warning: history not updated: \(error)")
                }
            }
        }
        let report = try check.compare(baseline: baseline, candidate: candidate)
        var files: ReportWriter.WrittenFiles?
        if let directory = layout.reportsDirectory {
            files = try ReportWriter(directory: directory).write(report)
        }
        return GateResult(
            report: report, exitCode: HarnessExitCode(rawValue: Int32(report.exitCode)) ?? .harnessError,
            files: files, resultsFiles: resultsFiles)
    }
}
