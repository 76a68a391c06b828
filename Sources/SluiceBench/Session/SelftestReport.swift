/// What `sluice-bench selftest` measured: the shipped gate on A/A runs and on mutation patches.
public struct SelftestReport: Codable, Sendable {
    /// One gate run of a case.
    public struct Run: Codable, Sendable, Hashable {
        /// The run's number within its case, from 1.
        public var index: Int
        /// The gate run's exit code (0 pass, 1 Performance Alert, 2 Functional Fail, 3 Inconclusive).
        public var exitCode: Int
        /// The gate's outcome (`GateOutcome` raw value, e.g. `pass`).
        public var outcome: String
        /// `benchmark metric` of every Performance Alert.
        public var alerts: [String]
        /// `benchmark metric` of every Inconclusive comparison.
        public var inconclusive: [String]
        /// Benchmarks with a Functional Fail.
        public var functionalFailures: [String]
        /// Looks the gate run took (1 when nothing was measured again).
        public var looksTaken: Int
        /// Wall-clock seconds of the gate run.
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
        /// The case's gate runs, in order.
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
        /// The benchmark's registry name.
        public var benchmark: String
        /// The timing metric's name in results files, e.g. `wall_time`.
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

    /// The report's schema version.
    public var schemaVersion = 1
    /// The suite's name.
    public var suite: String
    /// Gate runs per case (`--runs`).
    public var runsPerCase: Int
    /// Worker-process pairs per gated benchmark at each look (`--processes`).
    public var processesPerSide: Int
    /// The most looks per gate run (`--looks`).
    public var maxLooks: Int
    /// The family-wise error rate each gate run spent across its looks.
    public var alpha: Double
    /// A/A first, then one case per mutation patch.
    public var cases: [Case]
    /// One per gated timing comparison of the A/A runs with a process spread, sorted by benchmark and metric.
    public var minimumDetectableEffects: [MinimumDetectableEffect]

    /// Performance Alerts in A/A runs, over A/A runs.
    public var falseAlarmRate: Double? {
        guard let aa = cases.first(where: { $0.name == SelftestSession.aaName }), !aa.runs.isEmpty else { return nil }
        return Double(aa.alertRuns) / Double(aa.runs.count)
    }
}
