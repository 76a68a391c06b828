import SluiceBench
import SluiceTestKit

/// Benchmarks driven by a virtual clock: each operation advances it by a known amount, so the runner's
/// scaling, warm-up and rounds are tested without real time.
enum FakeBenchmarks {
    struct State {
        var clock: ManualClock
        /// Virtual nanoseconds operation `k` (from 0) takes.
        var duration: @Sendable (Int) -> UInt64
        var operations = 0
        var isBroken: Bool
    }

    /// `fake/steady`: every operation takes `nanoseconds` of virtual time; the first `slowFirst` take 10× longer.
    static func steady(
        clock: ManualClock, nanoseconds: UInt64, slowFirst: Int = 0, name: String = "fake/steady",
        isBroken: Bool = false
    ) -> Benchmark {
        timed(clock: clock, name: name, isBroken: isBroken) { $0 < slowFirst ? nanoseconds * 10 : nanoseconds }
    }

    /// A benchmark whose operation `k` takes `duration(k)` of virtual time.
    static func timed(
        clock: ManualClock, name: String = "fake/timed", isBroken: Bool = false,
        duration: @escaping @Sendable (Int) -> UInt64
    ) -> Benchmark {
        Benchmark.synchronous(
            name, summary: "virtual-time operation",
            setup: { (_: BenchmarkParameters) throws -> BenchmarkSetup<State> in
                BenchmarkSetup(
                    state: State(clock: clock, duration: duration, isBroken: isBroken),
                    itemsPerOperation: 2, bytesPerOperation: 1_000)
            },
            operation: { (state: inout State) throws in
                state.clock.advance(by: state.duration(state.operations))
                state.operations += 1
            },
            check: { (state: State) -> String? in
                state.isBroken && state.operations > 3 ? "broken after \(state.operations) operations" : nil
            })
    }

    /// A suite over `registry`'s benchmarks with small virtual-time settings.
    static func suite(_ names: [String], metrics: [BenchmarkMetric] = [.wallTime, .throughputItems]) throws
        -> SuiteFile
    {
        let benchmarks = names.map { "{\"name\": \"\($0)\"}" }.joined(separator: ", ")
        let metricNames = metrics.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        let json = """
            {"schemaVersion": 1, "name": "fake", "tier": "micro",
             "settings": {"maxWarmupSeconds": 0.001, "minRounds": 3, "maxRounds": 5, "minRoundSeconds": 0.0001,
                          "processes": 1},
             "metrics": [\(metricNames)], "benchmarks": [\(benchmarks)]}
            """
        return try SuiteLoader(registry: BenchmarkRegistry(names.map { name in
            Benchmark.synchronous(name, summary: "", setup: { _ in BenchmarkSetup(state: 0) }, operation: { _ in })
        })).parse(Data(json.utf8), file: "fake.json")
    }
}

import Foundation
