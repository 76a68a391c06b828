import Sluice
import SluiceTestKit
import Testing

@testable import SluiceBench

/// The chaos driver on the real engine, one small cycle per guarantee: crashes, poison, memory pressure; the
/// per-key sequence checker and the final state must come out clean.
@Suite(.serialized) struct ConcurrentChaosRunTests {
    static func configuration(exactlyOnce: Bool) -> ConcurrentChaosConfiguration {
        var configuration = ConcurrentChaosConfiguration()
        configuration.exactlyOnce = exactlyOnce
        configuration.records = 3_000
        configuration.keys = 13
        configuration.checkpointEvery = 100
        configuration.crashAfterRecords = 700
        configuration.poisonEvery = 97
        configuration.slowEvery = 0
        configuration.memoryPressureEveryCheckpoints = 3
        configuration.memoryPressureBytes = 1 << 20
        configuration.seed = SeededRandomNumberGenerator.fromEnvironment(default: 0xC4A0).seed
        return configuration
    }

    @Test(arguments: [false, true])
    func crashesAndPoisonLoseNothingAndKeepPerKeyOrder(_ exactlyOnce: Bool) async throws {
        let configuration = Self.configuration(exactlyOnce: exactlyOnce)
        let report = await ConcurrentChaosRun(configuration: configuration, clock: SystemMonotonicClock())
            .run(seconds: 0, shouldStop: { false })
        let seed = configuration.seed
        #expect(report.failure == nil, "seed \(seed): \(report.failure ?? "")")
        #expect(report.cycles == 1 && report.crashes >= 2, "seed \(seed): \(report.crashes) crashes")
        #expect(report.check.lost == 0 && report.check.reordered == 0, "seed \(seed): \(report.check)")
        if exactlyOnce { #expect(report.check.duplicated == 0, "seed \(seed): \(report.check)") }
        #expect(report.stateMismatches == 0, "seed \(seed)")
        #expect(report.poisonInjected == 30 && report.poisonQuarantined == 30, "seed \(seed)")
        #expect(report.recoveryNanoseconds.count == report.crashes, "every crash was followed by a recovery")
        let outcome = ConcurrentChaosBenchmarks.outcome(report, configuration: configuration)
        #expect(outcome.failure == nil)
    }
}
