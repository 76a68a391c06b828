/// Checks a suite's thresholds and waivers against its benchmarks: rules that name nothing, gated metrics
/// without a rule, malformed limits, expired waivers.
public enum SuiteLint {
    /// One problem found.
    public struct Finding: Codable, Hashable, Sendable, CustomStringConvertible {
        /// `error` findings make `sluice-bench lint` fail; `warning` findings only with `--strict`.
        public enum Severity: String, Codable, Hashable, Sendable {
            case error
            case warning
        }

        /// Whether the finding fails `lint` (`error`) or only does so with `--strict` (`warning`).
        public var severity: Severity
        /// The field of the suite file, e.g. `thresholds[2]`.
        public var field: String?
        /// What is wrong.
        public var message: String

        /// `severity: field: message`, without the field when there is none.
        public var description: String {
            "\(severity.rawValue): " + (field.map { "\($0): " } ?? "") + message
        }
    }

    /// The metrics a gate is expected to judge when a benchmark captures them: gateable timing and
    /// deterministic metrics, plus the suite's required metrics. Throughputs mirror wall time, and the latency
    /// histograms have no per-process values (their gated form is `latency_p99`), so they are optional.
    public static func isGatedByDefault(_ metric: BenchmarkMetric) -> Bool {
        metric.isGateableByDefault && (metric.lane == .timing || metric.lane == .deterministic)
            && metric != .throughputItems && metric != .throughputBytes && metric != .latency
    }

    /// Suites that gate pull requests (`ci/pr-gate`): there a gated metric without a threshold is an error,
    /// since it would be measured and never judged.
    public static let gatingSuites: Set<String> = ["pr"]

    /// The findings for `suite`, in file order. `today` (`YYYY-MM-DD`) decides waiver expiry.
    /// - Complexity: O(r · b) for r rules and b benchmarks.
    public static func lint(suite: SuiteFile, file: String?, today: String) -> [Finding] {
        var findings: [Finding] = []
        let thresholds = ThresholdSet(rules: suite.thresholds)
        do {
            try thresholds.validate(file: file)
        } catch {
            findings.append(Finding(severity: .error, field: error.field, message: error.message))
        }
        func captured(_ benchmark: SuiteBenchmark) -> [BenchmarkMetric] { benchmark.metrics ?? suite.metrics }
        if suite.thresholds != nil {
            for (index, rule) in thresholds.rules.enumerated() {
                let pattern = GlobPattern(rule.benchmark)
                let matching = suite.benchmarks.filter { pattern.matches($0.name) }
                if matching.isEmpty {
                    findings.append(Finding(
                        severity: .error, field: "thresholds[\(index)].benchmark",
                        message: "'\(rule.benchmark)' matches no benchmark of the suite"))
                } else if !matching.contains(where: { captured($0).contains(rule.metric) }) {
                    findings.append(Finding(
                        severity: .error, field: "thresholds[\(index)].metric",
                        message: "no benchmark matching '\(rule.benchmark)' captures \(rule.metric.rawValue)"))
                }
            }
        }
        let required = Set(suite.requiredMetrics ?? [])
        for (index, benchmark) in suite.benchmarks.enumerated() {
            let rules = Set(thresholds.rules(forBenchmark: benchmark.name).map(\.metric))
            for metric in captured(benchmark) where isGatedByDefault(metric) || required.contains(metric) {
                if !rules.contains(metric) {
                    let isGating = gatingSuites.contains(suite.name)
                    findings.append(Finding(
                        severity: isGating ? .error : .warning, field: "benchmarks[\(index)]",
                        message: "\(benchmark.name) captures \(metric.rawValue), which no threshold gates"
                            + (isGating ? " (the \(suite.name) suite gates pull requests: add a threshold)" : "")))
                }
            }
        }
        for (index, metric) in (suite.requiredMetrics ?? []).enumerated() where !suite.metrics.contains(metric) {
            findings.append(Finding(
                severity: .warning, field: "requiredMetrics[\(index)]",
                message: "\(metric.rawValue) is required but not in the suite's metrics"))
        }
        do {
            let waivers = try WaiverSet(suite.waivers, today: today, file: file)
            for (index, waiver) in waivers.waivers.enumerated() {
                let pattern = GlobPattern(waiver.benchmark)
                if !suite.benchmarks.contains(where: { pattern.matches($0.name) }) {
                    findings.append(Finding(
                        severity: .error, field: "waivers[\(index)].benchmark",
                        message: "'\(waiver.benchmark)' matches no benchmark of the suite"))
                }
            }
        } catch {
            findings.append(Finding(severity: .error, field: error.field, message: error.message))
        }
        return findings
    }
}
