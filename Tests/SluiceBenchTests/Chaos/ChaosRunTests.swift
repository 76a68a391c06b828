import SluiceBench
import SluiceTestKit
import Testing

@Suite struct ChaosRunTests {
    /// A small run on virtual time: every step advances the clock by 1 ms, so faults land at fixed steps.
    static func smallRun(seed: UInt64, memoryPressureBytes: Int = 8 << 20) -> ChaosReport {
        let clock = ManualClock()
        let configuration = ChaosConfiguration(
            durationSeconds: 6, recordsPerStep: 8, consumerBatch: 16, channelCapacity: 512, keyCount: 16,
            stageFailureEverySeconds: 1.5, poisonBurstEverySeconds: 2, poisonBurstSize: 10,
            malformedBurstEverySeconds: 2.5, malformedBurstSize: 7, truncatedBurstEverySeconds: 3, truncatedBurstSize: 5,
            slowConsumerEverySeconds: 4, slowConsumerSeconds: 0.5, slowdownFactor: 16,
            memoryPressureEverySeconds: 3, memoryPressureBytes: memoryPressureBytes, memoryPressureSeconds: 0.2,
            restartInitialDelaySeconds: 0.01, restartMaxDelaySeconds: 0.1, seed: seed)
        return ChaosRun(configuration: configuration, clock: clock, step: { clock.advance(by: 1_000_000) }).run()
    }

    @Test(arguments: [UInt64(1), 2])
    func atLeastOnceLosesNothingUnderEveryFault(seed: UInt64) {
        let report = Self.smallRun(seed: seed)
        #expect(report.lossPercent == 0, "seed \(seed): \(report)")
        #expect(report.duplicateRatio == 0, "seed \(seed)")
        #expect(report.aggregateMatches, "seed \(seed)")
        #expect(report.stageFailures >= 3, "seed \(seed)")
        #expect(report.restarts == report.stageFailures, "seed \(seed)")
        // Faults are injected while producing (the first 6 s): poison at 2 and 4 s, malformed at 2.5 and 5 s,
        // truncated at 3 s.
        #expect(report.poisonQuarantinedCount == 20, "seed \(seed)")
        #expect(report.invalidInjectedCount == 7 * 2 + 5, "seed \(seed)")
        #expect(report.invalidRejectedCount == report.invalidInjectedCount, "seed \(seed)")
        #expect(report.deliveredCount + report.poisonQuarantinedCount == report.producedCount, "seed \(seed)")
    }

    @Test func recoveryTimeIsTheBackoffPlusTheWaitForTheNextElement() throws {
        let report = Self.smallRun(seed: 3)
        let p50 = try #require(report.recoveryMillisecondsP50)
        // Backoff starts at 10 ms ±20 % jitter; the clock moves 1 ms per step.
        #expect(p50 >= 8 && p50 <= 20, "seed 3: p50 \(p50)")
        #expect(try #require(report.recoveryMillisecondsP99) >= p50)
    }

    @Test func theSlowConsumerBacksUpTheChannelWithinItsCapacity() {
        let report = Self.smallRun(seed: 4)
        #expect(report.peakDepth > 16, "seed 4: the channel should back up, peak \(report.peakDepth)")
        #expect(report.peakDepth <= 512, "seed 4")
    }

    @Test func snapshotsAreTakenEverySecondAndMemoryPressureIsMeasured() {
        let report = Self.smallRun(seed: 5)
        #expect(report.snapshots.count >= 5, "seed 5")
        #expect(report.snapshots.allSatisfy { $0.rssBytes != nil })
        #expect(report.memoryPressureEvents == 1, "seed 5")  // at 3 s; the run has drained before 6 s
        // Process-wide memory moves with the other tests running in parallel, so only the bounds are checked here.
        for fraction in [report.memoryReturnedFractionAllocated, report.memoryReturnedFractionRSS].compactMap({ $0 }) {
            #expect((0...1).contains(fraction))
        }
    }
}
