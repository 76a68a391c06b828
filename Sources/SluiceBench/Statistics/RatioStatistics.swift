#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Distribution-free statistics for comparing a metric's per-round values between a baseline and a candidate.
///
/// The method, in full (the README quotes it):
/// - Each value is one round's median (`MetricResult.roundValues`); rounds are spread over processes, so the
///   spread between them includes the noise between processes that a single stored number hides.
/// - Work on logarithms, so that a multiplicative change is a shift: `d(i,j) = log(c_i) - log(b_j)` for every
///   pair of a candidate round `c_i` and a baseline round `b_j` (`m * n` differences).
/// - The estimate of the ratio is `exp(median of d)`: the Hodges–Lehmann estimator of the shift.
/// - The confidence interval is `[exp(d(k)), exp(d(mn + 1 - k))]` from the sorted differences, with `k` from
///   the Mann–Whitney distribution (exact for `m * n <= 2500`, normal approximation above). It assumes the two
///   distributions differ by a shift in log space; it needs no normality and no resampling, so it is
///   deterministic and needs no seed.
/// - The default confidence is 95 % (two-sided). With very few rounds (fewer than 4 per side at 95 %) the
///   interval is the full range of differences and `RatioInterval.confidence` says which level it really has.
public enum RatioStatistics {
    /// The default two-sided confidence level of the gate's intervals.
    public static let defaultConfidence = 0.95

    /// The Hodges–Lehmann estimate of `candidate / baseline` and its Mann–Whitney confidence interval.
    ///
    /// Returns nil when either side is empty or holds a value that is not finite and positive (a ratio needs
    /// positive values).
    /// - Complexity: O(m · n · log(m · n)) for `m` baseline and `n` candidate values.
    public static func hodgesLehmannRatio(
        baseline: [Double], candidate: [Double], confidence: Double = defaultConfidence
    ) -> RatioInterval? {
        guard !baseline.isEmpty, !candidate.isEmpty else { return nil }
        guard baseline.allSatisfy({ $0.isFinite && $0 > 0 }), candidate.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            return nil
        }
        let logBaseline = baseline.map { log($0) }
        let logCandidate = candidate.map { log($0) }
        var differences: [Double] = []
        differences.reserveCapacity(logBaseline.count * logCandidate.count)
        for c in logCandidate {
            for b in logBaseline {
                differences.append(c - b)
            }
        }
        differences.sort()
        let (index, coverage) = MannWhitneyDistribution.boundIndex(
            m: logBaseline.count, n: logCandidate.count, confidence: confidence)
        return RatioInterval(
            estimate: exp(median(ofSorted: differences)),
            lower: exp(differences[index - 1]),
            upper: exp(differences[differences.count - index]),
            confidence: coverage,
            requestedConfidence: confidence)
    }

    /// The median of `values`; nil when empty.
    /// - Complexity: O(n log n).
    public static func median(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : median(ofSorted: values.sorted())
    }

    /// The median of already sorted, non-empty values.
    static func median(ofSorted sorted: [Double]) -> Double {
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
