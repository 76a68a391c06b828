/// The Mann–Whitney U test with exact p-values for the small windows the change-point detector uses.
package enum MannWhitney {
    /// U of `second` against `first`: the number of pairs where the `second` value is larger, ties counting 1/2.
    /// Complexity: O(m × n).
    package static func u(_ first: [Double], _ second: [Double]) -> Double {
        var total = 0.0
        for x in first {
            for y in second {
                if y > x {
                    total += 1
                } else if y == x {
                    total += 0.5
                }
            }
        }
        return total
    }

    /// The exact two-sided p-value of `u` for samples of sizes `m` and `n`, from the permutation distribution
    /// without ties (`MannWhitneyDistribution`). A tied (half-integer) U is rounded toward the centre, so ties
    /// make the test conservative.
    /// Complexity: O(m × m × n); meant for windows of a few tens of points.
    package static func twoSidedPValue(u: Double, m: Int, n: Int) -> Double {
        precondition(m > 0 && n > 0, "both samples must be non-empty")
        let maximum = m * n
        let extreme = min(u, Double(maximum) - u)
        let k = min(Int(extreme.rounded(.up)), maximum)
        let cumulative = MannWhitneyDistribution.cumulativeDistribution(m: m, n: n)
        return min(1, 2 * cumulative[k])
    }
}
