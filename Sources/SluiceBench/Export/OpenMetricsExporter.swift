import Foundation

/// Exports results as OpenMetrics text (the Prometheus exposition format's standard), for dashboards that
/// scrape or import it.
///
/// Each metric becomes one `summary` family, `sluice_bench_<metric>[_<unit>]`, in base units (nanoseconds are
/// written as seconds, percentages as ratios), with `# TYPE`, `# UNIT` (when the unit is a base unit) and
/// `# HELP`. Its samples carry `suite` and `benchmark` labels: `{quantile="0.5"|"0.9"|"0.99"|"0.999"}`, plus
/// `_count` (the sample count) and `_sum` (mean × count, when not negative). Metrics that could not be measured appear in `sluice_bench_metric_unavailable`
/// with their reason, never as a zero. The run's fingerprint is the `sluice_bench_run` info family. Families
/// are never interleaved, label values are escaped (`\\`, `\"`, `\n`), and the text ends with `# EOF`.
public enum OpenMetricsExporter {
    /// The exposition text. Complexity: O(benchmarks × metrics).
    public static func text(_ results: ResultsFile) -> String {
        var families: [String: Family] = [:]
        var order: [String] = []
        func add(_ family: Family) -> String {
            if families[family.name] == nil {
                families[family.name] = family
                order.append(family.name)
            }
            return family.name
        }
        let environment = results.environment
        let infoName = add(Family(name: "sluice_bench_run", type: "info", unit: nil, help: "The run and where it ran."))
        families[infoName]?.lines.append(
            "sluice_bench_run_info" + labels([
                ("suite", results.suite), ("run_id", results.runID), ("commit", environment.commit),
                ("dirty", environment.isDirty ? "true" : "false"), ("toolchain", environment.toolchain),
                ("build_configuration", environment.buildConfiguration), ("cpu_model", environment.cpuModel),
                ("kernel", environment.kernel), ("allocator", environment.allocator),
                ("harness_version", environment.harnessVersion), ("environment_key", environment.environmentKey),
                ("partial", results.isPartial ? "true" : "false"),
            ]) + " 1")
        let unavailableName = add(
            Family(
                name: "sluice_bench_metric_unavailable", type: "gauge", unit: nil,
                help: "1 for each metric that could not be measured in this run, with the reason."))
        for benchmark in results.benchmarks where benchmark.status == .passed {
            for metric in benchmark.metrics {
                let base = [("suite", results.suite), ("benchmark", benchmark.name)]
                guard metric.unavailableReason == nil, let summary = metric.summary else {
                    families[unavailableName]?.lines.append(
                        "sluice_bench_metric_unavailable"
                            + labels(base + [
                                ("metric", metric.metric.rawValue),
                                ("reason", metric.unavailableReason ?? "no summary"),
                            ]) + " 1")
                    continue
                }
                let mapping = UnitMapping(metric)
                let name = add(
                    Family(
                        name: mapping.familyName, type: "summary", unit: mapping.openMetricsUnit,
                        help: "\(metric.metric.rawValue) per benchmark (\(mapping.helpUnit), "
                            + "\(metric.direction == .lowerIsBetter ? "lower" : "higher") is better)."))
                for (quantile, value) in [
                    ("0.5", summary.p50), ("0.9", summary.p90), ("0.99", summary.p99), ("0.999", summary.p999),
                ] {
                    families[name]?.lines.append(
                        name + labels(base + [("quantile", quantile)]) + " " + number(value * mapping.scale))
                }
                families[name]?.lines.append(name + "_count" + labels(base) + " \(metric.sampleCount)")
                let sum = summary.mean * Double(metric.sampleCount) * mapping.scale
                if sum.isFinite && sum >= 0 {
                    families[name]?.lines.append(name + "_sum" + labels(base) + " " + number(sum))
                }
            }
        }
        var text = ""
        for name in order {
            guard let family = families[name], family.type == "info" || !family.lines.isEmpty else { continue }
            text += "# TYPE \(family.name) \(family.type)\n"
            if let unit = family.unit { text += "# UNIT \(family.name) \(unit)\n" }
            text += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            for line in family.lines { text += line + "\n" }
        }
        return text + "# EOF\n"
    }

    private struct Family {
        var name: String
        var type: String
        var unit: String?
        var help: String
        var lines: [String] = []
    }

    /// How a harness unit is written in OpenMetrics: base units where one exists, the unit in the name.
    private struct UnitMapping {
        var familyName: String
        var openMetricsUnit: String?
        var scale: Double
        var helpUnit: String

        init(_ metric: MetricResult) {
            let stem = "sluice_bench_" + sanitize(metric.metric.rawValue)
            switch metric.unit {
            case "ns":
                (familyName, openMetricsUnit, scale, helpUnit) = (stem + "_seconds", "seconds", 1e-9, "seconds")
            case "bytes":
                (familyName, openMetricsUnit, scale, helpUnit) = (
                    stem.hasSuffix("_bytes") ? stem : stem + "_bytes", "bytes", 1, "bytes"
                )
            case "%":
                (familyName, openMetricsUnit, scale, helpUnit) = (stem + "_ratio", "ratio", 0.01, "ratio of one core")
            case "ratio":
                (familyName, openMetricsUnit, scale, helpUnit) = (
                    stem.hasSuffix("_ratio") ? stem : stem + "_ratio", "ratio", 1, "ratio"
                )
            default:
                // Per-operation and per-second units have no OpenMetrics base unit: the name says it, no # UNIT.
                var suffix = sanitize(metric.unit.replacingOccurrences(of: "/s", with: "_per_second")
                    .replacingOccurrences(of: "/op", with: "_per_op"))
                if suffix == "count" { suffix = "" }
                // `throughput_bytes` in `bytes/s` is `throughput_bytes_per_second`, not `..._bytes_bytes_per_second`.
                if let lastWord = stem.split(separator: "_").last, suffix.hasPrefix(lastWord + "_") {
                    suffix = String(suffix.dropFirst(lastWord.count + 1))
                }
                let name = suffix.isEmpty || stem.hasSuffix("_" + suffix) ? stem : stem + "_" + suffix
                (familyName, openMetricsUnit, scale, helpUnit) = (name, nil, 1, metric.unit)
            }
        }
    }

    /// `{a="x",b="y"}` with values escaped. Complexity: O(total label length).
    static func labels(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(sanitize($0.0))=\"\(escapeLabelValue($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// Escapes a label value: backslash, double quote and line feed.
    static func escapeLabelValue(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }

    /// Escapes HELP text: backslash and line feed (quotes are allowed there).
    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A metric or label name: `[a-zA-Z_][a-zA-Z0-9_]*`, other characters as `_`.
    static func sanitize(_ name: String) -> String {
        var result = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
        if let first = result.first, first.isNumber { result = "_" + result }
        return result
    }

    /// A float in OpenMetrics syntax: shortest round-trip form, `+Inf`/`-Inf`/`NaN` for the non-finite.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return "\(value)"
    }
}
