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

    /// The sink's memory-pressure holds are sampled before, at the peak and after: the driver reports how much of
    /// each hold came back (here through a probe that reads the same memory every time, so nothing grew and the
    /// metric says so instead of inventing a figure).
    @Test func memoryHoldsAreSampledAndAFlatProbeIsReportedUnavailable() async throws {
        let configuration = Self.configuration(exactlyOnce: true)
        var run = ConcurrentChaosRun(configuration: configuration, clock: SystemMonotonicClock())
        run.memoryProbe = MemoryProbe { MemoryProbe.Sample(rssBytes: 1_000_000) }
        let report = await run.run(seconds: 0, shouldStop: { false })
        #expect(report.failure == nil, "seed \(configuration.seed): \(report.failure ?? "")")
        // Holds from checkpoint 3 to 4 and 6 to 7 end before the first crash (700 records) of the first incarnation.
        #expect(report.memoryHolds >= 2, "seed \(configuration.seed)")
        #expect(report.memoryReturnedFractionRSS == nil && report.memoryReturnedFractionAllocated == nil)
        let outcome = ConcurrentChaosBenchmarks.outcome(report, configuration: configuration)
        let metric = try #require(outcome.metrics.first { $0.metric == .memoryReturned })
        #expect(metric.unavailableReason?.contains("did not grow") == true, "\(String(describing: metric.unavailableReason))")
    }

    @Test func memoryReturnedIsTheMeanShareOfEachReleasedHold() {
        let log = MemoryPressureLog(probe: MemoryProbe { MemoryProbe.Sample(rssBytes: nil) })
        func sample(_ rss: Double) -> MemoryProbe.Sample { MemoryProbe.Sample(rssBytes: rss) }
        log.began(before: sample(100), peak: sample(200))
        log.ended(after: sample(150))
        // A hold a crash ended (never released) is replaced by the next one and not counted.
        log.began(before: sample(100), peak: sample(900))
        log.began(before: sample(100), peak: sample(300))
        log.ended(after: sample(100))
        // RSS that did not grow says nothing about returning memory.
        log.began(before: sample(100), peak: sample(100))
        log.ended(after: sample(50))
        #expect(log.holds.count == 3)
        #expect(log.returnedFraction(\.rssBytes) == 0.75)
        #expect(log.returnedFraction(\.allocatedBytes) == nil)
    }
}
