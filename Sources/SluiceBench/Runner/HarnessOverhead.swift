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

    /// Measures the overhead with `clock`: `blocks` blocks of `blockSize` samples each, taking the median block,
    /// so that preemption on a loaded machine does not inflate the figure. Complexity: O(blocks · blockSize).
    public static func measure(clock: any MonotonicClock, blocks: Int = 200, blockSize: Int = 100) -> HarnessOverhead {
        var histogram = Histogram<UInt64>(
            highestTrackableValue: LatencyRecorder.highestTrackableValue, numberOfSignificantValueDigits: .three)
        var empty = [UInt64](repeating: 0, count: blocks * blockSize)
        var blockTimes = [UInt64](repeating: 0, count: blocks)
        // Warm the clock and the histogram's pages first.
        for _ in 0..<1_000 { _ = histogram.record(clock.nowNanoseconds() & 0xFFFF) }
        for block in 0..<blocks {
            let start = clock.nowNanoseconds()
            for index in block * blockSize..<(block + 1) * blockSize {
                let t0 = clock.nowNanoseconds()
                let t1 = clock.nowNanoseconds()
                _ = histogram.record(t1 &- t0 &+ 1)
                empty[index] = t1 &- t0
            }
            blockTimes[block] = clock.nowNanoseconds() &- start
        }
        empty.sort()
        blockTimes.sort()
        return HarnessOverhead(
            emptySampleNanoseconds: Double(empty[empty.count / 2]),
            perSampleNanoseconds: Double(blockTimes[blocks / 2]) / Double(blockSize))
    }
}
