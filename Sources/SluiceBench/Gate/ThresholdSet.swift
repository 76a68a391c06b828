/// The thresholds a gate applies: a suite's `thresholds`, or the design document's defaults when it gives none.
///
/// For each benchmark, metric and percentile the most specific matching rule applies (a literal name beats a
/// glob, a longer glob beats a shorter one, and among equals the later rule in the file wins). Within one rule a
/// relative and an absolute limit can both be set: the change fails when it is past either. A most specific rule
/// with `gated: false` leaves its metric shown but not judged for the benchmarks it matches.
public struct ThresholdSet: Sendable {
    /// The rules in force.
    public let rules: [ThresholdRule]
    /// True when the suite gave no `thresholds` and the design document's defaults apply.
    public let isDefault: Bool

    /// The design document's defaults: latency and wall time p50 and p99 at +10 %, allocations (count and
    /// bytes) at +15 %. A suite that wants "any extra allocation fails" adds `absolute: 0` on `allocations`.
    public static let designDefaults: [ThresholdRule] = [
        ThresholdRule(benchmark: "*", metric: .wallTime, percentile: "p50", relative: 0.10, absolute: nil),
        ThresholdRule(benchmark: "*", metric: .wallTime, percentile: "p99", relative: 0.10, absolute: nil),
        ThresholdRule(benchmark: "*", metric: .latency, percentile: "p50", relative: 0.10, absolute: nil),
        ThresholdRule(benchmark: "*", metric: .latency, percentile: "p99", relative: 0.10, absolute: nil),
        ThresholdRule(benchmark: "*", metric: .stageLatency, percentile: "p50", relative: 0.10, absolute: nil),
        ThresholdRule(benchmark: "*", metric: .stageLatency, percentile: "p99", relative: 0.10, absolute: nil),
        ThresholdRule(benchmark: "*", metric: .allocations, percentile: "p50", relative: 0.15, absolute: nil),
        ThresholdRule(benchmark: "*", metric: .allocatedBytes, percentile: "p50", relative: 0.15, absolute: nil),
    ]

    /// The percentiles a rule may name.
    public static let knownPercentiles: Set<String> = ["min", "p25", "p50", "p75", "p90", "p99", "p999", "p99.9",
                                                       "max", "mean"]

    /// Uses `rules` when given (an empty list means "gate nothing"), else the design defaults.
    public init(rules: [ThresholdRule]?) {
        self.rules = rules ?? Self.designDefaults
        self.isDefault = rules == nil
    }

    /// Checks every rule, naming the first bad one: a known percentile, at least one limit, no negative limit.
    public func validate(file: String?) throws(HarnessError) {
        for (index, rule) in rules.enumerated() {
            let field = "thresholds[\(index)]"
            guard Self.knownPercentiles.contains(rule.percentile) else {
                throw HarnessError(
                    .badInput, "unknown percentile '\(rule.percentile)'; expected one of "
                        + Self.knownPercentiles.sorted().joined(separator: ", "), file: file, field: field)
            }
            if !rule.isGating {
                guard rule.relative == nil && rule.absolute == nil else {
                    throw HarnessError(
                        .badInput, "a rule with 'gated': false judges nothing, so it takes no 'relative' or 'absolute'",
                        file: file, field: field)
                }
                guard let reason = rule.reason, !reason.allSatisfy(\.isWhitespace) else {
                    throw HarnessError(
                        .badInput, "a rule with 'gated': false needs a 'reason' (shown in the report)",
                        file: file, field: field + ".reason")
                }
                continue
            }
            guard rule.relative != nil || rule.absolute != nil else {
                throw HarnessError(.badInput, "a threshold needs 'relative' or 'absolute'", file: file, field: field)
            }
            guard rule.reason == nil else {
                throw HarnessError(
                    .badInput, "'reason' belongs to a rule with 'gated': false (it says why the metric is not "
                        + "judged); this rule gates, so its reason would never be shown: remove it or add 'gated': false",
                    file: file, field: field + ".reason")
            }
            if let relative = rule.relative, !(relative.isFinite && relative >= 0) {
                throw HarnessError(.badInput, "'relative' must be a fraction >= 0 (0.10 = 10 %)", file: file,
                                field: field + ".relative")
            }
            if let absolute = rule.absolute, !(absolute.isFinite && absolute >= 0) {
                throw HarnessError(.badInput, "'absolute' must be >= 0, in the metric's unit", file: file,
                                field: field + ".absolute")
            }
        }
    }

    /// The rule that applies to each metric and percentile of `benchmark`, most specific first resolved.
    /// - Complexity: O(r · l) for r rules and names of length l.
    public func rules(forBenchmark benchmark: String) -> [ThresholdRule] {
        var chosen: [String: (rule: ThresholdRule, specificity: Int)] = [:]
        var order: [String] = []
        for rule in rules {
            let pattern = GlobPattern(rule.benchmark)
            guard pattern.matches(benchmark) else { continue }
            let key = "\(rule.metric.rawValue)@\(Self.canonicalPercentile(rule.percentile))"
            if let existing = chosen[key] {
                if pattern.specificity >= existing.specificity {
                    chosen[key] = (rule, pattern.specificity)
                }
            } else {
                chosen[key] = (rule, pattern.specificity)
                order.append(key)
            }
        }
        return order.compactMap { chosen[$0]?.rule }
    }

    /// The rules of `rules(forBenchmark:)` that judge a change: a most specific rule with `gated: false` leaves
    /// its metric and percentile out.
    public func gatingRules(forBenchmark benchmark: String) -> [ThresholdRule] {
        rules(forBenchmark: benchmark).filter(\.isGating)
    }

    /// `p99.9` and `p999` are the same percentile.
    static func canonicalPercentile(_ percentile: String) -> String {
        percentile == "p99.9" ? "p999" : percentile
    }
}
