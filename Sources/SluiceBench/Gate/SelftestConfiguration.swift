/// How `sluice-bench selftest` exercises the gate: how many gate runs, which regressions it injects into the
/// registered synthetic benchmarks (`selftest/spin`, `selftest/allocations`), and how they are measured.
public struct SelftestConfiguration: Sendable {
    /// Gate runs; each measures a fresh baseline and three candidates (A/A, slowed down, one more allocation).
    public var runs: Int
    /// The factor `selftest/spin` is slowed by in the injected timing regression (1.10 = 10 % slower).
    public var slowdown: Double
    /// The relative wall-time threshold of the self-test's gate. It must sit between no change and the injected
    /// slowdown: a change exactly at the threshold is, by construction, detected only half the time.
    public var timingThreshold: Double
    /// Loop steps per operation of `selftest/spin`.
    public var spinWork: Int
    /// Allocation counts per operation of the `selftest/allocations` cases; one extra is injected in each.
    public var allocationCounts: [Int]
    /// Run settings of the timing case: rounds spread over `processes` worker processes, so that the noise
    /// between processes is in the interval.
    public var timingSettings: RunSettings
    /// Run settings of the allocation cases.
    public var allocationSettings: RunSettings
    /// The two-sided confidence of the gate's intervals.
    public var confidence: Double

    /// The defaults, sized for CI: 5 runs, a 10 % slowdown against a 5 % threshold, and one extra allocation on
    /// a benchmark making 1 allocation per operation and on one making 500 000.
    public init(
        runs: Int = 5, slowdown: Double = 1.10, timingThreshold: Double = 0.05, spinWork: Int = 20_000,
        allocationCounts: [Int] = [1, 500_000],
        timingSettings: RunSettings = RunSettings(
            maxWarmupSeconds: 0.1, minRounds: 8, maxRounds: 8, minRoundSeconds: 0.03, processes: 4),
        allocationSettings: RunSettings = RunSettings(
            maxWarmupSeconds: 0, minRounds: 3, maxRounds: 3, minRoundSeconds: 0, innerIterations: 1, processes: 1),
        confidence: Double = RatioStatistics.defaultConfidence
    ) {
        precondition(runs > 0, "the self-test needs at least one run")
        precondition(slowdown > 1 && timingThreshold >= 0, "the slowdown must be a factor above 1")
        self.runs = runs
        self.slowdown = slowdown
        self.timingThreshold = timingThreshold
        self.spinWork = spinWork
        self.allocationCounts = allocationCounts
        self.timingSettings = timingSettings
        self.allocationSettings = allocationSettings
        self.confidence = confidence
    }

    /// The name the timing case's results carry.
    public static let spinCase = "selftest/spin"

    /// The name the allocation case with `count` allocations per operation carries in the self-test's results.
    public static func allocationCase(_ count: Int) -> String { "selftest/allocations/\(count)" }
}
