import Foundation
import SluiceBench
import SluiceTestKit

/// Builds results files with known values for the history, trend, merge and export tests.
enum SyntheticResults {
    static func fingerprint(commit: String = "0123456789abcdef0123456789abcdef01234567", isDirty: Bool = false)
        -> EnvironmentFingerprint
    {
        EnvironmentFingerprint(
            toolchain: "Swift version 6.3.1 (swift-6.3.1-RELEASE)", buildConfiguration: "release", commit: commit,
            isDirty: isDirty, cpuModel: "Test CPU @ 2.0GHz", coreCount: 2, kernel: "6.1.0-test", allocator: "jemalloc",
            allocatorVersion: "5.3.0", harnessVersion: "0.1.0", schemaVersion: 1, machineClass: "x86_64-2c-24g")
    }

    /// A histogram of `samples`, bucketed to 3 significant digits the way HDR does (lower bound of the bucket).
    static func histogram(_ samples: [Double]) -> CompactHistogram {
        var counts: [UInt64: UInt64] = [:]
        for sample in samples {
            let value = UInt64(max(0, sample.rounded()))
            counts[bucket(value), default: 0] += 1
        }
        let values = counts.keys.sorted()
        return CompactHistogram(
            significantDigits: 3, highestTrackableValue: 1 << 40, values: values, counts: values.map { counts[$0]! })
    }

    private static func bucket(_ value: UInt64) -> UInt64 {
        var unit: UInt64 = 1
        while value / unit >= 2048 { unit *= 2 }
        return value / unit * unit
    }

    /// A timing metric from samples: summary computed from the samples, rounds of `roundSize`.
    static func timing(_ metric: BenchmarkMetric, samples: [Double], roundSize: Int = 10) -> MetricResult {
        let sorted = samples.sorted()
        func quantile(_ q: Double) -> Double {
            sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
        }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(1, samples.count - 1))
        let summary = MetricSummary(
            min: sorted.first!, p25: quantile(0.25), p50: quantile(0.5), p75: quantile(0.75), p90: quantile(0.9),
            p99: quantile(0.99), p999: quantile(0.999), max: sorted.last!, mean: mean,
            standardDeviation: variance.squareRoot())
        let rounds = stride(from: 0, to: samples.count, by: roundSize).map { start in
            let round = samples[start..<min(samples.count, start + roundSize)].sorted()
            return round[round.count / 2]
        }
        return MetricResult(
            metric: metric, sampleCount: samples.count, summary: summary, roundValues: rounds,
            histogram: histogram(samples))
    }

    /// A benchmark whose wall time is around `nanoseconds`, with an exact allocation count.
    static func benchmark(
        _ name: String, nanoseconds: Double, allocations: Double = 12, seed: UInt64, samples: Int = 40
    ) -> BenchmarkResult {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let wall = (0..<samples).map { _ in nanoseconds * (1 + Double.random(in: -0.02...0.02, using: &generator)) }
        let exact = MetricResult(
            metric: .allocations, sampleCount: samples,
            summary: MetricSummary(
                min: allocations, p25: allocations, p50: allocations, p75: allocations, p90: allocations,
                p99: allocations, p999: allocations, max: allocations, mean: allocations, standardDeviation: 0),
            roundValues: Array(repeating: allocations, count: 4))
        let throughput = timing(.throughputItems, samples: wall.map { 1e9 / $0 })
        return BenchmarkResult(
            name: name, status: .passed, innerIterations: 100,
            metrics: [timing(.wallTime, samples: wall), exact, throughput])
    }

    static func results(
        benchmarks: [BenchmarkResult], commit: String = "0123456789abcdef0123456789abcdef01234567",
        startedAt: String = "2026-11-29T08:00:00Z", shard: String? = nil, runID: String = "run-1"
    ) -> ResultsFile {
        ResultsFile(
            runID: runID, suite: "nightly", startedAt: startedAt, isPartial: shard != nil, shard: shard,
            environment: fingerprint(commit: commit), harnessOverheadNanoseconds: 21.5, benchmarks: benchmarks)
    }

    /// A scratch folder, unique per call.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
