#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One-sided Mann–Whitney tests of a multiplicative shift between two samples of positive values.
///
/// The gate's timing lane tests `H0: candidate / baseline <= 1` (no slowdown) against `H1: ratio > 1` on the
/// values of independent worker processes (one value per process). Work is on logarithms, so a ratio is a
/// shift. The p-value is exact for `m * n <= MannWhitneyDistribution.exactLimit` (ties count one half), and
/// from the normal approximation with continuity correction above. Distribution-free; deterministic.
public enum ShiftTest {
    /// The one-sided p-value of `H0: candidate / baseline <= ratio` against `H1: candidate / baseline > ratio`.
    ///
    /// `U` counts the pairs `(c, b)` with `c / ratio > b` (ties one half); large `U` is evidence against `H0`.
    /// Returns nil when a sample is empty or holds a value that is not finite and positive.
    /// - Complexity: O(m · n + m · m · n).
    public static func pValueAbove(baseline: [Double], candidate: [Double], ratio: Double = 1) -> Double? {
        guard ratio > 0, let (logBaseline, logCandidate) = logs(baseline, candidate) else { return nil }
        let shift = log(ratio)
        var u = 0.0
        for c in logCandidate {
            for b in logBaseline {
                let d = (c - shift) - b
                if d > 0 { u += 1 } else if d == 0 { u += 0.5 }
            }
        }
        return upperTail(u: u, m: logBaseline.count, n: logCandidate.count)
    }

    /// The one-sided p-value of `H0: candidate / baseline >= ratio` against `H1: candidate / baseline < ratio`.
    public static func pValueBelow(baseline: [Double], candidate: [Double], ratio: Double = 1) -> Double? {
        guard ratio > 0 else { return nil }
        // Swapping the samples mirrors the test: c/b < r  <=>  b/c > 1/r.
        return pValueAbove(baseline: candidate, candidate: baseline, ratio: 1 / ratio)
    }

    /// The smallest p-value the samples' sizes can give at all: `1 / C(m + n, m)` (complete separation).
    /// With 7 processes a side it is 1/3432 ≈ 0.00029; with 6, 1/924 ≈ 0.0011; with 4, 1/70 ≈ 0.014.
    public static func smallestPValue(m: Int, n: Int) -> Double {
        guard m > 0, n > 0 else { return 1 }
        var value = 1.0
        for i in 1...min(m, n) {
            value *= Double(i) / Double(max(m, n) + i)
        }
        return value
    }

    /// `P(U >= u)` under `H0`, `U` in `0 ... m * n` (u may be a half-integer from ties).
    static func upperTail(u: Double, m: Int, n: Int) -> Double {
        let total = m * n
        if total <= MannWhitneyDistribution.exactLimit {
            // P(U >= u) = 1 - P(U <= ceil(u) - 1); by symmetry P(U >= u) = P(U <= total - u).
            let bound = Double(total) - u
            let index = Int(bound.rounded(.down))
            guard index >= 0 else { return 0 }
            let cumulative = MannWhitneyDistribution.cumulativeDistribution(m: m, n: n)
            return min(1, cumulative[min(index, total)])
        }
        let mean = Double(total) / 2
        let deviation = (Double(total) * Double(m + n + 1) / 12).squareRoot()
        return 1 - NormalDistribution.cumulative((u - 0.5 - mean) / deviation)
    }

    private static func logs(_ baseline: [Double], _ candidate: [Double]) -> ([Double], [Double])? {
        guard !baseline.isEmpty, !candidate.isEmpty,
            baseline.allSatisfy({ $0.isFinite && $0 > 0 }), candidate.allSatisfy({ $0.isFinite && $0 > 0 })
        else { return nil }
        return (baseline.map { log($0) }, candidate.map { log($0) })
    }
}
