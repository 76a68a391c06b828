import Foundation
import SluiceBench
import SluiceTestKit

/// History entries with known steps, for the trend tests.
enum SyntheticHistory {
    /// `runs` nightly entries. `micro/parse/twitter` slows by 25 % at run 14; `macro/pipeline <&"quoted'>`
    /// (a name that must be escaped) gets 30 % faster at run 22; `meso/flat` does not change.
    static func entries(runs: Int = 32, seed: UInt64 = 42) -> [HistoryEntry] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        func noisy(_ value: Double) -> Double { value * (1 + Double.random(in: -0.02...0.02, using: &generator)) }
        return (0..<runs).map { run in
            let commit = String(format: "%08x", run * 7_919 + 0xA000_0000) + String(repeating: "0", count: 32)
            var environment = SyntheticResults.fingerprint(commit: commit)
            environment.isDirty = run == 3
            let day = String(format: "2026-10-%02dT02:00:00Z", 1 + run % 28)
            let month = run < 28 ? "10" : "11"
            let date = day.replacingOccurrences(of: "2026-10", with: "2026-\(month)")
            let twitter = noisy(run >= 14 ? 1_250_000 : 1_000_000)
            let pipeline = noisy(run >= 22 ? 0.7e9 : 1e9)
            let flat = noisy(52_000)
            func metric(_ name: String, _ unit: String, _ direction: BenchmarkMetric.Direction, _ p50: Double)
                -> HistoryEntry.Metric
            {
                HistoryEntry.Metric(
                    metric: name, unit: unit, direction: direction, p50: p50, p99: p50 * 1.3, sampleCount: 50)
            }
            return HistoryEntry(
                runID: "nightly-\(run)", suite: "nightly", commit: commit, commitDate: date, runDate: date,
                isPartial: false, environment: environment,
                benchmarks: [
                    .init(
                        name: "micro/parse/twitter", status: .passed,
                        metrics: [
                            metric("wall_time", "ns", .lowerIsBetter, twitter),
                            metric("throughput_bytes", "bytes/s", .higherIsBetter, 631_515 / twitter * 1e9),
                        ]),
                    .init(
                        name: "macro/pipeline <&\"quoted'>", status: .passed,
                        metrics: [metric("wall_time", "ns", .lowerIsBetter, pipeline)]),
                    .init(
                        name: "meso/flat", status: run == 5 ? .failed : .passed,
                        metrics: [metric("allocated_bytes", "bytes/op", .lowerIsBetter, flat)]),
                ])
        }
    }

    static func report(runs: Int = 32) -> TrendReport {
        TrendReport(
            histories: [(key: "x86_64-2c-24g-swift6.3.1-release-jemalloc", entries: entries(runs: runs))],
            generatedAt: "2026-11-29T08:00:00Z", detector: ChangePointDetector())
    }
}
