import Foundation

/// The soak and chaos figures of a results file as text, one block per driver benchmark: the lines
/// `sluice-bench run` prints under its table (which has no columns for them).
///
/// ```
/// soak/token-stream
///   memory_growth_rate     128 bytes/s  [99.6, 158] 95 %  verdict stable
///   throughput_decay_rate  unavailable: not extrapolated per hour from 25 s (needs 15 min); +4.9 % over the
///                          run [-4.2 %, +15.8 %] (25 s after warm-up); … cannot resolve it: inconclusive
/// ```
public enum DriverFiguresFormatter {
    /// The metrics shown, in this order.
    static let shown: [BenchmarkMetric] = [
        .memoryGrowthRate, .throughputDecayRate, .recoveryTimeP50, .recoveryTimeP99, .recordsLostPercent,
        .duplicateRatio, .channelDepthMax, .memoryReturned, .stageErrorTotal, .poisonRoutedTotal,
    ]

    /// Formats the driver benchmarks of `results`; empty when there are none. Complexity: O(benchmarks · metrics).
    public static func format(_ results: ResultsFile) -> String {
        var lines: [String] = []
        for benchmark in results.benchmarks {
            let figures = shown.compactMap { benchmark.metric($0) }
            guard figures.contains(where: { $0.metric != .channelDepthMax }) else { continue }
            lines.append(benchmark.name)
            let width = figures.map(\.metric.rawValue.count).max() ?? 0
            for figure in figures {
                let name = figure.metric.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
                guard let value = figure.summary?.p50 else {
                    lines.append("  \(name)  unavailable: \(figure.unavailableReason ?? "no value")")
                    continue
                }
                var line = "  \(name)  \(format(value)) \(figure.unit)"
                if let interval = figure.confidenceInterval {
                    line += "  [\(format(interval.lower)), \(format(interval.upper))] \(format(interval.level * 100)) %"
                }
                if let method = figure.method, let verdict = method.range(of: "verdict ") {
                    line += "  verdict " + method[verdict.upperBound...]
                }
                lines.append(line)
            }
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    static func format(_ value: Double) -> String { String(format: "%.3g", value) }
}
