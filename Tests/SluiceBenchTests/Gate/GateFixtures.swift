import Foundation
import SluiceBench
import SluiceTestKit

#if canImport(Glibc)
import Glibc
#endif

/// Builders for synthetic results, suites and rules, shared by the gate, baseline and report tests.
enum GateFixtures {
    static func environment(
        machineClass: String = "x86_64-2c-8g", allocator: String = "jemalloc", buildConfiguration: String = "release"
    ) -> EnvironmentFingerprint {
        EnvironmentFingerprint(
            toolchain: "Swift version 6.3.1 (swift-6.3.1-RELEASE)", buildConfiguration: buildConfiguration,
            commit: "0123456789abcdef", isDirty: false, cpuModel: "Test CPU", coreCount: 2, kernel: "6.1.0",
            allocator: allocator, allocatorVersion: "5.3.0", harnessVersion: "0.1.0", schemaVersion: 1,
            machineClass: machineClass)
    }

    static func results(
        runID: String, suite: String = "pr", isPartial: Bool = false,
        environment: EnvironmentFingerprint = GateFixtures.environment(), _ benchmarks: [BenchmarkResult]
    ) -> ResultsFile {
        ResultsFile(
            runID: runID, suite: suite, startedAt: "2026-11-29T08:00:00Z", isPartial: isPartial,
            environment: environment, harnessOverheadNanoseconds: 20, benchmarks: benchmarks)
    }

    static func benchmark(
        _ name: String, status: BenchmarkResult.Status = .passed, error: String? = nil, _ metrics: [MetricResult]
    ) -> BenchmarkResult {
        BenchmarkResult(name: name, status: status, error: error, innerIterations: 1, metrics: metrics)
    }

    /// A noisy metric whose values are the given ones, each as one worker process's value (and round);
    /// its summary is derived from them.
    static func timing(_ metric: BenchmarkMetric = .wallTime, _ rounds: [Double]) -> MetricResult {
        var result = roundsOnly(metric, rounds)
        result.processValues = ["p50": rounds]
        return result
    }

    /// A noisy metric with per-round values only (a stored file without per-process values).
    static func roundsOnly(_ metric: BenchmarkMetric = .wallTime, _ rounds: [Double]) -> MetricResult {
        let sorted = rounds.sorted()
        let mean = rounds.reduce(0, +) / Double(max(1, rounds.count))
        let summary = MetricSummary(
            min: sorted.first ?? 0, p25: sorted[sorted.count / 4], p50: sorted[sorted.count / 2],
            p75: sorted[sorted.count * 3 / 4], p90: sorted[sorted.count * 9 / 10], p99: sorted.last ?? 0,
            p999: sorted.last ?? 0, max: sorted.last ?? 0, mean: mean, standardDeviation: 0)
        return MetricResult(metric: metric, sampleCount: rounds.count * 10, summary: summary, roundValues: rounds)
    }

    /// An exact metric: the same value in every round.
    static func exact(_ metric: BenchmarkMetric = .allocations, _ value: Double, rounds: Int = 5) -> MetricResult {
        let summary = MetricSummary(
            min: value, p25: value, p50: value, p75: value, p90: value, p99: value, p999: value, max: value,
            mean: value, standardDeviation: 0)
        return MetricResult(
            metric: metric, sampleCount: rounds, summary: summary, roundValues: Array(repeating: value, count: rounds))
    }

    /// `count` rounds around `median`, each multiplied by `exp(noise · z)` with `z` standard normal.
    static func rounds(
        median: Double, noise: Double, count: Int, using generator: inout SeededRandomNumberGenerator
    ) -> [Double] {
        (0..<count).map { _ in median * exp(noise * gaussian(using: &generator)) }
    }

    /// A standard normal draw (Box–Muller).
    static func gaussian(using generator: inout SeededRandomNumberGenerator) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &generator)
        let u2 = Double.random(in: 0..<1, using: &generator)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A suite file with the given benchmarks and optional `thresholds` / `waivers` JSON arrays.
    static func suite(
        benchmarks: [String] = ["micro/a", "micro/b"], metrics: String = #"["wall_time", "allocations"]"#,
        required: String? = nil, thresholds: String? = nil, waivers: String? = nil
    ) throws -> SuiteFile {
        var json = """
            {"schemaVersion": 1, "name": "pr", "tier": "micro",
             "settings": {"maxWarmupSeconds": 0.1, "minRounds": 5, "maxRounds": 10, "minRoundSeconds": 0.01,
                          "processes": 1},
             "metrics": \(metrics),
             "benchmarks": [\(benchmarks.map { #"{"name": "\#($0)"}"# }.joined(separator: ", "))]
            """
        if let required { json += #", "requiredMetrics": \#(required)"# }
        if let thresholds { json += #", "thresholds": \#(thresholds)"# }
        if let waivers { json += #", "waivers": \#(waivers)"# }
        json += "}"
        return try JSONDecoder().decode(SuiteFile.self, from: Data(json.utf8))
    }

    /// Threshold rules from a JSON array.
    static func rules(_ json: String) throws -> [ThresholdRule] {
        try JSONDecoder().decode([ThresholdRule].self, from: Data(json.utf8))
    }

    /// A comparator with the given rules (nil: the design defaults) and no waivers.
    static func comparator(
        rules: String? = nil, required: Set<BenchmarkMetric> = [], allowsIncomparable: Bool = false
    ) throws -> GateComparator {
        let thresholds = ThresholdSet(rules: try rules.map { try GateFixtures.rules($0) })
        return GateComparator(configuration: GateConfiguration(
            thresholds: thresholds, waivers: try WaiverSet(nil, today: "2026-11-29", file: nil),
            requiredMetrics: required, allowsIncomparableEnvironments: allowsIncomparable))
    }

    /// A fresh empty temporary folder.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-gate-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
