import Histogram

extension CompactHistogram {
    /// The non-empty buckets of `histogram`, with `valueDivisor` recorded beside them.
    /// Complexity: O(buckets).
    public init(_ histogram: Histogram<UInt64>, valueDivisor: Double? = nil) {
        var values: [UInt64] = []
        var counts: [UInt64] = []
        for bucket in histogram.recordedValues() {
            values.append(bucket.value)
            counts.append(bucket.count)
        }
        self.init(
            significantDigits: Int(histogram.numberOfSignificantValueDigits.rawValue),
            highestTrackableValue: histogram.highestTrackableValue, values: values, counts: counts,
            valueDivisor: valueDivisor)
    }

    /// Rebuilds an HDR histogram holding the same buckets. Complexity: O(buckets).
    public func makeHistogram() -> Histogram<UInt64> {
        let digits = SignificantDigits(rawValue: Int8(clamping: significantDigits)) ?? .three
        var histogram = Histogram<UInt64>(
            highestTrackableValue: Swift.max(highestTrackableValue, 2), numberOfSignificantValueDigits: digits)
        histogram.autoResize = true
        for (value, count) in zip(values, counts) { _ = histogram.record(value, count: count) }
        return histogram
    }

    /// This histogram with `other`'s buckets added: what merging shards or processes needs.
    /// Throws when the two were recorded differently (digits or value divisor). Complexity: O(buckets).
    public func merged(with other: CompactHistogram) throws -> CompactHistogram {
        guard significantDigits == other.significantDigits, (valueDivisor ?? 1) == (other.valueDivisor ?? 1) else {
            throw HarnessError(
                code: .invalidResults,
                message: "cannot merge histograms recorded differently (digits \(significantDigits) vs "
                    + "\(other.significantDigits), divisor \(valueDivisor ?? 1) vs \(other.valueDivisor ?? 1))")
        }
        var histogram = makeHistogram()
        histogram.add(other.makeHistogram())
        return CompactHistogram(histogram, valueDivisor: valueDivisor)
    }

    /// The summary of the samples, in the metric's unit (values divided by `valueDivisor`).
    /// Nil when the histogram is empty. Complexity: O(buckets).
    public func makeSummary() -> MetricSummary? {
        MetricSummary(makeHistogram(), divisor: valueDivisor ?? 1)
    }
}

extension MetricSummary {
    /// The percentiles of `histogram`, each divided by `divisor`. Nil when the histogram is empty.
    /// Complexity: O(buckets).
    public init?(_ histogram: Histogram<UInt64>, divisor: Double = 1) {
        guard histogram.totalCount > 0 else { return nil }
        func at(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / divisor }
        self.init(
            min: Double(histogram.min) / divisor, p25: at(25), p50: at(50), p75: at(75), p90: at(90), p99: at(99),
            p999: at(99.9), max: Double(histogram.max) / divisor, mean: histogram.mean / divisor,
            standardDeviation: histogram.stdDeviation / divisor)
    }

    /// The summary of exact values (no histogram rounding): nearest-rank percentiles.
    /// Nil when `values` is empty. Complexity: O(n log n).
    public init?(exactValues values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func at(_ percentile: Double) -> Double {
            let rank = Int((percentile / 100 * Double(sorted.count)).rounded(.up))
            return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
        }
        let mean = sorted.reduce(0, +) / Double(sorted.count)
        let variance = sorted.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(sorted.count)
        self.init(
            min: sorted[0], p25: at(25), p50: at(50), p75: at(75), p90: at(90), p99: at(99), p999: at(99.9),
            max: sorted[sorted.count - 1], mean: mean, standardDeviation: variance.squareRoot())
    }
}
