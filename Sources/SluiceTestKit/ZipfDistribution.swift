#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Zipf distribution over `0..<count`: rank `k` (from 0) is drawn with probability proportional to
/// 1 / (k + 1)^exponent, so key 0 is the hottest. Draws are seeded through the generator passed in.
public struct ZipfDistribution: Sendable {
    private let cumulative: [Double]

    /// Creates the distribution. O(count). - Precondition: `count > 0`.
    public init(count: Int, exponent: Double) {
        precondition(count > 0, "a distribution needs at least one value")
        var cumulative: [Double] = []
        cumulative.reserveCapacity(count)
        var total = 0.0
        for rank in 1...count {
            total += 1 / pow(Double(rank), exponent)
            cumulative.append(total)
        }
        self.cumulative = cumulative
    }

    /// Draws one value. O(log count).
    public func next<Generator: RandomNumberGenerator>(using generator: inout Generator) -> Int {
        // `cumulative` is never empty (count > 0).
        let draw = Double.random(in: 0..<cumulative.last!, using: &generator)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > draw { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
