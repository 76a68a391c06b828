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
    /// without ties. A tied (half-integer) U is rounded toward the centre, so ties make the test conservative.
    /// Complexity: O(m × n × m × n) time; meant for windows of a few tens of points.
    package static func twoSidedPValue(u: Double, m: Int, n: Int) -> Double {
        precondition(m > 0 && n > 0, "both samples must be non-empty")
        let maximum = m * n
        let extreme = min(u, Double(maximum) - u)
        let k = Int(extreme.rounded(.up))
        let distribution = frequencies(m: m, n: n)
        let total = distribution.reduce(0, +)
        var tail = 0.0
        for value in 0...min(k, maximum) { tail += distribution[value] }
        return min(1, 2 * tail / total)
    }

    /// How many arrangements of m and n values give each U from 0 to m × n.
    private static func frequencies(m: Int, n: Int) -> [Double] {
        // table[i][j] is the frequency array for sizes (i, j); built row by row.
        var previousRow: [[Double]] = (0...n).map { _ in [1] }
        for i in 1...m {
            var row: [[Double]] = [[1]]
            for j in 1...n {
                var counts = [Double](repeating: 0, count: i * j + 1)
                // The largest of all i + j values is either from the first sample (U unchanged, sizes i-1, j)
                // or from the second (it beats all i first values: U += i, sizes i, j-1).
                for (u, count) in previousRow[j].enumerated() { counts[u] += count }
                for (u, count) in row[j - 1].enumerated() { counts[u + i] += count }
                row.append(counts)
            }
            previousRow = row
        }
        return previousRow[n]
    }
}
