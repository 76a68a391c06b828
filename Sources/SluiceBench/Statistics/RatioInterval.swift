/// A point estimate and a confidence interval for the ratio `candidate / baseline` of a metric.
///
/// Produced by `RatioStatistics.hodgesLehmannRatio(baseline:candidate:confidence:)` from per-round values.
/// A ratio of 1.10 means the candidate's values are 10 % larger than the baseline's.
public struct RatioInterval: Codable, Hashable, Sendable {
    /// The Hodges–Lehmann estimate of the ratio: `exp(median of all pairwise log(candidate) - log(baseline))`.
    public var estimate: Double
    /// The lower end of the interval.
    public var lower: Double
    /// The upper end of the interval.
    public var upper: Double
    /// The confidence the interval actually has. With few rounds the exact Mann–Whitney distribution cannot
    /// reach every level: this is then the best available, and lower than `requestedConfidence`.
    public var confidence: Double
    /// The confidence that was asked for, e.g. 0.95.
    public var requestedConfidence: Double

    /// Creates an interval.
    public init(estimate: Double, lower: Double, upper: Double, confidence: Double, requestedConfidence: Double) {
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
        self.confidence = confidence
        self.requestedConfidence = requestedConfidence
    }

    /// True when the sample sizes were too small to reach the requested confidence.
    public var isBelowRequestedConfidence: Bool { confidence + 1e-12 < requestedConfidence }

    /// True when the whole interval lies above `limit`.
    public func isWhollyAbove(_ limit: Double) -> Bool { lower > limit }

    /// True when the whole interval lies below `limit`.
    public func isWhollyBelow(_ limit: Double) -> Bool { upper < limit }
}
