/// Merges the results of `run --shard K/N` runs into one results file, as if one machine had run the suite.
///
/// Rules:
/// - every input is a shard (`shard` is `K/N`), all with the same N and suite;
/// - the fingerprints are identical (toolchain, commit, dirty flag, CPU, kernel, allocator, harness, ...):
///   only the shard differs, otherwise the parts were not measured alike and the merge is refused;
/// - a benchmark in two *different* shards is an error (the runs did not use the same split);
/// - several files of the *same* shard are repeated runs of it: each benchmark's rounds are concatenated,
///   sample counts added, histograms merged bucket by bucket and the summary recomputed from the merged
///   histogram (`ResultsMerger`);
/// - when every shard 1…N is present, `shard` is cleared and `isPartial` is false; otherwise the result stays
///   partial and keeps the shards it has (e.g. `1,3/4`).
///
/// Benchmarks come out sorted by name, the order `BenchmarkShard` splits in. A shard that was itself
/// interrupted (its benchmarks that did not finish are skipped as interrupted) keeps the merge partial.
public enum ShardMerger {
    /// One results file and the name it was given by (for messages).
    public struct Input: Sendable {
        /// The shard's results; its `shard` field must be `K/N`.
        public var results: ResultsFile
        /// Where the results came from (the CLI passes the file path); error messages name the input by it.
        public var source: String

        /// Creates an input.
        public init(results: ResultsFile, source: String) {
            self.results = results
            self.source = source
        }
    }

    /// Merges `inputs` under the rules above.
    /// - Parameter runID: the merged run's id; defaults to the first shard's id with `-merged`.
    /// - Throws: `HarnessError` naming the files concerned.
    /// Complexity: O(total benchmarks × metrics + histogram buckets · log).
    public static func merge(_ inputs: [Input], runID: String? = nil) throws(HarnessError) -> ResultsFile {
        guard let first = inputs.first else {
            throw HarnessError(code: .noInput, message: "give at least one shard results file")
        }
        var shards: [(index: Int, count: Int, input: Input)] = []
        for input in inputs {
            guard let text = input.results.shard else {
                throw HarnessError(
                    code: .notAShard, message: "not a shard (no `shard` field); merge combines `run --shard K/N` results",
                    files: [input.source])
            }
            guard let (index, count) = parseShard(text) else {
                throw HarnessError(
                    code: .invalidShard, message: "shard \"\(text)\" is not K/N with 1 ≤ K ≤ N", files: [input.source])
            }
            shards.append((index, count, input))
        }
        let count = shards[0].count
        if let other = shards.first(where: { $0.count != count }) {
            throw HarnessError(
                code: .shardCountMismatch,
                message: "shards of different splits: \(first.results.shard ?? "") and \(other.input.results.shard ?? "")",
                files: [first.source, other.input.source])
        }
        for shard in shards.dropFirst() {
            let results = shard.input.results
            guard results.suite == first.results.suite else {
                throw HarnessError(
                    code: .suiteMismatch, message: "suites differ: \(first.results.suite) and \(results.suite)",
                    files: [first.source, shard.input.source])
            }
            let differences = EnvironmentDifference.fields(first.results.environment, results.environment)
            guard differences.isEmpty else {
                throw HarnessError(
                    code: .environmentMismatch,
                    message: "fingerprints differ in \(differences.joined(separator: "; ")): "
                        + "the shards were not measured alike",
                    files: [first.source, shard.input.source])
            }
        }
        // The same run given twice would count its rounds and processes twice, as if independent.
        var seen: [String: String] = [:]
        for shard in shards {
            if let earlier = seen[shard.input.results.runID] {
                throw HarnessError(
                    code: .badInput,
                    message: "run \(shard.input.results.runID) is given twice: its rounds would count twice",
                    files: [earlier, shard.input.source])
            }
            seen[shard.input.results.runID] = shard.input.source
        }
        shards.sort { $0.index < $1.index }
        // Which shard and file each benchmark came from, to find duplicates across shards.
        var owner: [String: (index: Int, source: String)] = [:]
        var parts: [String: [BenchmarkResult]] = [:]
        for shard in shards {
            for benchmark in shard.input.results.benchmarks {
                if let previous = owner[benchmark.name], previous.index != shard.index {
                    throw HarnessError(
                        code: .duplicateBenchmark,
                        message: "benchmark \(benchmark.name) is in shard \(previous.index)/\(count) and shard "
                            + "\(shard.index)/\(count): the runs did not split the suite the same way",
                        files: [previous.source, shard.input.source])
                }
                owner[benchmark.name] = (shard.index, shard.input.source)
                parts[benchmark.name, default: []].append(benchmark)
            }
        }
        let present = Set(shards.map(\.index))
        // A shard whose run was interrupted lacks benchmarks: with it the merge is not complete either.
        let interrupted = shards.filter { $0.input.results.benchmarks.contains(where: SuiteRunner.wasInterrupted) }
        // Shards of a filtered run hold only the filtered benchmarks: their merge is not the whole suite.
        let filter = shards.lazy.compactMap(\.input.results.filter).first
        let isComplete = present == Set(1...count) && interrupted.isEmpty && filter == nil
        var merged = first.results
        merged.runID = runID ?? "\(shards[0].input.results.runID)-merged"
        merged.startedAt = shards.map(\.input.results.startedAt).min() ?? first.results.startedAt
        merged.isPartial = !isComplete
        merged.filter = filter
        merged.shard = isComplete ? nil : "\(present.sorted().map(String.init).joined(separator: ","))/\(count)"
        let overheads = shards.compactMap(\.input.results.harnessOverheadNanoseconds)
        merged.harnessOverheadNanoseconds = overheads.isEmpty ? nil : overheads.reduce(0, +) / Double(overheads.count)
        for (name, runs) in parts where runs.count > 1 {
            try checkCombinable(name, runs, sources: shards.map(\.input.source))
        }
        merged.benchmarks = parts.keys.sorted().compactMap { name in
            parts[name].map { $0.count == 1 ? $0[0] : ResultsMerger.mergeBenchmark($0) }
        }
        return merged
    }

    /// Repeated runs of a benchmark combine only when each metric's histograms were recorded alike
    /// (same precision and value divisor, i.e. the same operations per sample).
    private static func checkCombinable(_ name: String, _ runs: [BenchmarkResult], sources: [String])
        throws(HarnessError)
    {
        var recorded: [BenchmarkMetric: (digits: Int, divisor: Double)] = [:]
        for run in runs {
            for metric in run.metrics {
                guard let histogram = metric.histogram else { continue }
                let shape = (histogram.significantDigits, histogram.valueDivisor ?? 1)
                if let previous = recorded[metric.metric], previous != shape {
                    throw HarnessError(
                        code: .incompatibleMetrics,
                        message: "\(name) \(metric.metric.rawValue): the repeated runs recorded histograms differently "
                            + "(digits \(previous.digits) vs \(shape.0), operations per sample \(previous.divisor) vs "
                            + "\(shape.1)); run them with the same settings",
                        files: sources)
                }
                recorded[metric.metric] = shape
            }
        }
    }

    /// `K/N` with 1 ≤ K ≤ N, or nil.
    static func parseShard(_ text: String) -> (index: Int, count: Int)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1,
            (1...count).contains(index)
        else { return nil }
        return (index, count)
    }
}

/// Names the fields in which two fingerprints differ, with both values.
enum EnvironmentDifference {
    /// `field: a ≠ b` for each differing field, in declaration order. Complexity: O(fields).
    static func fields(_ lhs: EnvironmentFingerprint, _ rhs: EnvironmentFingerprint) -> [String] {
        guard lhs != rhs else { return [] }
        let left = Mirror(reflecting: lhs).children
        let right = Dictionary(
            Mirror(reflecting: rhs).children.compactMap { child in child.label.map { ($0, "\(child.value)") } }
        ) { first, _ in first }
        return left.compactMap { child in
            guard let label = child.label else { return nil }
            let value = "\(child.value)"
            return right[label] == value ? nil : "\(label): \(value) ≠ \(right[label] ?? "absent")"
        }
    }
}
