import Foundation

/// The committed baselines: `baselines/<environment-key>/<suite>.json`, each a results file (possibly several
/// runs merged, so that its rounds span several processes).
public struct BaselineStore: Sendable {
    /// The `baselines/` folder.
    public let root: URL

    /// A store rooted at `root` (usually `<package root>/baselines`).
    public init(root: URL) {
        self.root = root
    }

    /// Where the baseline for `suite` in environment `environmentKey` lives.
    public func url(environmentKey: String, suite: String) -> URL {
        root.appendingPathComponent(environmentKey, isDirectory: true).appendingPathComponent("\(suite).json")
    }

    /// Loads the baseline for `suite` in `environmentKey`.
    ///
    /// Throws `.missingBaseline` (with the command that records one) when there is none, and `.badInput` when the
    /// file is damaged or of another schema version.
    public func load(environmentKey: String, suite: String) throws(HarnessError) -> ResultsFile {
        let url = url(environmentKey: environmentKey, suite: suite)
        do {
            return try Self.loadBaseline(at: url)
        } catch where error.code == .missingBaseline {
            // Counts travel across hosts: another host's baseline of the same architecture, toolchain,
            // configuration and allocator still judges them (the gate leaves its timings unjudged).
            if let sibling = sameLaneEnvironment(as: environmentKey, suite: suite),
                let baseline = try? Self.loadBaseline(at: self.url(environmentKey: sibling, suite: suite))
            {
                return baseline
            }
            var message = "no baseline for suite '\(suite)' in environment \(environmentKey)"
            let others = availableEnvironments(suite: suite)
            if !others.isEmpty {
                message += " (baselines exist for: \(others.joined(separator: ", ")))"
            }
            message += "; record one with: sluice-bench baseline update --suite \(suite)"
            throw HarnessError(.missingBaseline, message, file: url.path)
        }
    }

    /// Loads a baseline file given by path: a missing file is `.missingBaseline`.
    public static func loadBaseline(at url: URL) throws(HarnessError) -> ResultsFile {
        try JSONFileReader.read(
            ResultsFile.self, from: url, kind: "baseline", schemaVersion: ResultsFile.currentSchemaVersion,
            missingCode: .missingBaseline, file: SuiteLoader.displayPath(url))
    }

    /// The first stored environment (sorted) for `suite` whose key differs from `environmentKey` in the machine's
    /// cores and memory only (`<arch>-<cores>c-<memory>g-swift<version>-<configuration>-<allocator>`).
    public func sameLaneEnvironment(as environmentKey: String, suite: String) -> String? {
        func parts(_ key: String) -> (architecture: Substring, rest: ArraySlice<Substring>)? {
            let fields = key.split(separator: "-")
            guard fields.count >= 6 else { return nil }
            return (fields[0], fields.suffix(from: 3))
        }
        guard let own = parts(environmentKey) else { return nil }
        return availableEnvironments(suite: suite).first { key in
            guard key != environmentKey, let other = parts(key) else { return false }
            return other.architecture == own.architecture && Array(other.rest) == Array(own.rest)
        }
    }

    /// The environment keys that hold a baseline for `suite`, sorted.
    public func availableEnvironments(suite: String) -> [String] {
        let keys = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return keys.filter { FileManager.default.fileExists(atPath: url(environmentKey: $0, suite: suite).path) }
            .sorted()
    }

    /// Makes `results` (one or several runs of `suite`, merged) the baseline for their environment, atomically.
    ///
    /// Refuses, without touching the existing baseline: results of another suite, partial runs, runs with a
    /// failed benchmark, and runs from different environments. Returns the file written.
    @discardableResult
    public func update(suite: String, with results: [ResultsFile]) throws(HarnessError) -> URL {
        guard !results.isEmpty else {
            throw HarnessError(.badInput, "no results to make a baseline from")
        }
        for file in results {
            guard file.suite == suite else {
                throw HarnessError(.badInput, "results of run \(file.runID) are for suite '\(file.suite)', not '\(suite)'",
                                field: "suite")
            }
            guard !file.isPartial else {
                throw HarnessError(.badInput, "run \(file.runID) is partial (interrupted, filtered or a shard); "
                                + "a baseline must come from a complete run", field: "isPartial")
            }
            if let failed = file.benchmarks.first(where: { $0.status == .failed }) {
                throw HarnessError(.badInput, "benchmark \(failed.name) failed in run \(file.runID): "
                                + "\(failed.error ?? "no detail"); a baseline must come from a passing run")
            }
        }
        let merged = try ResultsMerger.merge(results)
        let target = url(environmentKey: merged.environment.environmentKey, suite: suite)
        try AtomicFileWriter.write(try ResultsMerger.encode(merged), to: target)
        return target
    }
}
