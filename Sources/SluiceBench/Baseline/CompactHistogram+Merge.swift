extension CompactHistogram {
    /// The bucket-by-bucket sum of `histograms`; nil when empty or when their precisions or divisors differ.
    /// - Complexity: O(b log b) for b buckets in all.
    static func merging(_ histograms: [CompactHistogram]) -> CompactHistogram? {
        guard let first = histograms.first,
            histograms.allSatisfy({
                $0.significantDigits == first.significantDigits && ($0.valueDivisor ?? 1) == (first.valueDivisor ?? 1)
            })
        else { return nil }
        var counts: [UInt64: UInt64] = [:]
        for histogram in histograms {
            for (value, count) in zip(histogram.values, histogram.counts) {
                counts[value, default: 0] += count
            }
        }
        let values = counts.keys.sorted()
        return CompactHistogram(
            significantDigits: first.significantDigits,
            highestTrackableValue: histograms.map(\.highestTrackableValue).max() ?? first.highestTrackableValue,
            values: values, counts: values.map { counts[$0] ?? 0 }, valueDivisor: first.valueDivisor)
    }

    /// Percentiles, mean and standard deviation from the buckets (each at its representative value, divided by
    /// `valueDivisor`), in the metric's unit; nil when the histogram is empty.
    /// - Complexity: O(b) for b buckets.
    func summary() -> MetricSummary? {
        let total = counts.reduce(0, +)
        guard total > 0 else { return nil }
        let divisor = valueDivisor ?? 1
        let values = self.values.map { Double($0) / divisor }
        func percentile(_ fraction: Double) -> Double {
            let rank = max(1, UInt64((fraction * Double(total)).rounded(.up)))
            var seen: UInt64 = 0
            for (value, count) in zip(values, counts) {
                seen += count
                if seen >= rank { return value }
            }
            return values.last ?? 0
        }
        var sum = 0.0
        for (value, count) in zip(values, counts) {
            sum += value * Double(count)
        }
        let mean = sum / Double(total)
        var squares = 0.0
        for (value, count) in zip(values, counts) {
            squares += (value - mean) * (value - mean) * Double(count)
        }
        return MetricSummary(
            min: values.first ?? 0, p25: percentile(0.25), p50: percentile(0.5), p75: percentile(0.75),
            p90: percentile(0.9), p99: percentile(0.99), p999: percentile(0.999), max: values.last ?? 0,
            mean: mean, standardDeviation: (squares / Double(total)).squareRoot())
    }
}
