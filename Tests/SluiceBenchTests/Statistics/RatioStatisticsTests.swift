import SluiceBench
import SluiceTestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct MannWhitneyDistributionTests {
    /// Brute force: U over every way of choosing which of m + n ranks belong to the first sample.
    static func bruteForceCumulative(m: Int, n: Int) -> [Double] {
        var counts = [Double](repeating: 0, count: m * n + 1)
        for mask in 0..<(1 << (m + n)) where mask.nonzeroBitCount == m {
            // U = number of (first, second) pairs with the first's rank above the second's.
            var u = 0
            var secondsSeen = 0
            for bit in 0..<(m + n) {
                if mask & (1 << bit) != 0 { u += secondsSeen } else { secondsSeen += 1 }
            }
            counts[u] += 1
        }
        let total = counts.reduce(0, +)
        var sum = 0.0
        return counts.map { sum += $0; return sum / total }
    }

    @Test(arguments: [(1, 1), (2, 3), (3, 3), (4, 5), (5, 5), (6, 4), (7, 7)])
    func exactDistributionMatchesBruteForce(m: Int, n: Int) {
        let expected = Self.bruteForceCumulative(m: m, n: n)
        let actual = MannWhitneyDistribution.cumulativeDistribution(m: m, n: n)
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            #expect(abs(a - e) < 1e-12, "m=\(m) n=\(n)")
        }
    }

    @Test func boundIndexForFiveAndFiveAt95Percent() {
        // P(U <= 2) = 4/252 <= 0.025 < P(U <= 3) = 7/252: the interval is [d(3), d(23)].
        let (index, coverage) = MannWhitneyDistribution.boundIndex(m: 5, n: 5, confidence: 0.95)
        #expect(index == 3)
        #expect(abs(coverage - (1 - 8.0 / 252)) < 1e-12)
    }

    @Test func tooFewRoundsGiveTheFullRangeWithLowerCoverage() {
        let (index, coverage) = MannWhitneyDistribution.boundIndex(m: 2, n: 2, confidence: 0.95)
        #expect(index == 1)
        #expect(abs(coverage - (1 - 2.0 / 6)) < 1e-12)
    }

    @Test func normalApproximationAgreesWithTheExactDistribution() {
        // 50 x 51 is past the exact limit, so boundIndex approximates; the exact cumulative is still computable.
        let cumulative = MannWhitneyDistribution.cumulativeDistribution(m: 50, n: 51)
        var exactIndex = 1
        while cumulative[exactIndex] <= 0.025 { exactIndex += 1 }
        let approximate = MannWhitneyDistribution.boundIndex(m: 50, n: 51, confidence: 0.95)
        #expect(abs(approximate.index - exactIndex) <= 1, "exact \(exactIndex) approximate \(approximate)")
        #expect(approximate.coverage >= 0.94 && approximate.coverage <= 0.96)
    }

    @Test func normalQuantile() {
        #expect(abs(NormalDistribution.quantile(0.975) - 1.959963984540054) < 1e-9)
        #expect(abs(NormalDistribution.quantile(0.5)) < 1e-12)
        #expect(abs(NormalDistribution.quantile(0.001) + 3.090232306167813) < 1e-8)
    }
}

@Suite struct RatioStatisticsTests {
    @Test func identicalSamplesGiveRatioOne() throws {
        let values = [100.0, 101, 99, 102, 98, 100.5]
        let interval = try #require(RatioStatistics.hodgesLehmannRatio(baseline: values, candidate: values))
        #expect(abs(interval.estimate - 1) < 1e-12)
        #expect(interval.lower < 1 && interval.upper > 1)
        #expect(!interval.isBelowRequestedConfidence)
    }

    @Test func exactScalingIsRecovered() throws {
        let baseline = [100.0, 103, 97, 101, 99, 102, 98, 100]
        let candidate = baseline.map { $0 * 1.25 }
        let interval = try #require(RatioStatistics.hodgesLehmannRatio(baseline: baseline, candidate: candidate))
        #expect(abs(interval.estimate - 1.25) < 1e-9)
        #expect(interval.lower > 1.15 && interval.upper < 1.36)
    }

    @Test func scaleInvariant() throws {
        let baseline = [5.0, 6, 7, 5.5, 6.5]
        let candidate = [6.0, 7, 8, 6.2, 7.7]
        let a = try #require(RatioStatistics.hodgesLehmannRatio(baseline: baseline, candidate: candidate))
        let b = try #require(RatioStatistics.hodgesLehmannRatio(
            baseline: baseline.map { $0 * 1000 }, candidate: candidate.map { $0 * 1000 }))
        #expect(abs(a.estimate - b.estimate) < 1e-9 && abs(a.lower - b.lower) < 1e-9 && abs(a.upper - b.upper) < 1e-9)
    }

    @Test func rejectsEmptyAndNonPositiveValues() {
        #expect(RatioStatistics.hodgesLehmannRatio(baseline: [], candidate: [1]) == nil)
        #expect(RatioStatistics.hodgesLehmannRatio(baseline: [1, 0], candidate: [1]) == nil)
        #expect(RatioStatistics.hodgesLehmannRatio(baseline: [1], candidate: [.nan]) == nil)
    }

    /// The interval covers the true ratio at about its stated rate (seeded simulation, 400 trials).
    @Test func coverageMatchesTheConfidence() {
        var generator = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0005)
        let seed = generator.seed
        var covered = 0
        let trials = 400
        for _ in 0..<trials {
            let baseline = GateFixtures.rounds(median: 1000, noise: 0.03, count: 10, using: &generator)
            let candidate = GateFixtures.rounds(median: 1100, noise: 0.03, count: 10, using: &generator)
            if let interval = RatioStatistics.hodgesLehmannRatio(baseline: baseline, candidate: candidate),
                interval.lower <= 1.1, interval.upper >= 1.1
            {
                covered += 1
            }
        }
        let rate = Double(covered) / Double(trials)
        #expect(rate >= 0.92 && rate <= 0.99, "coverage \(rate), seed \(seed)")
    }

    @Test func median() {
        #expect(RatioStatistics.median([]) == nil)
        #expect(RatioStatistics.median([3, 1, 2]) == 2)
        #expect(RatioStatistics.median([4, 1, 2, 3]) == 2.5)
    }
}
