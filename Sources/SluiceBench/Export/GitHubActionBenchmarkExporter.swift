import Foundation

/// Exports results in the JSON that benchmark-action/github-action-benchmark reads with its `customSmallerIsBetter`
/// and `customBiggerIsBetter` tools: one array per tool, of `{name, unit, value, range?, extra?}`.
///
/// One entry per benchmark and measured metric, named `<benchmark> <metric>`, valued at the p50. `range` is
/// `± (p75 − p25) / 2`, `extra` lists p99, the sample count and the rounds. Metrics whose lower value is better
/// go to `customSmallerIsBetter`, the others to `customBiggerIsBetter` (the action takes one tool per file, so
/// each array is its own file). Unavailable metrics and failed or skipped benchmarks are left out, never
/// written as zero; `omitted` says which were.
public enum GitHubActionBenchmarkExporter {
    /// The action's tool that reads an array.
    public enum Tool: String, CaseIterable, Sendable {
        case customSmallerIsBetter
        case customBiggerIsBetter

        /// The tool for a metric of `direction`.
        public init(_ direction: BenchmarkMetric.Direction) {
            self = direction == .lowerIsBetter ? .customSmallerIsBetter : .customBiggerIsBetter
        }
    }

    /// One element of an array, as the action reads it.
    public struct Entry: Codable, Hashable, Sendable {
        /// `<benchmark> <metric>`: the benchmark's registry name and the metric's stable name, e.g. `wall_time`.
        public var name: String
        /// The metric's unit, as in the results file (e.g. `ns`).
        public var unit: String
        /// The metric's p50, in `unit`.
        public var value: Double
        /// `± (p75 − p25) / 2`, in `unit`; nil when that spread is not finite.
        public var range: String?
        /// Text the action shows with the value: p99, the sample count, the rounds (when recorded) and the commit,
        /// one per line.
        public var extra: String?
    }

    /// The entries for each tool, and what was left out and why.
    public struct Export: Sendable {
        /// The entries for each tool, in results-file order; both tools are always present, possibly with no entries.
        public var entries: [Tool: [Entry]]
        /// `<benchmark> <metric>: reason` for each metric not exported.
        public var omitted: [String]
    }

    /// Builds both arrays from `results`. Complexity: O(benchmarks × metrics).
    public static func export(_ results: ResultsFile) -> Export {
        var entries: [Tool: [Entry]] = [.customSmallerIsBetter: [], .customBiggerIsBetter: []]
        var omitted: [String] = []
        for benchmark in results.benchmarks {
            guard benchmark.status == .passed else {
                omitted.append("\(benchmark.name): \(benchmark.status.rawValue)\(benchmark.error.map { " (\($0))" } ?? "")")
                continue
            }
            for metric in benchmark.metrics {
                let name = "\(benchmark.name) \(metric.metric.rawValue)"
                guard metric.unavailableReason == nil, let summary = metric.summary, summary.p50.isFinite else {
                    omitted.append("\(name): unavailable (\(metric.unavailableReason ?? "no summary"))")
                    continue
                }
                let spread = (summary.p75 - summary.p25) / 2
                var extra = "p99: \(number(summary.p99)) \(metric.unit)\nsamples: \(metric.sampleCount)"
                if !metric.roundValues.isEmpty { extra += "\nrounds: \(metric.roundValues.count)" }
                extra += "\ncommit: \(results.environment.commit)\(results.environment.isDirty ? " (dirty)" : "")"
                entries[Tool(metric.direction), default: []].append(
                    Entry(
                        name: name, unit: metric.unit, value: summary.p50,
                        range: spread.isFinite ? "± \(number(spread))" : nil, extra: extra))
            }
        }
        return Export(entries: entries, omitted: omitted)
    }

    /// The JSON array for `tool`: pretty-printed, keys sorted. Complexity: O(entries).
    public static func json(_ entries: [Entry]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding an array of plain structs of strings and finite doubles cannot fail.
        return (try? encoder.encode(entries)) ?? Data("[]".utf8)
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.6g", value)
    }
}
