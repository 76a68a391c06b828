import Foundation

/// The timing lane: worker processes as the unit of replication, a one-sided test per comparison, Holm across
/// the suite, alpha spent across looks, and the environment control normalising rather than vetoing.
///
/// The rule, in full (the README quotes it):
/// 1. Each side's values are one per worker process (`MetricResult.processValues`, the median of that
///    process's rounds). A stored file without them falls back to round values, which are not independent:
///    such a comparison is shown, and can be Inconclusive, but never alerts.
/// 2. Per comparison: the Hodges–Lehmann ratio and its Mann–Whitney interval (shown at `confidence`), and the
///    exact one-sided Mann–Whitney p-value of "no change in the worse direction".
/// 3. A change is *material* when the estimate is past the threshold's limit.
/// 4. Holm–Bonferroni over every gated timing comparison of the run (the family) at the level this look may
///    spend (`AlphaSpending`): a material change whose hypothesis Holm rejects is a Performance Alert. So on
///    unchanged code the chance of any timing alert in a run is at most `alpha`, across benchmarks and looks.
///    A material change Holm does not reject is re-measured while it is promising (own p ≤ 0.25) and looks
///    remain; at the last look it is Inconclusive when its own p ≤ alpha, else Unchanged (see `decideTiming`).
/// 5. Improved: the estimate is past the mirrored limit and the interval lies wholly on the better side of 1.
extension GateComparator {
    /// The drift of the environment control between the sides, when it moved: the Hodges–Lehmann wall-time
    /// ratio of the first calibration benchmark whose interval excludes 1. Timing values of the candidate are
    /// divided by it (time) or multiplied by it (rates) before they are compared. Nil when the control is steady
    /// or absent. A regression well beyond the control's own movement still alerts.
    func controlNormalization(baseline: [String: BenchmarkResult], candidate: [String: BenchmarkResult])
        -> (benchmark: String, factor: Double)?
    {
        for name in configuration.calibrationBenchmarks {
            guard let base = baseline[name]?.metric(.wallTime), let cand = candidate[name]?.metric(.wallTime),
                let (b, c, _) = Self.replicates(base, cand, percentile: "p50"),
                let interval = RatioStatistics.hodgesLehmannRatio(
                    baseline: b, candidate: c, confidence: configuration.confidence),
                !interval.isBelowRequestedConfidence, interval.lower > 1 || interval.upper < 1
            else { continue }
            return (name, interval.estimate)
        }
        return nil
    }

    /// The comparison of an environment control: always made, never a verdict; it says whether the control
    /// moved and by how much.
    func compareControl(benchmark: String, baseline: MetricResult, candidate: MetricResult) -> MetricComparison {
        var comparison = MetricComparison(
            benchmark: benchmark, metric: .wallTime, percentile: "p50", baselineValue: Self.centralValue(baseline),
            candidateValue: Self.centralValue(candidate), outcome: .notGated, note: "environment control")
        guard let (b, c, unit) = Self.replicates(baseline, candidate, percentile: "p50"),
            let interval = RatioStatistics.hodgesLehmannRatio(
                baseline: b, candidate: c, confidence: configuration.confidence)
        else {
            comparison.note = "environment control: no values to compare"
            return comparison
        }
        comparison.ratio = interval.estimate
        comparison.interval = interval
        comparison.replicates = [b.count, c.count]
        let moved = !interval.isBelowRequestedConfidence && (interval.lower > 1 || interval.upper < 1)
        comparison.note = "environment control (\(unit)s): " + Self.describe(interval)
            + (moved ? "; moved: the timing lane is normalised by it" : "; steady")
        return comparison
    }

    /// One timing comparison before the suite-level decision: the interval, the p-value and whether the change
    /// is material. Material changes come back `inconclusive` with their p-value; `decideTiming` then turns
    /// those Holm rejects into `regressed`.
    func compareStatistically(
        benchmark: String, rule: ThresholdRule, baseline: MetricResult, candidate: MetricResult,
        normalization: (benchmark: String, factor: Double)? = nil
    ) -> MetricComparison {
        let metric = candidate.metric
        let percentile = ThresholdSet.canonicalPercentile(rule.percentile)
        let threshold = AppliedThreshold(benchmarkPattern: rule.benchmark, relative: rule.relative,
                                         absolute: rule.absolute)
        let base = Self.value(baseline, at: percentile)
        let cand = Self.value(candidate, at: percentile)
        guard let (b, rawC, unit) = Self.replicates(baseline, candidate, percentile: percentile) else {
            return MetricComparison(
                benchmark: benchmark, metric: metric, percentile: rule.percentile, baselineValue: base,
                candidateValue: cand, ratio: Self.ratio(cand, base), threshold: threshold, outcome: .notGated,
                note: "no per-process \(rule.percentile) values: shown, not gated")
        }
        guard let base, base > 0, let limit = Self.limit(rule: rule, baseline: base, direction: metric.direction)
        else {
            return MetricComparison(
                benchmark: benchmark, metric: metric, percentile: rule.percentile, baselineValue: base,
                candidateValue: cand, threshold: threshold, outcome: .notGated, note: "the baseline value is zero")
        }
        let isLowerBetter = metric.direction == .lowerIsBetter
        let c = Self.normalized(rawC, of: benchmark, metric: metric, by: normalization)
        var normalizationNote: String?
        if let normalization, normalization.benchmark != benchmark {
            normalizationNote = "normalised by the control `\(normalization.benchmark)` "
                + "(\(Self.formatSignedPercent(normalization.factor - 1)))"
        }
        func isWorse(_ ratio: Double, than limit: Double) -> Bool { isLowerBetter ? ratio > limit : ratio < limit }
        guard
            let interval = RatioStatistics.hodgesLehmannRatio(
                baseline: b, candidate: c, confidence: configuration.confidence),
            let pValue = isLowerBetter
                ? ShiftTest.pValueAbove(baseline: b, candidate: c) : ShiftTest.pValueBelow(baseline: b, candidate: c)
        else {
            return MetricComparison(
                benchmark: benchmark, metric: metric, percentile: rule.percentile, baselineValue: base,
                candidateValue: cand, ratio: Self.ratio(cand, base), limit: limit, threshold: threshold,
                outcome: .notGated, note: "no interval (a value is not positive): shown, not gated")
        }
        let isMaterial = isWorse(interval.estimate, than: limit)
        let betterEnd = isLowerBetter ? interval.upper : interval.lower
        let outcome: MetricComparison.Outcome =
            isMaterial ? .inconclusive : (isWorse(1 / limit, than: interval.estimate) && isWorse(1, than: betterEnd)
                ? .improved : .unchanged)
        var notes = [
            Self.describe(interval) + "; limit \(Self.formatSignedPercent(limit - 1)); "
                + "\(b.count)+\(c.count) \(unit)es; p = \(Self.formatP(pValue))"
        ]
        if let normalizationNote { notes.append(normalizationNote) }
        if unit == "round" {
            notes.append("per-round values of a stored file are not independent: shown, never an alert")
        }
        var comparison = MetricComparison(
            benchmark: benchmark, metric: metric, percentile: rule.percentile,
            baselineValue: RatioStatistics.median(b), candidateValue: RatioStatistics.median(rawC),
            ratio: interval.estimate, interval: interval, limit: limit, threshold: threshold, outcome: outcome,
            verdictClass: outcome == .inconclusive ? .inconclusive : nil, note: notes.joined(separator: "; "))
        comparison.pValue = unit == "process" ? pValue : nil
        comparison.replicates = [b.count, c.count]
        return comparison
    }

    /// The suite-level decision of the timing lane: Holm–Bonferroni at this look's level over every gated
    /// timing comparison that has a p-value. A material change Holm rejects is a Performance Alert. One it does
    /// not reject stays open (Inconclusive) only while there is evidence for it: at a look before the last when
    /// its own p-value is at most `continuationLimit` (promising: worth more processes), at the last look when
    /// it is at most `alpha`. Otherwise it is Unchanged: an estimate past the limit that the processes cannot
    /// tell from noise is not a finding. Stopping for lack of evidence never raises the false-alarm rate.
    /// Returns the size of the family. O(m log m).
    @discardableResult
    func decideTiming(_ comparisons: inout [MetricComparison]) -> Int {
        let family = comparisons.indices.filter { comparisons[$0].pValue != nil }
        let design = configuration.sequential
        let level = design.level(atLook: configuration.look)
        let isLastLook = configuration.look >= design.looks
        let keepOpenBelow = isLastLook ? design.alpha : Self.continuationLimit
        let rejected = HolmBonferroni.rejections(pValues: family.map { comparisons[$0].pValue ?? 1 }, alpha: level)
        let holm = "Holm over \(family.count) at level \(Self.formatP(level)), look \(configuration.look) of \(design.looks)"
        for (position, index) in family.enumerated() {
            guard comparisons[index].outcome == .inconclusive, let p = comparisons[index].pValue else { continue }
            let note = comparisons[index].note ?? ""
            if rejected[position] {
                comparisons[index].outcome = .regressed
                comparisons[index].verdictClass = .performanceAlert
                comparisons[index].note = note + "; beyond noise (\(holm))"
            } else if let counts = comparisons[index].replicates, counts.count == 2,
                ShiftTest.smallestPValue(m: counts[0], n: counts[1]) > level / Double(max(1, family.count))
            {
                comparisons[index].note = note + "; too few processes (\(counts[0]) and \(counts[1])) for any "
                    + "result to pass \(holm): add processes"
            } else if p <= keepOpenBelow {
                comparisons[index].note = note + "; past the limit, not yet beyond noise (\(holm))"
                    + (isLastLook ? "" : ": re-measured")
            } else {
                comparisons[index].outcome = .unchanged
                comparisons[index].verdictClass = nil
                comparisons[index].note = note + "; the estimate is past the limit but the processes cannot tell "
                    + "it from noise (\(holm))"
            }
        }
        return family.count
    }

    /// Before the last look, an unresolved material change is re-measured when its own p-value is at most this.
    public static let continuationLimit = 0.25

    /// Instructions per operation that differ by at most this fraction count as the same work: one binary's
    /// counts repeat to about 0.006 % between runs.
    public static let sameWorkTolerance = 0.0001

    /// Adds a note to every timing change (improved, regressed, inconclusive) of a benchmark that executed the same
    /// instructions per operation on both sides (within `sameWorkTolerance`): the change did not add or remove
    /// work there, so the time moved for another reason, such as where the code lies in memory and how it aligns
    /// (a change anywhere in the binary moves it), memory behaviour, or the machine. The outcome stays as it is: a
    /// change of memory behaviour is real and does not show in instructions. O(comparisons).
    static func noteSameWork(_ comparisons: inout [MetricComparison]) {
        var sameWork: [String: (base: Double, candidate: Double)] = [:]
        for comparison in comparisons where comparison.metric == .instructions {
            guard let base = comparison.baselineValue, let candidate = comparison.candidateValue, base > 0,
                abs(candidate / base - 1) <= sameWorkTolerance
            else { continue }
            sameWork[comparison.benchmark] = (base, candidate)
        }
        guard !sameWork.isEmpty else { return }
        for index in comparisons.indices where comparisons[index].lane == .timing {
            guard let counts = sameWork[comparisons[index].benchmark] else { continue }
            switch comparisons[index].outcome {
            case .improved, .regressed, .inconclusive:
                let note = comparisons[index].note.map { $0 + "; " } ?? ""
                comparisons[index].sameWork = true
                comparisons[index].note = note + "the same work: instructions per operation unchanged ("
                    + "\(Self.format(counts.base)) → \(Self.format(counts.candidate))), so the time moved for another "
                    + "reason (code layout and alignment, memory behaviour, the machine)"
            default:
                break
            }
        }
    }

    /// The values each side contributes: per-process values at `percentile` when both sides have at least two,
    /// else (p50 only) the per-round values. The third element names the unit: `process` or `round`.
    static func replicates(_ baseline: MetricResult, _ candidate: MetricResult, percentile: String)
        -> ([Double], [Double], String)?
    {
        guard baseline.unavailableReason == nil, candidate.unavailableReason == nil else { return nil }
        let key = ThresholdSet.canonicalPercentile(percentile)
        if let b = baseline.processValues?[key], let c = candidate.processValues?[key], b.count >= 2, c.count >= 2 {
            return (b, c, "process")
        }
        if key == "p50", !baseline.roundValues.isEmpty, !candidate.roundValues.isEmpty {
            return (baseline.roundValues, candidate.roundValues, "round")
        }
        return nil
    }

    /// A candidate's timing values under the environment control's drift: divided by its factor (times) or
    /// multiplied by it (rates). Unchanged without a drift, and for the control itself.
    static func normalized(
        _ values: [Double], of benchmark: String, metric: BenchmarkMetric,
        by normalization: (benchmark: String, factor: Double)?
    ) -> [Double] {
        guard let normalization, normalization.benchmark != benchmark else { return values }
        return metric.direction == .lowerIsBetter
            ? values.map { $0 / normalization.factor } : values.map { $0 * normalization.factor }
    }

    /// `+3.1 % [+1.0 %, +5.2 %] at 95 % confidence`.
    static func describe(_ interval: RatioInterval) -> String {
        "\(formatSignedPercent(interval.estimate - 1)) [\(formatSignedPercent(interval.lower - 1)), "
            + "\(formatSignedPercent(interval.upper - 1))] at \(formatPercent(interval.confidence)) confidence"
    }

    /// A p-value or level with 2 significant digits.
    static func formatP(_ value: Double) -> String {
        value >= 0.01 ? String(format: "%.3f", value) : String(format: "%.2g", value)
    }
}
