import Foundation

/// Merges results files of the same suite and environment into one, so that a baseline's rounds span several
/// processes or runs.
public enum ResultsMerger {
    /// Merges `files` (at least one). Benchmarks keep the order of first appearance; each metric's rounds are
    /// concatenated in file order, sample counts added, histograms merged bucket by bucket, and the summary
    /// recomputed from the merged histogram when every part has one (else the largest part's is kept).
    ///
    /// Throws `.badInput` when the files are of different suites or environment keys.
    /// - Complexity: O(total rounds + total histogram buckets · log).
    public static func merge(_ files: [ResultsFile]) throws(GateError) -> ResultsFile {
        guard var merged = files.first else {
            throw GateError(.badInput, "no results to merge")
        }
        guard files.count > 1 else { return merged }
        let key = merged.environment.environmentKey
        for file in files.dropFirst() {
            guard file.suite == merged.suite else {
                throw GateError(.badInput, "cannot merge results of suites '\(merged.suite)' and '\(file.suite)'")
            }
            guard file.environment.environmentKey == key else {
                throw GateError(.incomparableEnvironment, "cannot merge results from environments \(key) and "
                                + file.environment.environmentKey)
            }
        }
        var order: [String] = []
        var parts: [String: [BenchmarkResult]] = [:]
        for file in files {
            for benchmark in file.benchmarks {
                if parts[benchmark.name] == nil { order.append(benchmark.name) }
                parts[benchmark.name, default: []].append(benchmark)
            }
        }
        merged.runID = files.map(\.runID).joined(separator: "+")
        merged.isPartial = files.contains { $0.isPartial }
        merged.benchmarks = order.compactMap { name in parts[name].map(mergeBenchmark) }
        return merged
    }

    static func mergeBenchmark(_ parts: [BenchmarkResult]) -> BenchmarkResult {
        var result = parts[0]
        if let failed = parts.first(where: { $0.status != .passed }) {
            result.status = failed.status
            result.error = failed.error
        }
        var order: [BenchmarkMetric] = []
        var metrics: [BenchmarkMetric: [MetricResult]] = [:]
        for part in parts {
            for metric in part.metrics {
                if metrics[metric.metric] == nil { order.append(metric.metric) }
                metrics[metric.metric, default: []].append(metric)
            }
        }
        result.metrics = order.compactMap { metrics[$0].map(mergeMetric) }
        return result
    }

    static func mergeMetric(_ parts: [MetricResult]) -> MetricResult {
        let available = parts.filter { $0.unavailableReason == nil }
        guard var result = available.first else { return parts[0] }
        result.roundValues = available.flatMap(\.roundValues)
        result.sampleCount = available.reduce(0) { $0 + $1.sampleCount }
        let histograms = available.compactMap(\.histogram)
        if histograms.count == available.count, let merged = CompactHistogram.merging(histograms) {
            result.histogram = merged
            result.summary = merged.summary() ?? result.summary
        } else {
            result.histogram = nil
            result.summary = available.max { $0.sampleCount < $1.sampleCount }?.summary
        }
        return result
    }

    /// The JSON the harness writes: sorted keys and pretty-printed, so that committed baselines diff well.
    public static func encode(_ results: ResultsFile) throws(GateError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            return try encoder.encode(results)
        } catch {
            throw GateError(.badInput, "cannot encode results: \(error)")
        }
    }
}
