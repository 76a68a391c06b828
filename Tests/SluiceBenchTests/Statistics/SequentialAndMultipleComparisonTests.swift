import Foundation
import SluiceBench
import SluiceTestKit
import Testing

@Suite struct AlphaSpendingTests {
    @Test(arguments: [1, 2, 3, 5])
    func levelsOfAllLooksSumToAlpha(looks: Int) {
        let design = AlphaSpending(alpha: 0.05, looks: looks)
        let total = (1...looks).map { design.level(atLook: $0) }.reduce(0, +)
        #expect(abs(total - 0.05) < 1e-12)
        #expect((1...looks).allSatisfy { design.level(atLook: $0) > 0 })
    }

    @Test func pocockTypeSpendingPutsMoreOnEarlyLooks() {
        let design = AlphaSpending(alpha: 0.05, looks: 3)
        #expect(design.level(atLook: 1) > design.level(atLook: 2))
        #expect(design.level(atLook: 2) > design.level(atLook: 3))
        // alpha · ln(1 + (e − 1)/3) = 0.0226...
        #expect(abs(design.level(atLook: 1) - 0.05 * log(1 + (exp(1) - 1) / 3)) < 1e-12)
    }

    @Test func aFixedDesignSpendsEverythingAtOnce() {
        #expect(AlphaSpending(alpha: 0.05, looks: 1).level(atLook: 1) == 0.05)
    }
}

@Suite struct HolmBonferroniTests {
    @Test func stepsDownAndStopsAtTheFirstFailure() {
        // m = 4: thresholds 0.0125, 0.0167, 0.025, 0.05.
        let rejected = HolmBonferroni.rejections(pValues: [0.01, 0.04, 0.012, 0.03], alpha: 0.05)
        #expect(rejected == [true, false, true, false])
    }

    @Test func aLargerFamilyMakesEveryStepStricter() {
        #expect(HolmBonferroni.rejections(pValues: [0.01], alpha: 0.05) == [true])
        #expect(HolmBonferroni.rejections(pValues: [0.01], alpha: 0.05, familySize: 20) == [false])
    }

    @Test func adjustedPValuesAreMonotoneAndCapped() {
        let adjusted = HolmBonferroni.adjusted(pValues: [0.01, 0.04, 0.012, 0.3])
        #expect(adjusted[0] == 0.04)
        #expect(adjusted[2] == 0.04)  // 3 × 0.012 = 0.036, raised to keep the order
        #expect(abs(adjusted[1] - 0.08) < 1e-12)
        #expect(adjusted[3] == 0.3)
    }

    /// 20 benchmarks with no change, 400 simulated suites: with Holm the share of suites with any rejection
    /// stays near or below alpha; testing each at alpha alone would alarm in about 64 % of them.
    @Test func twentyUnchangedBenchmarksRarelyRaiseAnyAlarm() {
        let seed: UInt64 = 20_261_206
        var generator = SeededRandomNumberGenerator(seed: seed)
        var holmAlarms = 0
        var naiveAlarms = 0
        for _ in 0..<400 {
            var pValues: [Double] = []
            for _ in 0..<20 {
                let base = (0..<6).map { _ in Double.random(in: 1...2, using: &generator) }
                let cand = (0..<6).map { _ in Double.random(in: 1...2, using: &generator) }
                pValues.append(ShiftTest.pValueAbove(baseline: base, candidate: cand) ?? 1)
            }
            if HolmBonferroni.rejections(pValues: pValues, alpha: 0.05).contains(true) { holmAlarms += 1 }
            if pValues.contains(where: { $0 <= 0.05 }) { naiveAlarms += 1 }
        }
        #expect(holmAlarms <= 30, "seed \(seed): \(holmAlarms) of 400 suites alarmed under Holm")
        #expect(naiveAlarms >= 150, "seed \(seed): the uncorrected rate should be large, was \(naiveAlarms)/400")
    }
}

@Suite struct ShiftTestTests {
    @Test func completeSeparationGivesTheSmallestPValue() throws {
        let base = [10.0, 10.1, 10.2, 10.3, 10.4, 10.5]
        let cand = base.map { $0 * 1.2 }
        let p = try #require(ShiftTest.pValueAbove(baseline: base, candidate: cand))
        #expect(abs(p - 1.0 / 924) < 1e-12)
        #expect(abs(ShiftTest.smallestPValue(m: 6, n: 6) - 1.0 / 924) < 1e-12)
        // The other direction is not significant at all.
        #expect((ShiftTest.pValueBelow(baseline: base, candidate: cand) ?? 0) > 0.99)
    }

    @Test func identicalSamplesAreNotEvidence() throws {
        let values = [5.0, 6, 7, 8]
        let p = try #require(ShiftTest.pValueAbove(baseline: values, candidate: values))
        #expect(p > 0.4)
    }

    @Test func aShiftedNullMovesThePValue() throws {
        let base = [10.0, 10.1, 10.2, 10.3, 10.4, 10.5]
        let cand = base.map { $0 * 1.2 }
        // Testing H0: ratio <= 1.3 against data 20 % slower: no evidence.
        #expect((ShiftTest.pValueAbove(baseline: base, candidate: cand, ratio: 1.3) ?? 0) > 0.99)
    }

    @Test func nonPositiveValuesHaveNoTest() {
        #expect(ShiftTest.pValueAbove(baseline: [0, 1], candidate: [1, 2]) == nil)
        #expect(ShiftTest.pValueAbove(baseline: [], candidate: [1, 2]) == nil)
    }
}
