/// Compares a candidate results file with a baseline under a `GateConfiguration` and produces a `GateReport`.
///
/// Pure: no I/O, no clock, no randomness. Each metric is compared in its lane:
/// - deterministic lane (allocation counts and bytes per operation): the values are exact, and the change is
///   compared with the threshold directly (see `compareExact`);
/// - the timing lane (and every other noisy metric): one value per worker process, a one-sided Mann–Whitney
///   test per comparison, Holm–Bonferroni across the run, alpha spent across looks (see
///   `GateComparator+Timing.swift`); timings are compared only when both sides ran on the same host.
public struct GateComparator: Sendable {
    /// The configuration in force.
    public let configuration: GateConfiguration

    /// The timing-lane method, as reports name it.
    public static let timingStatisticName =
        "Hodges-Lehmann estimate of the log-ratio over per-process values; Mann-Whitney interval and one-sided "
        + "exact Mann-Whitney test; Holm-Bonferroni across the run; Pocock-type alpha spending across looks"

    /// Creates a comparator.
    public init(configuration: GateConfiguration) {
        self.configuration = configuration
    }

    /// How `baseline`'s and `candidate`'s environments differ when results from them cannot be compared, or nil
    /// when they can: the same environment key, or another host of the same architecture, toolchain,
    /// configuration and allocator (the counts still judge), or `allowsIncomparable`.
    public static func incomparable(
        baseline: EnvironmentFingerprint, candidate: EnvironmentFingerprint, allowsIncomparable: Bool
    ) -> EnvironmentComparison? {
        let environment = EnvironmentComparison(baseline: baseline, candidate: candidate)
        guard !environment.isComparable, !allowsIncomparable,
              DeterministicLanes.hostOnlyDifference(baseline: baseline, candidate: candidate) == nil
        else { return nil }
        return environment
    }

    /// Compares `candidate` with `baseline`.
    ///
    /// Throws `HarnessError.Code.incomparableEnvironment` when the environments differ and the configuration does
    /// not allow it. Every benchmark is accounted for: compared, or listed as added, removed, failed or skipped.
    /// - Complexity: O(b · m · r² log r) for b benchmarks, m metrics and r rounds.
    public func compare(baseline: ResultsFile, candidate: ResultsFile) throws(HarnessError) -> GateReport {
        let environment = EnvironmentComparison(
            baseline: baseline.environment, candidate: candidate.environment,
            isForced: configuration.allowsIncomparableEnvironments)
        let hostOnly = DeterministicLanes.hostOnlyDifference(
            baseline: baseline.environment, candidate: candidate.environment)
        if let refused = Self.incomparable(baseline: baseline.environment, candidate: candidate.environment,
                                           allowsIncomparable: configuration.allowsIncomparableEnvironments) {
            throw HarnessError(.incomparableEnvironment, refused.refusal)
        }
        var changes: [BenchmarkChange] = []
        var comparisons: [MetricComparison] = []
        var baselineByName: [String: BenchmarkResult] = [:]
        for result in baseline.benchmarks where baselineByName[result.name] == nil {
            baselineByName[result.name] = result
        }
        var candidateByName: [String: BenchmarkResult] = [:]
        for result in candidate.benchmarks where candidateByName[result.name] == nil && result.status == .passed {
            candidateByName[result.name] = result
        }
        let host = HostComparison(baseline: baseline.environment, candidate: candidate.environment)
        let normalization = host.isComparable
            ? controlNormalization(baseline: baselineByName, candidate: candidateByName) : nil
        var candidateNames: Set<String> = []
        for result in candidate.benchmarks {
            guard candidateNames.insert(result.name).inserted else { continue }
            switch result.status {
            case .failed:
                changes.append(BenchmarkChange(
                    benchmark: result.name, kind: .failed, detail: result.error ?? "the benchmark failed",
                    verdictClass: .functionalFail))
                continue
            case .skipped:
                changes.append(BenchmarkChange(benchmark: result.name, kind: .skipped, detail: result.error))
                continue
            case .passed:
                break
            }
            guard let base = baselineByName[result.name] else {
                changes.append(BenchmarkChange(
                    benchmark: result.name, kind: .added, detail: "no baseline yet; update the baseline to gate it"))
                continue
            }
            guard base.status == .passed else {
                changes.append(BenchmarkChange(
                    benchmark: result.name, kind: .baselineUnusable,
                    detail: "the baseline's run \(base.status.rawValue): \(base.error ?? "no detail")"))
                continue
            }
            comparisons += compareBenchmark(
                baseline: base, candidate: result, host: host, normalization: normalization)
        }
        for result in baseline.benchmarks where !candidateNames.contains(result.name) {
            changes.append(BenchmarkChange(
                benchmark: result.name, kind: .removed,
                detail: candidate.isPartial ? "not run: the candidate run was partial" : "not in the candidate run"))
            candidateNames.insert(result.name)
        }
        if let hostOnly, !configuration.allowsIncomparableEnvironments {
            DeterministicLanes.restrict(&comparisons, reason: hostOnly)
        }
        if let reason = Self.incompleteCandidateReason(candidate) {
            changes.append(BenchmarkChange(
                benchmark: "*", kind: .incompleteCandidate, detail: reason, verdictClass: .inconclusive))
        }
        let family = decideTiming(&comparisons)
        Self.noteSameWork(&comparisons)
        let classes = comparisons.compactMap(\.verdictClass) + changes.compactMap(\.verdictClass)
        var counts: [String: Int] = [:]
        for verdictClass in classes {
            counts[verdictClass.rawValue, default: 0] += 1
        }
        let outcome = GateOutcome(classes: classes)
        var method = GateReport.Method(
            timingStatistic: Self.timingStatisticName, confidence: configuration.confidence,
            thresholdsSource: configuration.thresholds.isDefault ? "defaults" : "suite")
        let level = configuration.sequential.level(atLook: configuration.look)
        method.multipleComparisons = "Holm-Bonferroni (family-wise error) over \(family) timing comparisons, "
            + "alpha \(configuration.sequential.alpha) spent over up to \(configuration.sequential.looks) looks"
        method.look = configuration.look
        method.maxLooks = configuration.sequential.looks
        method.lookLevel = level
        method.replication = comparisons.contains { $0.lane == .timing && $0.replicates != nil && $0.pValue == nil
            && $0.outcome != .notGated } ? "round" : "process"
        var report = GateReport(
            runID: candidate.runID, baselineRunID: baseline.runID, suite: candidate.suite, outcome: outcome,
            exitCode: Int(outcome.exitCode.rawValue), classCounts: counts, environment: environment,
            method: method, isCandidatePartial: candidate.isPartial, benchmarkChanges: changes,
            comparisons: comparisons)
        report.host = host
        return report
    }

    /// Why `candidate` cannot pass a gate, or nil when it can: a shard, or a partial (interrupted) run, measured
    /// only part of the suite, so whatever it did not run was not judged.
    static func incompleteCandidateReason(_ candidate: ResultsFile) -> String? {
        if let shard = candidate.shard {
            return "the candidate is shard \(shard) of a sharded run: merge the shards (sluice-bench merge) and "
                + "check the merged results; a shard alone cannot pass"
        }
        if candidate.isPartial {
            return "the candidate run is partial (interrupted, filtered or a shard: not every benchmark ran): rerun it whole; "
                + "a partial run cannot pass"
        }
        return nil
    }

    /// Every comparison for one benchmark present and passed on both sides, in `BenchmarkMetric` order.
    func compareBenchmark(
        baseline: BenchmarkResult, candidate: BenchmarkResult, host: HostComparison? = nil,
        normalization: (benchmark: String, factor: Double)? = nil
    ) -> [MetricComparison] {
        let isControl = configuration.calibrationBenchmarks.contains(candidate.name)
        let rules = configuration.thresholds.rules(forBenchmark: candidate.name)
        let required = configuration.requiredMetrics(forBenchmark: candidate.name)
        var comparisons: [MetricComparison] = []
        for metric in BenchmarkMetric.allCases {
            let base = baseline.metric(metric)
            let cand = candidate.metric(metric)
            let chosenRules = rules.filter { $0.metric == metric }
            // A rule with `gated: false` keeps its metric shown, not judged (and not a gap when missing).
            let metricRules = chosenRules.filter(\.isGating)
            guard base != nil || cand != nil || required.contains(metric) || !chosenRules.isEmpty else { continue }
            let candidateUsable = cand.map(Self.hasValues) ?? false
            let baselineUsable = base.map(Self.hasValues) ?? false
            if !candidateUsable {
                if cand == nil && configuration.leavesOut(metric, forBenchmark: candidate.name) {
                    // Not measured on purpose (e.g. no instruction lane for a peer that runs no Sluice code):
                    // an older baseline's value of it is no gap.
                    if base != nil {
                        comparisons.append(MetricComparison(
                            benchmark: candidate.name, metric: metric, percentile: "p50", outcome: .notGated,
                            note: "not measured: the suite's metric list for this benchmark leaves it out"))
                    }
                    continue
                }
                if required.contains(metric) || (!metricRules.isEmpty && baselineUsable) {
                    let reason = cand?.unavailableReason.map { "unavailable: \($0)" } ?? "not captured"
                    comparisons.append(MetricComparison(
                        benchmark: candidate.name, metric: metric, percentile: metricRules.first?.percentile ?? "p50",
                        baselineValue: base.flatMap(Self.centralValue), outcome: .missing,
                        verdictClass: .observabilityGap,
                        note: "\(required.contains(metric) ? "mandatory" : "gated") metric \(reason)"))
                } else if base != nil || cand != nil {
                    comparisons.append(MetricComparison(
                        benchmark: candidate.name, metric: metric, percentile: "p50", outcome: .notGated,
                        note: "unavailable on both sides"))
                }
                continue
            }
            // The candidate has values from here on.
            guard let base, baselineUsable, let cand else {
                comparisons.append(MetricComparison(
                    benchmark: candidate.name, metric: metric, percentile: "p50",
                    candidateValue: cand.flatMap(Self.centralValue), outcome: .notGated,
                    note: "the baseline has no value; update the baseline to gate it"))
                continue
            }
            if isControl && metric == .wallTime {
                // An environment control is compared in every run, threshold or not, and never raises a verdict.
                comparisons.append(compareControl(benchmark: candidate.name, baseline: base, candidate: cand))
                continue
            }
            if metricRules.isEmpty {
                comparisons.append(ungated(
                    benchmark: candidate.name, baseline: base, candidate: cand,
                    reason: chosenRules.first(where: { !$0.isGating })?.reason,
                    timingInterval: host?.isComparable ?? true, normalization: normalization))
                continue
            }
            let isExact = metric.lane == .deterministic || (base.isExact && cand.isExact)
            if !isExact, let host, !host.isComparable {
                for rule in metricRules {
                    comparisons.append(MetricComparison(
                        benchmark: candidate.name, metric: metric, percentile: rule.percentile,
                        baselineValue: Self.centralValue(base), candidateValue: Self.centralValue(cand),
                        outcome: .notGated, note: host.note))
                }
                continue
            }
            for rule in metricRules {
                var comparison =
                    isExact
                    ? compareExact(benchmark: candidate.name, rule: rule, baseline: base, candidate: cand)
                    : compareStatistically(
                        benchmark: candidate.name, rule: rule, baseline: base, candidate: cand,
                        normalization: normalization)
                applyWaiver(to: &comparison)
                markReliability(&comparison)
                comparisons.append(comparison)
            }
        }
        return comparisons
    }

    /// How the note of a metric a `gated: false` rule leaves ungated begins; the rule's reason follows.
    static let notGatedByRulePrefix = "shown, not gated: "

    /// A metric with no threshold, or whose rule says `gated: false` (`reason`): its change is shown, never
    /// judged (except error counters, which warn). A timing metric with replicates on both sides shows the
    /// Hodges–Lehmann ratio and its interval as a gated one would (normalised by the control the same way), when
    /// `timingInterval` says the hosts are comparable; it gets no p-value, so it never enters Holm's family.
    func ungated(
        benchmark: String, baseline: MetricResult, candidate: MetricResult, reason: String? = nil,
        timingInterval: Bool = true, normalization: (benchmark: String, factor: Double)? = nil
    ) -> MetricComparison {
        let baseValue = Self.centralValue(baseline)
        let candValue = Self.centralValue(candidate)
        var comparison = MetricComparison(
            benchmark: benchmark, metric: candidate.metric, percentile: "p50", baselineValue: baseValue,
            candidateValue: candValue, ratio: Self.ratio(candValue, baseValue), outcome: .notGated,
            note: reason.map { Self.notGatedByRulePrefix + $0 }
                ?? (candidate.isGateable ? "no threshold" : "too coarse to gate"))
        comparison.notGatedReason = reason
        if timingInterval, candidate.metric.lane == .timing,
            let (b, rawC, _) = Self.replicates(baseline, candidate, percentile: "p50")
        {
            let c = Self.normalized(rawC, of: benchmark, metric: candidate.metric, by: normalization)
            if let interval = RatioStatistics.hodgesLehmannRatio(
                baseline: b, candidate: c, confidence: configuration.confidence)
            {
                comparison.ratio = interval.estimate
                comparison.interval = interval
                comparison.replicates = [b.count, c.count]
            }
        }
        markReliability(&comparison)
        return comparison
    }

    /// A waiver turns a regression or an inconclusive change into `waived`, keeping the numbers.
    func applyWaiver(to comparison: inout MetricComparison) {
        guard comparison.outcome == .regressed || comparison.outcome == .inconclusive,
            let waiver = configuration.waivers.waiver(benchmark: comparison.benchmark, metric: comparison.metric)
        else { return }
        comparison.outcome = .waived
        comparison.verdictClass = nil
        comparison.waiver = waiver
        comparison.note = "waived until \(waiver.expires): \(waiver.reason)"
    }

    /// Error and drop counters that rose without breaching a threshold raise a Reliability Warning.
    func markReliability(_ comparison: inout MetricComparison) {
        guard comparison.metric == .stageErrorTotal || comparison.metric == .poisonRoutedTotal,
            comparison.verdictClass == nil, comparison.outcome != .waived,
            let base = comparison.baselineValue, let cand = comparison.candidateValue, cand > base
        else { return }
        comparison.verdictClass = .reliabilityWarning
        comparison.note = "\(comparison.metric.rawValue) rose from \(base) to \(cand), within tolerance"
    }

    /// True when a metric result carries values to compare.
    static func hasValues(_ result: MetricResult) -> Bool {
        result.unavailableReason == nil && (!result.roundValues.isEmpty || result.summary != nil)
    }

    /// The median of the rounds, else the summary's p50.
    static func centralValue(_ result: MetricResult) -> Double? {
        guard result.unavailableReason == nil else { return nil }
        return RatioStatistics.median(result.roundValues) ?? result.summary?.p50
    }

    /// `candidate / baseline` when both exist and the baseline is not zero.
    static func ratio(_ candidate: Double?, _ baseline: Double?) -> Double? {
        guard let candidate, let baseline, baseline != 0 else { return nil }
        return candidate / baseline
    }
}
