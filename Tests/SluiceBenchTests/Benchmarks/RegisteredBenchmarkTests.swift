import SluiceBench
import SluiceTestKit
import Testing

/// Every registered benchmark sets up, runs and passes its own output check (two operations each, virtual time).
@Suite struct RegisteredBenchmarkTests {
    /// Small sizes where a benchmark takes them, so the whole registry runs quickly in debug builds.
    static func parameters(for benchmark: Benchmark) -> BenchmarkParameters {
        var values: [String: JSONParameter] = [:]
        if benchmark.parameters.contains(where: { $0.name == "elements" }) { values["elements"] = .int(500) }
        if benchmark.parameters.contains(where: { $0.name == "work" }) { values["work"] = .int(50) }
        // Macro streams: 20 kB, and an open-loop rate so high that every document is already due (no waiting).
        if benchmark.parameters.contains(where: { $0.name == "megabytes" }) { values["megabytes"] = .double(0.02) }
        if benchmark.parameters.contains(where: { $0.name == "rate" }) { values["rate"] = .double(1e12) }
        if benchmark.parameters.contains(where: { $0.name == "records" }) { values["records"] = .int(2_000) }
        if benchmark.parameters.contains(where: { $0.name == "keys" }) { values["keys"] = .int(100) }
        return BenchmarkParameters(values)
    }

    /// Drivers (soak, chaos) run once for a duration, not in rounds: `DriverBenchmarkTests` runs them.
    @Test(arguments: BenchmarkRegistry.standard.benchmarks.filter { !$0.isDriver }.map(\.name))
    func runsAndPassesItsCheck(name: String) async throws {
        let benchmark = try #require(BenchmarkRegistry.standard.benchmark(named: name))
        let run = BenchmarkMeasurement(
            benchmark: benchmark, parameters: Self.parameters(for: benchmark),
            settings: RunSettings(maxWarmupSeconds: 0, minRounds: 1, maxRounds: 1, minRoundSeconds: 0, processes: 1),
            metrics: [.wallTime, .throughputItems], clock: ManualClock(), overhead: .zero)
        #expect(try await run.prepare(innerIterations: 1, warmsUp: false) == 1)
        try await run.measureRounds()
        let result = run.makeResult()
        #expect(result.status == .passed)
        #expect(result.itemsPerOperation.map { $0 > 0 } ?? true)
    }

    @Test func namesAreStableAndGreppable() {
        for name in BenchmarkRegistry.standard.names {
            // "." for parameters in names that issues fix as contracts (`meso/partition/zipf1.2/workers2`).
            #expect(name.allSatisfy { $0.isLowercase || $0.isNumber || "/-_.".contains($0) }, "\(name)")
            #expect(name.split(separator: "/").count >= 2, "\(name)")
        }
    }

    @Test func injectedFailuresAreCaught() async throws {
        for parameter in ["throws", "wrongOutput"] {
            let benchmark = try #require(BenchmarkRegistry.standard.benchmark(named: "selftest/spin"))
            let run = BenchmarkMeasurement(
                benchmark: benchmark, parameters: BenchmarkParameters([parameter: .bool(true), "work": .int(10)]),
                settings: RunSettings(), metrics: [.wallTime], clock: ManualClock(), overhead: .zero)
            await #expect(throws: BenchmarkFailure.self, "\(parameter)") {
                _ = try await run.prepare(innerIterations: 1, warmsUp: false)
            }
        }
    }
}
