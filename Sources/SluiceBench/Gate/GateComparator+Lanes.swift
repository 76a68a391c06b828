extension GateComparator {
    /// The deterministic lane: exact values per operation, compared with the threshold directly.
    ///
    /// The value is the median of the rounds. Exact metrics should not vary between rounds; when they do (a
    /// lazily grown cache, say), the largest deviation of any round from its side's median is a band the change
    /// must clear before it counts, so that the variation of one build is never reported as a change.
    /// `absolute: 0` therefore means "any increase fails" for a count that is stable, however large it is.
    ///
    /// An improvement is judged by the same limits mirrored: a decrease counts only past the relative or the
    /// absolute limit (plus the band), as the timing lane reports an improvement only past its limit mirrored. So
    /// `absolute: 0` lists any fewer allocation, while an instruction count that moved by a few instructions in
    /// millions (it repeats to about 0.01 %, not exactly) is unchanged rather than "improved" under a +0.5 % limit.
    func compareExact(
        benchmark: String, rule: ThresholdRule, baseline: MetricResult, candidate: MetricResult
    ) -> MetricComparison {
        let metric = candidate.metric
        let threshold = AppliedThreshold(benchmarkPattern: rule.benchmark, relative: rule.relative,
                                         absolute: rule.absolute)
        guard let base = Self.value(baseline, at: rule.percentile), let cand = Self.value(candidate, at: rule.percentile)
        else {
            return MetricComparison(benchmark: benchmark, metric: metric, percentile: rule.percentile,
                                    threshold: threshold, outcome: .notGated, note: "no \(rule.percentile) value")
        }
        let isLowerBetter = metric.direction == .lowerIsBetter
        let worsening = isLowerBetter ? cand - base : base - cand
        let band = Self.spread(baseline.roundValues) + Self.spread(candidate.roundValues)
        let tolerance = 1e-9 * max(1, abs(base))
        // Which of the rule's limits (plus the band) a change in the worse direction goes past; a decrease is
        // judged by the same limits mirrored.
        func past(_ change: Double) -> (absolute: Double?, relative: Double?) {
            (rule.absolute.flatMap { change > $0 + band + tolerance ? $0 : nil },
             rule.relative.flatMap { change - band > $0 * abs(base) + tolerance ? $0 : nil })
        }
        var breaches: [String] = []
        let worse = past(worsening)
        if let absolute = worse.absolute {
            breaches.append(absolute == 0 ? "any increase fails" : "more than \(Self.format(absolute)) \(metric.unit)")
        }
        if let relative = worse.relative {
            breaches.append("more than \(Self.formatPercent(relative))")
        }
        let better = past(-worsening)
        let isImprovement = rule.absolute == nil && rule.relative == nil
            ? -worsening > band + tolerance : better.absolute != nil || better.relative != nil
        let outcome: MetricComparison.Outcome =
            !breaches.isEmpty ? .regressed : (isImprovement ? .improved : .unchanged)
        var note = "\(Self.formatSigned(cand - base)) \(metric.unit)"
        if base != 0 { note += " (\(Self.formatSignedPercent((cand - base) / base)))" }
        if !breaches.isEmpty { note += "; " + breaches.joined(separator: ", ") }
        if band > 0 { note += "; rounds vary by up to \(Self.format(band)), not exact" }
        return MetricComparison(
            benchmark: benchmark, metric: metric, percentile: rule.percentile, baselineValue: base,
            candidateValue: cand, ratio: Self.ratio(cand, base),
            limit: Self.limit(rule: rule, baseline: base, direction: metric.direction), threshold: threshold,
            outcome: outcome, verdictClass: outcome == .regressed ? .performanceAlert : nil, note: note)
    }

    /// The ratio `candidate / baseline` past which a change fails: the stricter of the relative and absolute
    /// limits. Above 1 when lower is better, below 1 when higher is better; nil without a usable limit.
    static func limit(rule: ThresholdRule, baseline: Double, direction: BenchmarkMetric.Direction) -> Double? {
        var limits: [Double] = []
        let isLowerBetter = direction == .lowerIsBetter
        if let relative = rule.relative {
            limits.append(isLowerBetter ? 1 + relative : 1 - relative)
        }
        if let absolute = rule.absolute, baseline != 0 {
            limits.append(isLowerBetter ? (baseline + absolute) / baseline : (baseline - absolute) / baseline)
        }
        return isLowerBetter ? limits.min() : limits.max()
    }

    /// The value at `percentile`: the median of the rounds for `p50`, else the summary's.
    static func value(_ result: MetricResult, at percentile: String) -> Double? {
        guard result.unavailableReason == nil else { return nil }
        if ThresholdSet.canonicalPercentile(percentile) == "p50" {
            return centralValue(result)
        }
        return result.summary?.value(at: percentile)
    }

    /// The largest distance of a value from the median; 0 for fewer than two values.
    static func spread(_ values: [Double]) -> Double {
        guard values.count > 1, let median = RatioStatistics.median(values) else { return 0 }
        return values.map { abs($0 - median) }.max() ?? 0
    }
}
