/// Merging results of the same benchmark measured in several processes (or runs).
extension BenchmarkResult {
    /// One result from `parts`, which measured the same benchmark: wall-time histograms merged (they must share
    /// inner iterations), round values concatenated in order, other summaries recomputed over the concatenated
    /// round values. Any failed part makes the merge failed with that part's error. A metric missing from every
    /// part stays unavailable with the first part's reason. Precondition: `parts` is not empty.
    /// Complexity: O(total buckets + total rounds · log).
    public static func merging(_ parts: [BenchmarkResult]) throws -> BenchmarkResult {
        precondition(!parts.isEmpty, "nothing to merge")
        var merged = parts[0]
        if let failed = parts.first(where: { $0.status == .failed }) {
            merged.status = .failed
            merged.error = failed.error
        }
        var order: [BenchmarkMetric] = []
        var byMetric: [BenchmarkMetric: [MetricResult]] = [:]
        for part in parts {
            for metric in part.metrics {
                if byMetric[metric.metric] == nil { order.append(metric.metric) }
                byMetric[metric.metric, default: []].append(metric)
            }
        }
        merged.metrics = try order.map { try mergeMetric(byMetric[$0] ?? []) }
        merged.processCount = parts.reduce(0) { $0 + ($1.processCount ?? 1) }
        let warmUps = parts.compactMap(\.isWarmupStable)
        merged.isWarmupStable = warmUps.isEmpty ? nil : warmUps.allSatisfy { $0 }
        return merged
    }

    /// The per-process values of `parts`: each part's own `processValues`, or, for a part that is one process's
    /// result, the median of its rounds (`p50`) and its summary's `p99`. Nil when no part has rounds.
    static func processValues(of parts: [MetricResult]) -> [String: [Double]]? {
        var values: [String: [Double]] = [:]
        for part in parts {
            if let own = part.processValues {
                for (key, list) in own { values[key, default: []] += list }
            } else if let median = RatioStatistics.median(part.roundValues) {
                values["p50", default: []].append(median)
                if let p99 = part.summary?.p99 { values["p99", default: []].append(p99) }
            }
        }
        return values.isEmpty ? nil : values
    }

    private static func mergeMetric(_ parts: [MetricResult]) throws -> MetricResult {
        let available = parts.filter { $0.unavailableReason == nil }
        guard var merged = available.first else { return parts[0] }
        merged.processValues = processValues(of: available)
        guard available.count > 1 else { return merged }
        merged.sampleCount = available.reduce(0) { $0 + $1.sampleCount }
        merged.roundValues = available.flatMap(\.roundValues)
        let histograms = available.compactMap(\.histogram)
        if histograms.count == available.count, var histogram = histograms.first {
            for other in histograms.dropFirst() { histogram = try histogram.merged(with: other) }
            merged.histogram = histogram
            merged.summary = histogram.makeSummary()
        } else {
            merged.histogram = nil
            merged.summary = MetricSummary(exactValues: merged.roundValues)
        }
        return merged
    }
}
