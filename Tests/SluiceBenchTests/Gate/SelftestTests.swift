import Foundation
import SluiceBench
import SluiceTestKit
import Testing

/// A stand-in for the runner: synthetic results whose wall time scales with `slowdown` (with seeded noise) and
/// whose allocation count is exactly `allocations + extraAllocations`.
final class FakeMeasurer: @unchecked Sendable {
    // `lock` guards `generator` and `suites`.
    private let lock = NSLock()
    private var generator: SeededRandomNumberGenerator
    private(set) var suites: [SuiteFile] = []
    let noise: Double
    let seed: UInt64

    init(seed: UInt64, noise: Double) {
        generator = SeededRandomNumberGenerator.fromEnvironment(default: seed)
        self.seed = generator.seed
        self.noise = noise
    }

    func measure(_ suite: SuiteFile) -> ResultsFile {
        lock.lock()
        defer { lock.unlock() }
        suites.append(suite)
        let entry = suite.benchmarks[0]
        func number(_ name: String) -> Double {
            switch entry.parameters?[name] {
            case .int(let value): Double(value)
            case .double(let value): value
            default: 0
            }
        }
        let metric: MetricResult
        if entry.name == "selftest/spin" {
            let rounds = GateFixtures.rounds(
                median: 1e6 * max(1, number("slowdown")), noise: noise, count: suite.settings.minRounds,
                using: &generator)
            metric = GateFixtures.timing(.wallTime, rounds)
        } else {
            metric = GateFixtures.exact(.allocations, number("allocations") + number("extraAllocations"))
        }
        return GateFixtures.results(runID: "fake", suite: suite.name, [GateFixtures.benchmark(entry.name, [metric])])
    }
}

@Suite struct SelftestTests {
    @Test func quietMeasurementsMeetEveryTarget() async throws {
        let fake = FakeMeasurer(seed: 0x5E1F, noise: 0.01)
        let selftest = Selftest(configuration: SelftestConfiguration(runs: 4)) { fake.measure($0) }
        let report = try await selftest.run()
        #expect(report.runs.count == 4)
        #expect(report.falseAlarms == 0, "seed \(fake.seed)")
        #expect(report.slowdownDetections == 4, "seed \(fake.seed)")
        #expect(report.allocationDetections("selftest/allocations/500000") == 4)
        #expect(report.allocationDetections("selftest/allocations/1") == 4)
        #expect(report.meetsTargets, "seed \(fake.seed)\n\(report.text)")
        #expect(report.text.contains("detected 4/4"))
        // Each run: baseline and A/A (3 cases each), slowed spin (1), extra allocation (2).
        #expect(fake.suites.count == 4 * 9)
        let slowed = fake.suites.filter {
            $0.benchmarks[0].parameters?["slowdown"] == .double(1.10)
        }
        #expect(slowed.count == 4)
    }

    @Test func noisyMeasurementsMissTheSlowdownAndSaySo() async throws {
        let fake = FakeMeasurer(seed: 0x5E20, noise: 0.30)
        let selftest = Selftest(configuration: SelftestConfiguration(runs: 3)) { fake.measure($0) }
        let report = try await selftest.run()
        #expect(report.slowdownDetections < 3, "seed \(fake.seed)")
        #expect(!report.meetsTargets)
        #expect(report.text.contains("TARGETS NOT MET"))
    }
}
