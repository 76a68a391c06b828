import Foundation

/// Merges results files of the same suite and environment into one, so that a baseline's rounds span several
/// processes or runs.
public enum ResultsMerger {
    /// Merges `files` (at least one). Benchmarks keep the order of first appearance and are merged with
    /// `BenchmarkResult.merging` (rounds concatenated in file order, histograms merged, summaries recomputed).
    ///
    /// Throws `.badInput` when the files are of different suites or one run is given twice, `.incomparableEnvironment` when their
    /// environment keys differ.
    /// - Complexity: O(total rounds + total histogram buckets · log).
    public static func merge(_ files: [ResultsFile]) throws(HarnessError) -> ResultsFile {
        guard var merged = files.first else {
            throw HarnessError(.badInput, "no results to merge")
        }
        guard files.count > 1 else { return merged }
        let key = merged.environment.environmentKey
        var runIDs: Set<String> = []
        for file in files where !runIDs.insert(file.runID).inserted {
            throw HarnessError(.badInput, "run \(file.runID) is given twice: its rounds and processes would count "
                + "twice, as if they were independent")
        }
        for file in files.dropFirst() {
            guard file.suite == merged.suite else {
                throw HarnessError(.badInput, "cannot merge results of suites '\(merged.suite)' and '\(file.suite)'")
            }
            guard file.environment.environmentKey == key else {
                throw HarnessError(.incomparableEnvironment, "cannot merge results from environments \(key) and "
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
        let benchmarks = order.compactMap { name in parts[name].map(mergeBenchmark) }
        merged.benchmarks = benchmarks
        return merged
    }

    /// One result from several measurements of the same benchmark, through `BenchmarkResult.merging`. When
    /// their histograms cannot be merged (different inner iterations), the histograms are dropped and the
    /// summaries recomputed from the concatenated rounds, which the gate's statistics use anyway.
    /// - Complexity: O(total rounds + total histogram buckets · log).
    static func mergeBenchmark(_ parts: [BenchmarkResult]) -> BenchmarkResult {
        if let merged = try? BenchmarkResult.merging(parts) {
            return merged
        }
        let withoutHistograms = parts.map { part in
            var part = part
            part.metrics = part.metrics.map { metric in
                var metric = metric
                metric.histogram = nil
                return metric
            }
            return part
        }
        // Without histograms nothing is left that can fail to merge; the first part is the last resort.
        return (try? BenchmarkResult.merging(withoutHistograms)) ?? parts[0]
    }

    /// The JSON the harness writes: sorted keys and pretty-printed, so that committed baselines diff well.
    public static func encode(_ results: ResultsFile) throws(HarnessError) -> Data {
        do {
            return try results.encoded()
        } catch {
            throw HarnessError(.badInput, "cannot encode results: \(error)")
        }
    }
}
