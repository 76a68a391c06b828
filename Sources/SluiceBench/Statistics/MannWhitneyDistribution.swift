/// The null distribution of the Mann–Whitney U statistic, used to pick the order statistics that bound a
/// distribution-free confidence interval for a shift (Bauer, 1972; Hollander & Wolfe, chapter 4).
///
/// For small samples (`m * n <= exactLimit`) the distribution is exact, computed from the generating function
/// of U (the Gaussian binomial coefficient). Above that a normal approximation is used, which is accurate there.
public enum MannWhitneyDistribution {
    /// The largest `m * n` for which the exact distribution is computed.
    public static let exactLimit = 2_500

    /// The 1-based order index `k` of the interval's bounds among the `m * n` sorted pairwise differences,
    /// `[d(k), d(m*n + 1 - k)]`, and the coverage that interval has.
    ///
    /// `k` is the largest index with `P(U <= k - 1) <= (1 - confidence) / 2`, giving coverage
    /// `1 - 2 P(U <= k - 1)`. When even `k = 1` does not qualify (too few rounds), `k` is 1 anyway: the interval
    /// is the full range of differences, and its coverage is below the requested level.
    ///
    /// - Complexity: O(m · m · n) for the exact distribution, O(1) for the approximation.
    public static func boundIndex(m: Int, n: Int, confidence: Double) -> (index: Int, coverage: Double) {
        precondition(m > 0 && n > 0, "both samples need at least one value")
        precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1)")
        let alphaHalf = (1 - confidence) / 2
        let total = m * n
        if total <= exactLimit {
            let cumulative = cumulativeDistribution(m: m, n: n)
            // Find the largest k with P(U <= k - 1) <= alpha/2; never past the middle.
            var index = 1
            while index < (total + 1) / 2, cumulative[index] <= alphaHalf {
                index += 1
            }
            return (index, 1 - 2 * cumulative[index - 1])
        }
        let mean = Double(total) / 2
        let deviation = (Double(total) * Double(m + n + 1) / 12).squareRoot()
        let z = NormalDistribution.quantile(1 - alphaHalf)
        let index = min(max(1, Int((mean - z * deviation + 0.5).rounded(.down))), (total + 1) / 2)
        let coverage = 1 - 2 * NormalDistribution.cumulative((Double(index) - 0.5 - mean) / deviation)
        return (index, coverage)
    }

    /// `P(U <= u)` for `u` in `0 ... m * n`, under the null hypothesis of no shift and no ties.
    ///
    /// The counts of arrangements with `U = u` are the coefficients of the Gaussian binomial
    /// `[m + n choose m]_q = prod_{i=1...m} (1 - q^(n+i)) / (1 - q^i)`, built one factor at a time.
    /// - Complexity: O(m · m · n).
    public static func cumulativeDistribution(m: Int, n: Int) -> [Double] {
        let total = m * n
        var coefficients = [Double](repeating: 0, count: total + 1)
        coefficients[0] = 1
        var degree = 0
        for i in 1...m {
            // Multiply by (1 - q^(n+i)).
            let shift = n + i
            degree += n
            if shift <= total {
                for power in stride(from: min(degree + i, total), through: shift, by: -1) {
                    coefficients[power] -= coefficients[power - shift]
                }
            }
            // Divide by (1 - q^i): the running sum with stride i.
            if i <= total {
                for power in i...total {
                    coefficients[power] += coefficients[power - i]
                }
            }
        }
        var sum = 0.0
        let arrangements = coefficients.reduce(0, +)
        var cumulative = [Double](repeating: 0, count: total + 1)
        for power in 0...total {
            sum += coefficients[power]
            cumulative[power] = sum / arrangements
        }
        return cumulative
    }
}
