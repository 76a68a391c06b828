/// The runner's fixed policy: how long a sample must last, when warm-up counts as stable, when rounds stop.
///
/// Suite files set the `RunSettings`; these are the harness's own constants, exposed so tests can shrink them.
public struct MeasurementPolicy: Sendable, Hashable, Codable {
    /// A sample is scaled (inner iterations doubled) until it lasts at least this long, so the clock reads
    /// and the histogram record stay well under 1 % of it. Default 20 µs.
    public var targetSampleNanoseconds: UInt64
    /// The most operations per sample the scaling goes to.
    public var maxInnerIterations: Int
    /// Warm-up samples are judged in windows of this many.
    public var warmupWindow: Int
    /// Warm-up is stable when two consecutive window medians differ by at most this fraction.
    public var warmupTolerance: Double
    /// After `minRounds`, rounds stop early when the round medians' range is within this fraction of their median.
    public var roundSpreadTolerance: Double
    /// The most samples one round takes, whatever `minRoundSeconds` says.
    public var maxSamplesPerRound: Int
    /// Rounds of the allocation lane, each of up to `allocationOperations` operations.
    public var allocationRounds: Int
    /// Operations per allocation-lane round (capped by what fits in about one timing round).
    public var allocationOperations: Int

    /// Creates a policy; the defaults are what `sluice-bench run` uses.
    public init(
        targetSampleNanoseconds: UInt64 = 20_000, maxInnerIterations: Int = 1 << 20, warmupWindow: Int = 5,
        warmupTolerance: Double = 0.02, roundSpreadTolerance: Double = 0.01, maxSamplesPerRound: Int = 200_000,
        allocationRounds: Int = 3, allocationOperations: Int = 100
    ) {
        self.targetSampleNanoseconds = targetSampleNanoseconds
        self.maxInnerIterations = maxInnerIterations
        self.warmupWindow = warmupWindow
        self.warmupTolerance = warmupTolerance
        self.roundSpreadTolerance = roundSpreadTolerance
        self.maxSamplesPerRound = maxSamplesPerRound
        self.allocationRounds = allocationRounds
        self.allocationOperations = allocationOperations
    }
}
