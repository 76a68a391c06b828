/// The text output of `sluice-bench run --format text`: a readable table, one row per benchmark.
public enum ResultsTableFormatter {
    /// Formats `results` as an aligned table with a header and a footer line. Complexity: O(rows · columns).
    public static func format(_ results: ResultsFile) -> String {
        let header = ["benchmark", "status", "p50", "p90", "p99", "max", "items/s", "MB/s", "allocs/op", "bytes/op", "rounds"]
        var rows: [[String]] = []
        for benchmark in results.benchmarks {
            let wall = benchmark.metric(.wallTime)
            func time(_ percentile: String) -> String {
                wall?.summary?.value(at: percentile).map(formatNanoseconds) ?? "-"
            }
            let items = benchmark.metric(.throughputItems)?.summary.map { formatCount($0.p50) } ?? "-"
            let megabytes = benchmark.metric(.throughputBytes)?.summary.map { formatDecimal($0.p50 / 1e6) } ?? "-"
            let allocations = exactValue(benchmark.metric(.allocations))
            let bytes = exactValue(benchmark.metric(.allocatedBytes))
            let status = benchmark.status == .passed ? "ok" : benchmark.status.rawValue.uppercased()
            rows.append([
                benchmark.name, status, time("p50"), time("p90"), time("p99"), time("max"), items, megabytes,
                allocations, bytes, wall.map { "\($0.roundValues.count)" } ?? "-",
            ])
        }
        var widths = header.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 || column == 1 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        var output = [line(header), line(widths.map { String(repeating: "-", count: $0) })]
        output += rows.map(line)
        for benchmark in results.benchmarks where benchmark.status != .passed {
            output.append("\(benchmark.name): \(benchmark.status.rawValue): \(benchmark.error ?? "")")
        }
        let overhead = results.harnessOverheadNanoseconds.map { formatDecimal($0) + " ns/sample" } ?? "unknown"
        output.append(
            "suite \(results.suite), run \(results.runID)\(results.isPartial ? " (PARTIAL)" : ""), "
                + "\(results.environment.machineClass), \(results.environment.buildConfiguration), "
                + "allocator \(results.environment.allocator), harness overhead \(overhead)")
        return output.joined(separator: "\n") + "\n"
    }

    static func exactValue(_ metric: MetricResult?) -> String {
        guard let metric else { return "-" }
        if metric.unavailableReason != nil { return "n/a" }
        return metric.summary.map { formatDecimal($0.p50) } ?? "-"
    }

    /// `812 ns`, `1.23 µs`, `4.56 ms`, `1.20 s`.
    public static func formatNanoseconds(_ value: Double) -> String {
        switch value {
        case ..<1_000: return formatDecimal(value) + " ns"
        case ..<1_000_000: return formatDecimal(value / 1e3) + " µs"
        case ..<1_000_000_000: return formatDecimal(value / 1e6) + " ms"
        default: return formatDecimal(value / 1e9) + " s"
        }
    }

    /// `950`, `12.3K`, `4.56M`, `7.89G`.
    static func formatCount(_ value: Double) -> String {
        switch value {
        case ..<1e4: return formatDecimal(value)
        case ..<1e6: return formatDecimal(value / 1e3) + "K"
        case ..<1e9: return formatDecimal(value / 1e6) + "M"
        default: return formatDecimal(value / 1e9) + "G"
        }
    }

    /// Three significant digits, without exponent: `0.125`, `1.23`, `12.3`, `123`, `1234`.
    static func formatDecimal(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let magnitude = abs(value)
        let decimals = magnitude >= 100 || magnitude == 0 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
        if decimals == 0 { return String(Int(value.rounded())) }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: ".") {
            let fraction = text[text.index(after: dot)...]
            if fraction.count < decimals { text += String(repeating: "0", count: decimals - fraction.count) }
        }
        return text
    }
}
