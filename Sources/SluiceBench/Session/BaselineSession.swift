import Foundation

/// `sluice-bench baseline update` as a session: takes results files, or measures the suite `runs` times, and makes
/// them (merged) the suite's stored baseline for their environment in the layout's baselines folder.
///
/// Everything is checked before anything is written: the suite is loaded strictly, every given results file must
/// be of that suite, and `BaselineStore.update` refuses partial or failing runs; the existing baseline is then left
/// as it was. Suspends while the suite runs; Ctrl-C is not intercepted (see `SuiteMeasurement`).
public struct BaselineSession: Sendable {
    /// What `baseline update` asks for. Every field has the CLI's default.
    public struct Request: Sendable {
        /// The suite (`<suites>/<name>.json`).
        public var suiteName: String
        /// Results files to merge into the baseline; empty measures the suite now.
        public var resultsFiles: [URL] = []
        /// How measured runs isolate their benchmarks.
        public var isolation = RunConfiguration.Isolation.inProcess
        /// Measured runs to merge (only without `resultsFiles`).
        public var runs = 1
        /// Where a single measured run's results file goes; with several runs each goes to the reports folder.
        public var resultsDestination = SuiteMeasurement.Destination.reports
        /// `YYYY-MM-DD`, for the suite's waiver expiry.
        public var today: String

        /// A request for `suiteName`.
        public init(suiteName: String, today: String) {
            self.suiteName = suiteName
            self.today = today
        }
    }

    /// What to do: the suite, and the results files to merge or the runs to measure.
    public var request: Request
    /// Where the suites, baselines and reports live.
    public var layout: HarnessLayout

    /// A session of `request` in `layout`.
    public init(request: Request, layout: HarnessLayout) {
        precondition(request.runs >= 1, "a baseline needs at least one run")
        self.request = request
        self.layout = layout
    }

    /// Writes the baseline and returns its file. `log` gets results-file lines; `onEvent` every runner event.
    /// - Throws: `HarnessError`: a bad suite or results file, results of another suite, a partial or failing
    ///   run (exit 6); a worker or file that fails (7).
    public func run(
        log: @escaping @Sendable (String) -> Void = { _ in },
        onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in }
    ) async throws -> URL {
        let (suite, path) = try GateSession.loadSuite(named: request.suiteName, file: nil, layout: layout)
        var results: [ResultsFile] = []
        if !request.resultsFiles.isEmpty {
            let check = try GateCheck(suite: suite, file: path, today: request.today)
            for file in request.resultsFiles { results.append(try check.loadResults(file: file)) }
        } else {
            for _ in 0..<request.runs {
                let measured = try await SuiteMeasurement.run(
                    suite, isolation: request.isolation,
                    destination: request.runs == 1 ? request.resultsDestination : .reports, layout: layout, log: log,
                    onEvent: onEvent)
                results.append(measured.results)
            }
        }
        return try layout.baselineStore.update(suite: suite.name, with: results)
    }
}
