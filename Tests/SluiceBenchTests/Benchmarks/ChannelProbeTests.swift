import SluiceBench
import SluiceTestKit
import Testing

/// `producer_blocked_time` of the channel benchmark is nanoseconds per operation, as an integer count converted
/// by value (it was once the integer's bit pattern read as a Double: values like 2.6e-320).
@Suite struct ChannelProbeTests {
    @Test func producerBlockedTimeIsWholeNanosecondsWithinTheOperation() async throws {
        let benchmark = try #require(BenchmarkRegistry.standard.benchmark(named: "micro/channel/sluice/batch256"))
        // Far more elements than the channel's 4096 slots, so the producer has to wait for room.
        let run = BenchmarkMeasurement(
            benchmark: benchmark, parameters: BenchmarkParameters(["elements": .int(200_000)]),
            settings: RunSettings(maxWarmupSeconds: 0, minRounds: 1, maxRounds: 1, minRoundSeconds: 0, processes: 1),
            metrics: [.wallTime, .producerBlockedTime], overhead: .zero)
        _ = try await run.prepare(innerIterations: 1, warmsUp: false)
        try await run.measureRounds()
        let result = run.makeResult()
        let blocked = try #require(result.metric(.producerBlockedTime)?.summary?.p50, "the probe reports a value")
        // Every sample's wall time covers the operation whose channel reported this blocked time.
        let wall = try #require(result.metric(.wallTime)?.summary?.max)
        #expect(result.metric(.producerBlockedTime)?.unit == "ns")
        #expect(blocked == blocked.rounded(), "whole nanoseconds, not a reinterpreted bit pattern: \(blocked)")
        #expect(blocked == 0 || blocked >= 1, "a bit pattern read as a Double is a subnormal: \(blocked)")
        #expect(blocked >= 0 && blocked <= wall * 1.01 + 1_000_000, "blocked \(blocked) ns within \(wall) ns")
    }
}
