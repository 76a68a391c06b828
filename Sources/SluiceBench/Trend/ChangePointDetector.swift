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
    public var kind: Kind

    /// `after / before` (the change as a ratio), or nil when `before` is zero.
    public var ratio: Double? { before == 0 ? nil : after / before }
}

/// Finds steps in a benchmark's history with a two-window rank test: a pure function of the series.
///
/// For every split point it compares the `window` values before it with the `window` values after it
/// (at least `minimumSide` on each side, so the ends of a series are covered by shorter windows). A split is
/// a candidate when the exact two-sided Mann–Whitney p-value is at most `significance` **and** the medians
/// differ by at least `minimumEffect` (relative). Candidates are taken best first (lowest p, then largest
/// effect) and any candidate within `minimumSide` points of a taken one is dropped, because the windows
/// around a real step overlap it. Each kept step is then re-tested with its windows clipped at its
/// neighbours, so that two nearby steps do not blur each other.
///
/// Why this method: it is rank-based, so one outlier run (a noisy neighbour on the CI machine) cannot
/// make a step, and the median effect floor stops tiny but consistent shifts from being flagged. It needs
/// `minimumSide` runs on the new level before it reports a step, which is the price of robustness.
public struct ChangePointDetector: Hashable, Sendable {
    /// Points compared on each side of a split.
    public var window: Int
    /// Fewest points on each side; also the spacing below which two steps are one.
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
    /// Complexity: O(n × window²) plus O(window⁴) per distinct window size for the exact distribution.
    public func detect(_ values: [Double], direction: BenchmarkMetric.Direction) -> [ChangePoint] {
        let count = values.count
        guard count >= 2 * minimumSide else { return [] }
        var candidates: [ChangePoint] = []
        for index in minimumSide...(count - minimumSide) {
            if let point = test(values, at: index, lower: 0, upper: count, direction: direction) {
                candidates.append(point)
            }
        }
        candidates.sort { lhs, rhs in
            if lhs.pValue != rhs.pValue { return lhs.pValue < rhs.pValue }
            return effect(lhs) > effect(rhs)
        }
        var kept: [ChangePoint] = []
        for candidate in candidates {
            // A window that straddles a step is often significant too: move the candidate to the split that
            // best separates its neighbourhood, and drop it if the step there is not supported.
            let index = bestSplit(values, near: candidate.index)
            guard !kept.contains(where: { abs($0.index - index) < minimumSide }),
                let located = test(values, at: index, lower: 0, upper: count, direction: direction)
            else { continue }
            kept.append(located)
        }
        kept.sort { $0.index < $1.index }
        var confirmed: [ChangePoint] = []
        for (position, point) in kept.enumerated() {
            let lower = position > 0 ? kept[position - 1].index : 0
            let upper = position + 1 < kept.count ? kept[position + 1].index : count
            if let retested = test(values, at: point.index, lower: lower, upper: upper, direction: direction) {
                confirmed.append(retested)
            }
        }
        return confirmed
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

    /// The split within `minimumSide - 1` of `index` that minimizes the total absolute deviation from each
    /// side's median over the surrounding `window` points a side (on log values when all are positive).
    /// Complexity: O(minimumSide × window log window).
    private func bestSplit(_ values: [Double], near index: Int) -> Int {
        let lower = max(0, index - window)
        let upper = min(values.count, index + window)
        var region = Array(values[lower..<upper])
        if region.allSatisfy({ $0 > 0 && $0.isFinite }) { region = region.map { Foundation.log($0) } }
        func cost(_ part: ArraySlice<Double>) -> Double {
            let finite = part.filter(\.isFinite)
            guard !finite.isEmpty else { return 0 }
            let center = Self.median(finite)
            return finite.reduce(0) { $0 + abs($1 - center) }
        }
        var best = index
        var bestCost = Double.infinity
        for split in max(lower + 1, index - minimumSide + 1)...min(upper - 1, index + minimumSide - 1) {
            let total = cost(region[0..<(split - lower)]) + cost(region[(split - lower)...])
            if total < bestCost || (total == bestCost && abs(split - index) < abs(best - index)) {
                best = split
                bestCost = total
            }
        }
        return best
    }

    private func effect(_ point: ChangePoint) -> Double {
        point.before == 0 ? .infinity : abs(point.after - point.before) / abs(point.before)
    }

    /// The median of a non-empty array. Complexity: O(n log n).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
