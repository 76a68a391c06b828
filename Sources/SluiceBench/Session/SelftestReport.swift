/// What `sluice-bench selftest` measured: the shipped gate on A/A runs and on mutation patches.
public struct SelftestReport: Codable, Sendable {
    /// One gate run of a case.
    public struct Run: Codable, Sendable, Hashable {
        public var index: Int
        public var exitCode: Int
        public var outcome: String
        /// `benchmark metric` of every Performance Alert.
        public var alerts: [String]
        /// `benchmark metric` of every Inconclusive comparison.
        public var inconclusive: [String]
        public var functionalFailures: [String]
        public var looksTaken: Int
        public var seconds: Double
        /// True when the run detected the case's regression: exit 1 with an alert naming an expected benchmark.
        public var detected: Bool
    }

    /// A/A, or one mutation patch.
    public struct Case: Codable, Sendable {
        /// `A/A` or the patch's file name.
        public var name: String
        /// What the patch does (its `Sluice-Selftest:` line).
        public var description: String
        /// Benchmark patterns the mutation must be caught on (`Sluice-Selftest-Expect:`); empty for A/A.
        public var expected: [String]
        public var runs: [Run] = []

        /// Runs with a Performance Alert (for A/A: false alarms).
        public var alertRuns: Int { runs.filter { !$0.alerts.isEmpty }.count }
        /// Runs that ended Inconclusive (exit 3).
        public var inconclusiveRuns: Int { runs.filter { $0.exitCode == 3 }.count }
        /// Runs that detected the mutation.
        public var detectedRuns: Int { runs.filter(\.detected).count }
    }

    /// The smallest slowdown of one benchmark the gate detects with 80 % power, from the spread between
    /// processes in the A/A runs: `exp((z(1 − a) + z(0.8)) · s · sqrt(2 / n)) − 1` with `s` the robust standard
    /// deviation (1.4826 · MAD) of log process values, `n` processes per side and `a` the level of Holm's first
    /// step (the look's alpha over the number of timing comparisons); never below the threshold's limit.
    public struct MinimumDetectableEffect: Codable, Sendable, Hashable {
        public var benchmark: String
        public var metric: String
        /// Robust standard deviation of log process values (≈ the coefficient of variation between processes).
        public var processSpread: Double
        /// The threshold's limit (e.g. 0.05 for +5 %).
        public var limit: Double?
        /// At the first look (`processesPerSide` a side, that look's level).
        public var firstLook: Double
        /// With every look taken (`processesPerSide · maxLooks` a side, the last look's level).
        public var allLooks: Double
    }

    public var schemaVersion = 1
    public var suite: String
    public var runsPerCase: Int
    public var processesPerSide: Int
    public var maxLooks: Int
    public var alpha: Double
    public var cases: [Case]
    public var minimumDetectableEffects: [MinimumDetectableEffect]

    /// Performance Alerts in A/A runs, over A/A runs.
    public var falseAlarmRate: Double? {
        guard let aa = cases.first(where: { $0.name == SelftestSession.aaName }), !aa.runs.isEmpty else { return nil }
        return Double(aa.alertRuns) / Double(aa.runs.count)
    }
}
