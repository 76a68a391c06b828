/// The slope of a metric over time with a distribution-free confidence interval (Theil–Sen with Sen's interval).
///
/// Soak verdicts come from the slope after warm-up, never from the endpoints: a single spike at the end of a
/// run moves the endpoints but not the median of pairwise slopes. The interval is Sen's (1968) method: with
/// `N = n(n−1)/2` pairwise slopes sorted, and `C = z·√(n(n−1)(2n+5)/18)`, the bounds are the slopes at ranks
/// `(N − C)/2` and `(N + C)/2 + 1`. Ties are ignored in the variance (conservative for continuous metrics).
public struct TrendSlope: Hashable, Sendable, Codable {
    /// The Theil–Sen estimate: the median of all pairwise slopes, in units per second.
    public var slope: Double
    /// Lower and upper bounds of the confidence interval, in units per second.
    public var lower: Double
    /// Upper bound of the confidence interval, in the same unit as `slope`.
    public var upper: Double
    /// Confidence level of the interval (e.g. 0.95).
    public var confidence: Double
    /// Points the estimate used.
    public var pointCount: Int

    /// Estimates the slope of `values` over `times` (seconds). Needs at least 3 points; returns nil otherwise.
    ///
    /// Complexity: O(m² log m) where m = min(n, `maxPoints`); longer series are averaged into `maxPoints` bins
    /// first, which keeps hours-long soak runs cheap.
    public static func estimate(
        times: [Double], values: [Double], confidence: Double = 0.95, maxPoints: Int = 400
    ) -> TrendSlope? {
        precondition(times.count == values.count, "times and values must have the same length")
        let (t, y) = bin(times: times, values: values, maxPoints: maxPoints)
        let n = t.count
        guard n >= 3 else { return nil }
        var slopes: [Double] = []
        slopes.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<n {
            for j in (i + 1)..<n where t[j] != t[i] {
                slopes.append((y[j] - y[i]) / (t[j] - t[i]))
            }
        }
        guard !slopes.isEmpty else { return nil }
        slopes.sort()
        let count = Double(slopes.count)
        let z = NormalDistribution.quantile(0.5 + confidence / 2)
        let nn = Double(n)
        let c = z * (nn * (nn - 1) * (2 * nn + 5) / 18).squareRoot()
        let lowerRank = Int(((count - c) / 2).rounded(.down))
        let upperRank = Int(((count + c) / 2).rounded(.up))
        let lower = slopes[min(max(lowerRank - 1, 0), slopes.count - 1)]
        let upper = slopes[min(max(upperRank, 0), slopes.count - 1)]
        return TrendSlope(slope: RatioStatistics.median(ofSorted: slopes), lower: lower, upper: upper, confidence: confidence, pointCount: n)
    }

    private static func bin(times: [Double], values: [Double], maxPoints: Int) -> ([Double], [Double]) {
        guard times.count > maxPoints, maxPoints > 0 else { return (times, values) }
        var binnedTimes: [Double] = []
        var binnedValues: [Double] = []
        let perBin = Double(times.count) / Double(maxPoints)
        for bin in 0..<maxPoints {
            let start = Int((Double(bin) * perBin).rounded(.down))
            let end = min(times.count, Int((Double(bin + 1) * perBin).rounded(.down)))
            guard end > start else { continue }
            let slice = start..<end
            binnedTimes.append(times[slice].reduce(0, +) / Double(slice.count))
            binnedValues.append(values[slice].reduce(0, +) / Double(slice.count))
        }
        return (binnedTimes, binnedValues)
    }
}
