import SluiceBench
import SluiceTestKit
import Testing

@Suite struct TrendSlopeTests {
    @Test func exactLineGivesItsSlopeWithATightInterval() throws {
        let times = (0..<50).map(Double.init)
        let slope = try #require(TrendSlope.estimate(times: times, values: times.map { 3 * $0 + 7 }))
        #expect(slope.slope == 3)
        #expect(slope.lower == 3 && slope.upper == 3)
    }

    @Test func tooFewPointsGiveNoEstimate() {
        #expect(TrendSlope.estimate(times: [0, 1], values: [1, 2]) == nil)
    }

    @Test func endpointSpikesDoNotMoveTheSlope() throws {
        var values = [Double](repeating: 100, count: 60)
        values[59] = 1_000_000  // one spike at the end: an endpoint comparison would call it a leak
        values[0] = 0
        let slope = try #require(TrendSlope.estimate(times: (0..<60).map(Double.init), values: values))
        #expect(slope.slope == 0)
        #expect(slope.lower <= 0 && slope.upper >= 0)
    }
}

@Suite struct SoakVerdictTests {
    /// A synthetic memory series: base + growth·t + seeded noise.
    static func series(seed: UInt64, growth: Double, noise: Double, seconds: Int = 60) -> [SoakSnapshot] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return (0..<seconds).map { second in
            let jitter = Double.random(in: -noise...noise, using: &generator)
            let rateJitter = Double.random(in: -0.05...0.05, using: &generator)
            return SoakSnapshot(elapsedSeconds: Double(second), throughputPerSecond: 100_000 * (1 + rateJitter),
                allocatedBytes: 50_000_000 + growth * Double(second) + jitter)
        }
    }

    static let limits = SoakVerdict.Limits(maxMemoryGrowthBytesPerSecond: 16 * 1024, warmupSeconds: 5)

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func aLeakOf64KiBPerSecondIsCaughtUnderNoise(seed: UInt64) {
        let verdict = SoakVerdict.judge(Self.series(seed: seed, growth: 64 * 1024, noise: 400_000), limits: Self.limits)
        #expect(verdict.memory == .leak, "seed \(seed): slope \(String(describing: verdict.memorySlope))")
        #expect(!verdict.isPassing, "seed \(seed)")
    }

    @Test(arguments: [UInt64(11), 12, 13, 14, 15, 16, 17, 18])
    func aFlatNoisySeriesPasses(seed: UInt64) {
        let verdict = SoakVerdict.judge(Self.series(seed: seed, growth: 0, noise: 100_000), limits: Self.limits)
        #expect(verdict.memory == .stable, "seed \(seed): slope \(String(describing: verdict.memorySlope))")
        // A minute of ±5 % noise cannot bound a 5 %/h decay either way: not a decay, and honestly not "stable".
        #expect(verdict.throughput != .decay, "seed \(seed): slope \(String(describing: verdict.throughputSlope))")
        #expect(verdict.isPassing, "seed \(seed)")
    }

    @Test func aLongFlatRunIsStableForThroughputToo() {
        var generator = SeededRandomNumberGenerator(seed: 99)
        // Two hours, a snapshot every 10 s, ±5 % noise.
        let snapshots = (0..<720).map { step in
            SoakSnapshot(elapsedSeconds: Double(step * 10),
                throughputPerSecond: 10_000 * (1 + Double.random(in: -0.05...0.05, using: &generator)),
                allocatedBytes: 1_000_000 + Double.random(in: -1_000...1_000, using: &generator))
        }
        let verdict = SoakVerdict.judge(snapshots, limits: Self.limits)
        #expect(verdict.throughput == .stable, "seed 99: \(String(describing: verdict.throughputSlope))")
        #expect(verdict.memory == .stable, "seed 99")
    }

    @Test func warmupGrowthIsNotJudged() {
        // Memory climbs steeply during the first 5 s (caches filling), then is flat.
        let snapshots = (0..<60).map { second in
            SoakSnapshot(elapsedSeconds: Double(second), throughputPerSecond: 1_000,
                allocatedBytes: Double(min(second, 5)) * 10_000_000)
        }
        #expect(SoakVerdict.judge(snapshots, limits: Self.limits).memory == .stable)
        let noWarmup = SoakVerdict.Limits(maxMemoryGrowthBytesPerSecond: 16 * 1024, warmupSeconds: 0)
        #expect(SoakVerdict.judge(Array(snapshots.prefix(8)), limits: noWarmup).memory == .leak)
    }

    @Test func throughputDecayIsCaught() {
        // Losing 1 % of throughput per minute is 60 %/h, far past a 5 %/h limit; noiseless, so even two minutes
        // resolve the limit.
        let snapshots = (0..<120).map { second in
            SoakSnapshot(elapsedSeconds: Double(second), throughputPerSecond: 10_000 * (1 - Double(second) / 6_000),
                allocatedBytes: 1_000)
        }
        let verdict = SoakVerdict.judge(snapshots, limits: Self.limits)
        #expect(verdict.canResolveThroughputLimit)
        #expect(verdict.throughput == .decay)
        #expect(verdict.memory == .stable)
        #expect(!verdict.isPassing)
    }

    /// A 30 s CI-size run whose throughput drifts by 20 % (CPU boost ending, a noisy neighbour): a per-hour
    /// extrapolation would call it a 2400 %/h decay; the run cannot resolve a 5 %/h limit, so it is inconclusive.
    @Test(arguments: [-0.2, -0.05, 0.1])
    func aShortRunCannotResolveTheLimitAndPasses(drift: Double) throws {
        var generator = SeededRandomNumberGenerator(seed: 31)
        let snapshots = (0..<30).map { second in
            SoakSnapshot(elapsedSeconds: Double(second + 1),
                throughputPerSecond: 10_000 * (1 + drift * Double(second) / 30 + Double.random(in: -0.02...0.02, using: &generator)),
                allocatedBytes: 1_000_000)
        }
        let verdict = SoakVerdict.judge(snapshots, limits: Self.limits)
        #expect(!verdict.canResolveThroughputLimit, "seed 31, drift \(drift)")
        #expect(verdict.throughput == .inconclusive, "seed 31, drift \(drift)")
        #expect(verdict.isPassing)
        #expect(!verdict.canExtrapolatePerHour)
        #expect(verdict.judgedSeconds == 25)
        let summary = verdict.throughputSummary
        #expect(summary.contains("over the run"), "\(summary)")
        #expect(!summary.contains("/h ["), "no per-hour rate from 25 s: \(summary)")
        #expect(summary.contains("cannot resolve it: inconclusive"), "\(summary)")
        let change = try #require(verdict.throughputChangeOverRun)
        #expect(abs(change.estimate - drift * 25 / 30) < 0.03, "change \(change.estimate), drift \(drift)")
    }

    @Test func aLongDecayingRunIsJudgedAndStatedPerHour() throws {
        // Two hours losing 20 %/h with ±2 % noise: the interval is narrow enough to judge, and long enough to
        // state per hour.
        var generator = SeededRandomNumberGenerator(seed: 5)
        let snapshots = (0..<720).map { (step: Int) -> SoakSnapshot in
            let seconds = Double(step * 10)
            let noise: Double = Double.random(in: -0.02...0.02, using: &generator)
            let throughput: Double = 10_000 * (1 - 0.2 * seconds / 3600 + noise)
            return SoakSnapshot(elapsedSeconds: seconds, throughputPerSecond: throughput, allocatedBytes: 1_000)
        }
        let verdict = SoakVerdict.judge(snapshots, limits: Self.limits)
        #expect(verdict.canResolveThroughputLimit && verdict.canExtrapolatePerHour, "seed 5")
        #expect(verdict.throughput == .decay, "seed 5")
        #expect(verdict.throughputSummary.contains("/h ["), "\(verdict.throughputSummary)")
        #expect(verdict.throughputSummary.hasSuffix("limit 5 %/h: decay"), "\(verdict.throughputSummary)")
    }

    @Test func missingMemoryIsInsufficientDataNotStable() {
        let snapshots = (0..<30).map { SoakSnapshot(elapsedSeconds: Double($0), throughputPerSecond: 10) }
        #expect(SoakVerdict.judge(snapshots, limits: Self.limits).memory == .insufficientData)
    }
}
