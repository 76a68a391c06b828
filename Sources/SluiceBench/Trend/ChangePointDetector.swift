import Foundation

/// A step in a series: from one level to another, at `index` (the first point of the new level).
public struct ChangePoint: Hashable, Sendable {
    /// Whether the step made the metric worse or better, given its direction.
    public enum Kind: String, Codable, Hashable, Sendable {
        case regression
        case improvement
    }

    /// The first point of the new level.
    public var index: Int
    /// The median of the window before the step.
    public var before: Double
    /// The median of the window after the step.
    public var after: Double
    /// The two-sided exact Mann–Whitney p-value of the windows.
    public var pValue: Double
    /// Whether the new level is worse (`regression`) or better (`improvement`), given the metric's direction.
    public var kind: Kind

    /// `after / before` (the change as a ratio), or nil when `before` is zero.
    public var ratio: Double? { before == 0 ? nil : after / before }
}

/// Finds steps in a benchmark's history, E-Divisive style (the method of Apache Otava, formerly Hunter):
/// a pure function of the series.
///
/// The series is split recursively. In a segment, every split point with at least `minimumSide` points on
/// each side is scored by the energy distance (E-statistic, α = 1) between the `window` points before it and
/// the `window` points after it, clipped to the segment, on log values when all are positive so that the
/// score does not depend on the unit. Splits are tried from the highest score down; the first one that passes
/// the significance test is kept, and both sides are searched again, so steps found earlier clip the windows
/// of later ones. A split passes when the exact two-sided Mann–Whitney p-value of its two windows is at most
/// `significance` **and** their medians differ by at least `minimumEffect` (relative).
///
/// Why this method: the energy distance finds where the distribution moves, not only the mean; the windows keep
/// an old step from hiding a new one in a long history (Otava's windowed analysis); and the significance test is
/// rank-based (Otava uses a t-test), so one outlier run (a noisy neighbour on the CI machine) cannot make a step.
/// The effect floor stops tiny but consistent shifts from being flagged. A step needs `minimumSide` runs on its
/// new level before it can be reported: the price of robustness.
public struct ChangePointDetector: Hashable, Sendable {
    /// Points compared on each side of a split.
    public var window: Int
    /// Fewest points on each side.
    public var minimumSide: Int
    /// Largest p-value that counts as a step.
    public var significance: Double
    /// Smallest relative change of the medians that counts as a step: 0.05 = 5 %.
    public var minimumEffect: Double

    /// Creates a detector. The defaults (6 points a side, at least 4, p ≤ 0.01, 5 %) suit nightly runs.
    public init(window: Int = 6, minimumSide: Int = 4, significance: Double = 0.01, minimumEffect: Double = 0.05) {
        precondition(window >= minimumSide && minimumSide >= 1, "window must be at least minimumSide, which is >= 1")
        precondition(significance > 0 && minimumEffect >= 0, "significance must be positive, minimumEffect >= 0")
        self.window = window
        self.minimumSide = minimumSide
        self.significance = significance
        self.minimumEffect = minimumEffect
    }

    /// The steps in `values`, in index order, classified by `direction`.
    /// Non-finite values are not expected (history stores finite summaries); they never crash the detector.
    /// Complexity: O(n × window²) per step found, plus O(window⁴) per distinct window size for the exact
    /// distribution.
    public func detect(_ values: [Double], direction: BenchmarkMetric.Direction) -> [ChangePoint] {
        guard values.count >= 2 * minimumSide else { return [] }
        let scores = values.allSatisfy { $0 > 0 && $0.isFinite } ? values.map { Foundation.log($0) } : values
        var found: [ChangePoint] = []
        var segments = [(lower: 0, upper: values.count)]
        while let segment = segments.popLast() {
            guard segment.upper - segment.lower >= 2 * minimumSide else { continue }
            var ranked: [(index: Int, score: Double)] = []
            for split in (segment.lower + minimumSide)...(segment.upper - minimumSide) {
                let score = energy(scores, at: split, lower: segment.lower, upper: segment.upper)
                if score.isFinite && score > 0 { ranked.append((split, score)) }
            }
            // Only local peaks of the energy can be steps: a split beside a higher one straddles the real step
            // (the step itself may be too close to the end to test yet).
            let scoreAt = Dictionary(uniqueKeysWithValues: ranked.map { ($0.index, $0.score) })
            ranked.removeAll { candidate in
                ((candidate.index - minimumSide + 1)...(candidate.index + minimumSide - 1)).contains { neighbour in
                    (scoreAt[neighbour] ?? 0) > candidate.score
                }
            }
            ranked.sort { lhs, rhs in lhs.score != rhs.score ? lhs.score > rhs.score : lhs.index < rhs.index }
            for (index, _) in ranked {
                guard let point = test(values, at: index, lower: segment.lower, upper: segment.upper, direction: direction)
                else { continue }
                found.append(point)
                segments.append((segment.lower, index))
                segments.append((index, segment.upper))
                break
            }
        }
        return found.sorted { $0.index < $1.index }
    }

    /// The energy distance between the windows either side of `index`, clipped to `lower..<upper`, scaled by
    /// `m·n/(m+n)` as in E-Divisive. Non-finite points are left out. Complexity: O(window²).
    func energy(_ values: [Double], at index: Int, lower: Int, upper: Int) -> Double {
        let left = values[max(lower, index - window)..<index].filter(\.isFinite)
        let right = values[index..<min(upper, index + window)].filter(\.isFinite)
        guard left.count >= 2, right.count >= 2 else { return 0 }
        func meanDistance(_ a: [Double], _ b: [Double]) -> Double {
            var total = 0.0
            for x in a { for y in b { total += abs(x - y) } }
            return total / Double(a.count * b.count)
        }
        func meanWithin(_ a: [Double]) -> Double {
            var total = 0.0
            for i in a.indices { for j in a.indices where j > i { total += abs(a[i] - a[j]) } }
            return total / Double(a.count * (a.count - 1) / 2)
        }
        let m = Double(left.count)
        let n = Double(right.count)
        let distance = 2 * meanDistance(left, right) - meanWithin(left) - meanWithin(right)
        return m * n / (m + n) * distance
    }

    /// Tests the split at `index` with windows clipped to `lower..<upper`.
    private func test(
        _ values: [Double], at index: Int, lower: Int, upper: Int, direction: BenchmarkMetric.Direction
    ) -> ChangePoint? {
        let left = Array(values[max(lower, index - window)..<index]).filter(\.isFinite)
        let right = Array(values[index..<min(upper, index + window)]).filter(\.isFinite)
        guard left.count >= minimumSide, right.count >= minimumSide else { return nil }
        let before = Self.median(left)
        let after = Self.median(right)
        let scale = abs(before)
        guard scale > 0 || after != before else { return nil }
        let relative = scale > 0 ? abs(after - before) / scale : .infinity
        guard relative >= minimumEffect, after != before else { return nil }
        let u = MannWhitney.u(left, right)
        let pValue = MannWhitney.twoSidedPValue(u: u, m: left.count, n: right.count)
        guard pValue <= significance else { return nil }
        let isWorse = direction == .lowerIsBetter ? after > before : after < before
        return ChangePoint(
            index: index, before: before, after: after, pValue: pValue, kind: isWorse ? .regression : .improvement)
    }

    /// The median of a non-empty array. Complexity: O(n log n).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
