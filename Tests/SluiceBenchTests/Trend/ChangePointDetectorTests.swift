@testable import SluiceBench
import SluiceTestKit
import Testing

@Suite struct ChangePointDetectorTests {
    /// `count` values around `level` with ±`noise` uniform relative noise, then the levels after each step.
    private func series(
        seed: UInt64, count: Int = 40, level: Double = 1000, noise: Double = 0.02, steps: [(at: Int, factor: Double)] = []
    ) -> [Double] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return (0..<count).map { index in
            let factor = steps.filter { index >= $0.at }.reduce(1.0) { $0 * $1.factor }
            return level * factor * (1 + Double.random(in: -noise...noise, using: &generator))
        }
    }

    @Test(arguments: 1...20 as ClosedRange<UInt64>)
    func flatNoiseHasNoSteps(seed: UInt64) {
        let values = series(seed: seed)
        let found = ChangePointDetector().detect(values, direction: .lowerIsBetter)
        #expect(found.isEmpty, "seed \(seed): \(found)")
    }

    @Test(arguments: 1...10 as ClosedRange<UInt64>)
    func stepUpInTimeIsARegressionAtItsFirstRun(seed: UInt64) throws {
        let values = series(seed: seed, steps: [(at: 17, factor: 1.2)])
        let found = ChangePointDetector().detect(values, direction: .lowerIsBetter)
        #expect(found.count == 1, "seed \(seed): \(found)")
        let step = try #require(found.first)
        #expect(step.index == 17, "seed \(seed)")
        #expect(step.kind == .regression, "seed \(seed)")
        #expect(abs((step.ratio ?? 0) - 1.2) < 0.04, "seed \(seed): ratio \(String(describing: step.ratio))")
    }

    @Test(arguments: 1...10 as ClosedRange<UInt64>)
    func stepDownInTimeIsAnImprovement(seed: UInt64) throws {
        let values = series(seed: seed, steps: [(at: 25, factor: 0.8)])
        let found = ChangePointDetector().detect(values, direction: .lowerIsBetter)
        #expect(found.map(\.index) == [25], "seed \(seed): \(found)")
        #expect(found.first?.kind == .improvement, "seed \(seed)")
    }

    @Test func directionDecidesTheKind() {
        let values = series(seed: 7, steps: [(at: 20, factor: 1.3)])
        #expect(ChangePointDetector().detect(values, direction: .higherIsBetter).map(\.kind) == [.improvement])
        #expect(ChangePointDetector().detect(values, direction: .lowerIsBetter).map(\.kind) == [.regression])
    }

    @Test(arguments: 1...10 as ClosedRange<UInt64>)
    func twoStepsAreBothFound(seed: UInt64) {
        let values = series(seed: seed, count: 45, steps: [(at: 12, factor: 1.25), (at: 30, factor: 0.7)])
        let found = ChangePointDetector().detect(values, direction: .lowerIsBetter)
        #expect(found.map(\.index) == [12, 30], "seed \(seed): \(found)")
        #expect(found.map(\.kind) == [.regression, .improvement], "seed \(seed)")
    }

    @Test(arguments: 1...10 as ClosedRange<UInt64>)
    func singleOutliersAreNotSteps(seed: UInt64) {
        var values = series(seed: seed)
        values[10] *= 3
        values[22] *= 0.3
        values[23] *= 2.5
        let found = ChangePointDetector().detect(values, direction: .lowerIsBetter)
        #expect(found.isEmpty, "seed \(seed): \(found)")
    }

    @Test(arguments: 1...10 as ClosedRange<UInt64>)
    func shiftsBelowTheEffectFloorAreIgnored(seed: UInt64) {
        // A 3 % shift with 0.5 % noise is statistically clear but below the 5 % floor.
        let values = series(seed: seed, noise: 0.005, steps: [(at: 20, factor: 1.03)])
        #expect(ChangePointDetector().detect(values, direction: .lowerIsBetter).isEmpty, "seed \(seed)")
        let sensitive = ChangePointDetector(minimumEffect: 0.02)
        #expect(sensitive.detect(values, direction: .lowerIsBetter).map(\.index) == [20], "seed \(seed)")
    }

    @Test func stepNearTheEndNeedsMinimumSideRuns() {
        let threeAfter = series(seed: 3, count: 23, steps: [(at: 20, factor: 1.5)])
        #expect(ChangePointDetector().detect(threeAfter, direction: .lowerIsBetter).isEmpty)
        let fourAfter = series(seed: 3, count: 24, steps: [(at: 20, factor: 1.5)])
        #expect(ChangePointDetector().detect(fourAfter, direction: .lowerIsBetter).map(\.index) == [20])
    }

    @Test func shortAndDegenerateSeriesAreSafe() {
        let detector = ChangePointDetector()
        #expect(detector.detect([], direction: .lowerIsBetter).isEmpty)
        #expect(detector.detect([1, 2, 3], direction: .lowerIsBetter).isEmpty)
        #expect(detector.detect(Array(repeating: 5, count: 30), direction: .lowerIsBetter).isEmpty)
        #expect(detector.detect(Array(repeating: 0, count: 30), direction: .lowerIsBetter).isEmpty)
        let withNaN = series(seed: 1).enumerated().map { $0.offset == 5 ? Double.nan : $0.element }
        #expect(detector.detect(withNaN, direction: .lowerIsBetter).isEmpty)
    }

    @Test func exactPValuesMatchTheTable() {
        // 6 v 6 complete separation: 2 / C(12, 6) = 2 / 924.
        #expect(abs(MannWhitney.twoSidedPValue(u: 0, m: 6, n: 6) - 2.0 / 924) < 1e-12)
        #expect(abs(MannWhitney.twoSidedPValue(u: 36, m: 6, n: 6) - 2.0 / 924) < 1e-12)
        // 4 v 4, U ≤ 1: (1 + 1) arrangements of 70, two-sided.
        #expect(abs(MannWhitney.twoSidedPValue(u: 1, m: 4, n: 4) - 4.0 / 70) < 1e-12)
        #expect(MannWhitney.twoSidedPValue(u: 8, m: 4, n: 4) == 1)
        #expect(MannWhitney.u([1, 2], [3, 4]) == 4)
        #expect(MannWhitney.u([1, 2], [2, 0]) == 1.5)
    }
}
