/// The tallies of a self-test: false alarms in A/A comparisons and detections of the injected regressions,
/// with the targets of issue 5 scaled to the number of runs.
public struct SelftestReport: Codable, Sendable {
    /// One gate run.
    public struct Run: Codable, Sendable {
        public var index: Int
        /// Performance Alerts raised comparing the build with itself (false alarms).
        public var aaAlerts: [String] = []
        /// Inconclusive comparisons in the A/A run (not false alarms, but a gate that would not pass).
        public var aaInconclusive: [String] = []
        /// Benchmarks that failed in the A/A run.
        public var aaFunctionalFailures: [String] = []
        /// What the gate said about the slowed-down spin benchmark.
        public var slowdownOutcome: MetricComparison.Outcome?
        public var slowdownRatio: Double?
        public var slowdownInterval: RatioInterval?
        /// What the gate said about each allocation case with one extra allocation per operation.
        public var allocationOutcomes: [String: MetricComparison.Outcome] = [:]

        public init(index: Int) {
            self.index = index
        }

        /// True when the slowdown was a Performance Alert.
        public var detectedSlowdown: Bool { slowdownOutcome == .regressed }

        /// A line for progress output.
        public var summaryLine: String {
            let ratio = slowdownRatio.map { ReportNumberFormat.signedPercent($0 - 1) } ?? "n/a"
            let allocations = allocationOutcomes.keys.sorted().map { "\($0): \(allocationOutcomes[$0]?.rawValue ?? "")" }
            return "run \(index): A/A alerts \(aaAlerts.count), inconclusive \(aaInconclusive.count); "
                + "slowdown \(slowdownOutcome?.rawValue ?? "missing") (\(ratio)); "
                + allocations.joined(separator: ", ")
        }
    }

    /// The gate runs asked for.
    public var requestedRuns: Int
    public var slowdown: Double
    public var timingThreshold: Double
    public var confidence: Double
    public var allocationCases: [String]
    /// The gate runs made, in order.
    public var runs: [Run] = []

    /// An empty report for `configuration`.
    public init(configuration: SelftestConfiguration) {
        requestedRuns = configuration.runs
        slowdown = configuration.slowdown
        timingThreshold = configuration.timingThreshold
        confidence = configuration.confidence
        allocationCases = configuration.allocationCounts.map(SelftestConfiguration.allocationCase)
    }

    /// A/A runs with at least one Performance Alert.
    public var falseAlarms: Int { runs.filter { !$0.aaAlerts.isEmpty }.count }
    /// A/A runs with an inconclusive comparison.
    public var inconclusiveAA: Int { runs.filter { !$0.aaInconclusive.isEmpty }.count }
    /// Runs in which the slowdown was detected.
    public var slowdownDetections: Int { runs.filter(\.detectedSlowdown).count }
    /// Runs in which the extra allocation was detected, per case.
    public func allocationDetections(_ name: String) -> Int {
        runs.filter { $0.allocationOutcomes[name] == .regressed }.count
    }

    /// Whether the targets hold, scaled to the runs made: no false alarm and no functional failure in A/A, the
    /// slowdown detected in at least 95 % of runs, the extra allocation in every run on every case.
    public var meetsTargets: Bool {
        let n = runs.count
        return n > 0 && falseAlarms == 0 && runs.allSatisfy { $0.aaFunctionalFailures.isEmpty }
            && Double(slowdownDetections) >= 0.95 * Double(n)
            && allocationCases.allSatisfy { allocationDetections($0) == n }
    }

    /// The human-readable summary `sluice-bench selftest` prints.
    public var text: String {
        let n = runs.count
        func rate(_ count: Int) -> String { n == 0 ? "n/a" : ReportNumberFormat.percent(Double(count) / Double(n)) }
        var lines = [
            "sluice-bench selftest: \(n) gate runs, \(ReportNumberFormat.percent(confidence)) intervals",
            "A/A (same build, separate processes): \(falseAlarms)/\(n) runs with a Performance Alert "
                + "(false-alarm rate \(rate(falseAlarms))); \(inconclusiveAA)/\(n) with an inconclusive comparison"
                + "  [target: 0]",
            "\(ReportNumberFormat.signedPercent(slowdown - 1)) slowdown of selftest/spin against a "
                + "\(ReportNumberFormat.percent(timingThreshold)) threshold: detected \(slowdownDetections)/\(n) "
                + "(\(rate(slowdownDetections)))  [target: >= 95 %]",
        ]
        for name in allocationCases {
            let detected = allocationDetections(name)
            lines.append("+1 allocation per operation on \(name): detected \(detected)/\(n) (\(rate(detected)))"
                + "  [target: 100 %]")
        }
        lines.append("verdict: \(meetsTargets ? "targets met" : "TARGETS NOT MET")")
        return lines.joined(separator: "\n") + "\n"
    }
}
