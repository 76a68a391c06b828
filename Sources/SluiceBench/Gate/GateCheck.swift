import Foundation

/// One `check`: a suite's gate configuration, the baseline it is compared with, and the report it produces.
///
/// The configuration (thresholds, waivers) is checked when the check is made, before anything runs, so that a
/// bad suite or an expired waiver fails fast; `loadBaseline` likewise runs before the suite is measured, so a
/// missing baseline costs no run.
public struct GateCheck: Sendable {
    /// The suite whose thresholds apply.
    public let suite: SuiteFile
    /// The comparator built from the suite.
    public let comparator: GateComparator

    /// Builds the check for `suite` (`file` names it in errors). `today` is `YYYY-MM-DD`, for waiver expiry.
    public init(
        suite: SuiteFile, file: String?, today: String, confidence: Double = RatioStatistics.defaultConfidence,
        allowsIncomparableEnvironments: Bool = false
    ) throws(HarnessError) {
        guard confidence > 0 && confidence < 1 else {
            throw HarnessError(.badInput, "the confidence must be between 0 and 1 (e.g. 0.95), not \(confidence)")
        }
        self.suite = suite
        self.comparator = GateComparator(configuration: try GateConfiguration(
            suite: suite, file: file, today: today, confidence: confidence,
            allowsIncomparableEnvironments: allowsIncomparableEnvironments))
    }

    /// Loads the baseline: `file` when given, else the store's baseline for the suite in `environmentKey`.
    /// Throws `.missingBaseline` or `.badInput`; a baseline of another suite is bad input.
    public func loadBaseline(file: URL?, store: BaselineStore, environmentKey: String) throws(HarnessError) -> ResultsFile {
        let baseline =
            if let file {
                try BaselineStore.loadBaseline(at: file)
            } else {
                try store.load(environmentKey: environmentKey, suite: suite.name)
            }
        guard baseline.suite == suite.name else {
            throw HarnessError(.badInput, "the baseline is for suite '\(baseline.suite)', not '\(suite.name)'",
                            file: file?.path, field: "suite")
        }
        return baseline
    }

    /// Reads a candidate results file given on the command line; a results file of another suite is bad input.
    public func loadResults(file: URL) throws(HarnessError) -> ResultsFile {
        let results = try ResultsFile.load(from: file)
        guard results.suite == suite.name else {
            throw HarnessError(.badInput, "the results are for suite '\(results.suite)', not '\(suite.name)'",
                            file: file.path, field: "suite")
        }
        return results
    }

    /// Compares `candidate` with `baseline` under the suite's thresholds.
    public func compare(baseline: ResultsFile, candidate: ResultsFile) throws(HarnessError) -> GateReport {
        try comparator.compare(baseline: baseline, candidate: candidate)
    }

    /// Today's date in UTC as `YYYY-MM-DD`, for callers that have a real clock (the CLI).
    public static func today(_ date: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let year = parts.year ?? 1970
        let month = parts.month ?? 1
        let day = parts.day ?? 1
        return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }
}
