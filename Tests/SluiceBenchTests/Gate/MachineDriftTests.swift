@testable import SluiceBench
import Testing

@Suite struct MachineDriftTests {
    static func timing(_ benchmark: String, _ outcome: MetricComparison.Outcome, ratio: Double) -> MetricComparison {
        MetricComparison(
            benchmark: benchmark, metric: .wallTime, percentile: "p50", ratio: ratio, outcome: outcome,
            verdictClass: outcome == .regressed ? .performanceAlert : (outcome == .inconclusive ? .inconclusive : nil))
    }

    @Test func aMovedControlDowngradesTimingAlertsButNotAllocations() {
        var comparisons = [
            Self.timing("calibration/memory-walk", .regressed, ratio: 1.6),
            Self.timing("micro/frame/ndjson/chunk4k", .regressed, ratio: 1.6),
            Self.timing("micro/tokenize/twitter/chunk4k", .unchanged, ratio: 1.01),
            MetricComparison(benchmark: "micro/frame/ndjson/chunk4k", metric: .allocations, percentile: "p50",
                ratio: 2, outcome: .regressed, verdictClass: .performanceAlert),
        ]
        GateComparator.downgradeForMachineDrift(&comparisons, calibration: ["calibration/memory-walk"])
        #expect(comparisons[0].outcome == .inconclusive)
        #expect(comparisons[1].outcome == .inconclusive && comparisons[1].verdictClass == .inconclusive)
        #expect(comparisons[1].note?.contains("machine drift: environment control `calibration/memory-walk` changed +60.0 %") == true)
        #expect(comparisons[2].outcome == .unchanged && comparisons[2].note == nil)
        // Allocation counts do not depend on the machine's speed: an extra allocation still fails.
        #expect(comparisons[3].outcome == .regressed && comparisons[3].verdictClass == .performanceAlert)
    }

    @Test func aSteadyControlLeavesAlertsAlone() {
        var comparisons = [
            Self.timing("calibration/memory-walk", .unchanged, ratio: 1.01),
            Self.timing("micro/frame/ndjson/chunk4k", .regressed, ratio: 1.6),
        ]
        GateComparator.downgradeForMachineDrift(&comparisons, calibration: ["calibration/memory-walk"])
        #expect(comparisons[1].outcome == .regressed && comparisons[1].verdictClass == .performanceAlert)
    }

    @Test func withoutControlsNothingChanges() {
        var comparisons = [Self.timing("micro/frame/ndjson/chunk4k", .regressed, ratio: 1.6)]
        GateComparator.downgradeForMachineDrift(&comparisons, calibration: [])
        #expect(comparisons[0].outcome == .regressed)
    }
}
