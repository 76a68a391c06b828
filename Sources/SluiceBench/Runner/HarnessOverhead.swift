import Histogram
import Sluice

/// The harness's own per-sample cost, measured so it can be kept out of the results and reported beside them.
public struct HarnessOverhead: Sendable, Hashable {
    /// Nanoseconds between two back-to-back clock reads (median): what an empty sample measures, and what
    /// is subtracted from every sample.
    public var emptySampleNanoseconds: Double
    /// Nanoseconds for a whole sample's bookkeeping: two clock reads plus one histogram record (mean).
    /// Written into results as `harnessOverheadNanoseconds`; target ≤ 50 ns.
    public var perSampleNanoseconds: Double

    /// Creates an overhead record (tests use zero with a manual clock).
    public init(emptySampleNanoseconds: Double, perSampleNanoseconds: Double) {
        self.emptySampleNanoseconds = emptySampleNanoseconds
        self.perSampleNanoseconds = perSampleNanoseconds
    }

    /// No overhead: for virtual clocks.
    public static let zero = HarnessOverhead(emptySampleNanoseconds: 0, perSampleNanoseconds: 0)

    /// Measures the overhead with `clock`, `repetitions` times. Complexity: O(repetitions).
    public static func measure(clock: any MonotonicClock, repetitions: Int = 20_000) -> HarnessOverhead {
        var histogram = Histogram<UInt64>(
            highestTrackableValue: LatencyRecorder.highestTrackableValue, numberOfSignificantValueDigits: .three)
        var empty = [UInt64](repeating: 0, count: repetitions)
        // Warm the clock and the histogram's pages first.
        for _ in 0..<1_000 { _ = histogram.record(clock.nowNanoseconds() & 0xFFFF) }
        let start = clock.nowNanoseconds()
        for index in 0..<repetitions {
            let t0 = clock.nowNanoseconds()
            let t1 = clock.nowNanoseconds()
            _ = histogram.record(t1 &- t0 &+ 1)
            empty[index] = t1 &- t0
        }
        let total = clock.nowNanoseconds() &- start
        empty.sort()
        return HarnessOverhead(
            emptySampleNanoseconds: Double(empty[repetitions / 2]),
            perSampleNanoseconds: Double(total) / Double(repetitions))
    }
}
