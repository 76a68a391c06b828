/// The verdict classes of the design document (section 7.2), plus `inconclusive` for a change that is large
/// but not shown to be beyond noise.
public enum VerdictClass: String, Codable, CaseIterable, Hashable, Sendable {
    /// A benchmark errored, or its output check or an invariant failed.
    case functionalFail = "functional_fail"
    /// A threshold was breached beyond noise.
    case performanceAlert = "performance_alert"
    /// A change past the threshold that the rounds cannot tell from noise.
    case inconclusive
    /// A mandatory metric is missing or unavailable.
    case observabilityGap = "observability_gap"
    /// Error or drop counters rose, but stayed within tolerance.
    case reliabilityWarning = "reliability_warning"

    /// The heading reports use.
    public var title: String {
        switch self {
        case .functionalFail: "Functional Fail"
        case .performanceAlert: "Performance Alert"
        case .inconclusive: "Inconclusive"
        case .observabilityGap: "Observability Gap"
        case .reliabilityWarning: "Reliability Warning"
        }
    }
}

/// The threshold a comparison was judged against, as it came from the suite (or the defaults).
public struct AppliedThreshold: Codable, Hashable, Sendable {
    /// The benchmark pattern of the rule that matched.
    public var benchmarkPattern: String
    /// Allowed change in the worse direction as a fraction, when set.
    public var relative: Double?
    /// Allowed change in the worse direction in the metric's unit, when set.
    public var absolute: Double?
}

/// One metric of one benchmark, baseline against candidate.
public struct MetricComparison: Codable, Hashable, Sendable {
    /// What the comparison found.
    public enum Outcome: String, Codable, CaseIterable, Hashable, Sendable {
        /// Within the threshold (or no change at all).
        case unchanged
        /// Better beyond the threshold mirrored (timing: beyond noise; exact: any improvement).
        case improved
        /// Worse past the threshold, beyond noise: a Performance Alert.
        case regressed
        /// The estimate is past the threshold but the interval reaches back inside it.
        case inconclusive
        /// Would have regressed or been inconclusive, but a waiver covers it.
        case waived
        /// Recorded for information: no threshold, too coarse to gate, or no values to compare.
        case notGated = "not_gated"
        /// A metric the gate needs is missing or unavailable in the candidate.
        case missing
    }

    /// The benchmark compared (its registry name, e.g. `micro/materialize/twitter`).
    public var benchmark: String
    /// The metric compared.
    public var metric: BenchmarkMetric
    /// The statistic compared: `p50`, `p99`, ...
    public var percentile: String
    /// The metric's lane (`metric.lane`), which decides how it is compared.
    public var lane: BenchmarkMetric.Lane
    /// Whether a lower or a higher value is better (`metric.direction`).
    public var direction: BenchmarkMetric.Direction
    /// The unit of `baselineValue` and `candidateValue` (`metric.unit`, e.g. `ns` or `allocations/op`).
    public var unit: String
    /// The baseline's value (the median of its rounds for p50), when there is one.
    public var baselineValue: Double?
    /// The candidate's value, when there is one.
    public var candidateValue: Double?
    /// `candidate / baseline`: the Hodges–Lehmann estimate in the timing lane, the plain ratio otherwise.
    public var ratio: Double?
    /// The confidence interval of the ratio (timing lane only).
    public var interval: RatioInterval?
    /// The ratio past which the change fails, derived from the threshold.
    public var limit: Double?
    /// The threshold rule the comparison was judged against; nil when none was applied (e.g. ungated or missing).
    public var threshold: AppliedThreshold?
    /// What the comparison found.
    public var outcome: Outcome
    /// The verdict class this comparison raises, if any.
    public var verdictClass: VerdictClass?
    /// The waiver that covered it, when `outcome` is `waived`.
    public var waiver: Waiver?
    /// A short explanation for people.
    public var note: String?
    /// Timing lane: the one-sided p-value of "no change in the worse direction", over process values.
    public var pValue: Double? = nil
    /// Timing lane: how many values each side had (processes, or rounds for an old stored file).
    public var replicates: [Int]? = nil
    /// Timing lane, on a change: true when the benchmark executed the same instructions per operation on both
    /// sides (`GateComparator.sameWorkTolerance`), so the time moved for a reason other than more or less work.
    public var sameWork: Bool? = nil
    /// The reason of the suite's `gated: false` rule that leaves this metric ungated, when one does (the note then
    /// reads "shown, not gated: <reason>"). Nil for every other comparison.
    public var notGatedReason: String? = nil

    /// Creates a comparison; `lane`, `direction` and `unit` come from the metric.
    public init(
        benchmark: String, metric: BenchmarkMetric, percentile: String, baselineValue: Double? = nil,
        candidateValue: Double? = nil, ratio: Double? = nil, interval: RatioInterval? = nil, limit: Double? = nil,
        threshold: AppliedThreshold? = nil, outcome: Outcome, verdictClass: VerdictClass? = nil,
        waiver: Waiver? = nil, note: String? = nil
    ) {
        self.benchmark = benchmark
        self.metric = metric
        self.percentile = percentile
        self.lane = metric.lane
        self.direction = metric.direction
        self.unit = metric.unit
        self.baselineValue = baselineValue
        self.candidateValue = candidateValue
        self.ratio = ratio
        self.interval = interval
        self.limit = limit
        self.threshold = threshold
        self.outcome = outcome
        self.verdictClass = verdictClass
        self.waiver = waiver
        self.note = note
    }
}

/// A benchmark-level change: one that was added, removed, failed or skipped, listed rather than ignored.
public struct BenchmarkChange: Codable, Hashable, Sendable {
    /// What happened to the benchmark.
    public enum Kind: String, Codable, CaseIterable, Hashable, Sendable {
        /// In the candidate, not in the baseline: nothing to compare against yet.
        case added
        /// In the baseline, not in the candidate.
        case removed
        /// Failed in the candidate: a Functional Fail.
        case failed
        /// Skipped in the candidate.
        case skipped
        /// The baseline's entry failed or was skipped, so it cannot be compared.
        case baselineUnusable = "baseline_unusable"
        /// The whole candidate is a shard or a partial run (`benchmark` is `*`): Inconclusive, never a pass.
        case incompleteCandidate = "incomplete_candidate"
    }

    /// The benchmark's registry name, or `*` for `incompleteCandidate`.
    public var benchmark: String
    /// What happened to it.
    public var kind: Kind
    /// Why, when known (the benchmark's error).
    public var detail: String?
    /// The verdict class this raises, if any.
    public var verdictClass: VerdictClass?
}
