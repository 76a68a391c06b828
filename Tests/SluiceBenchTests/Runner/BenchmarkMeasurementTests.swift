import SluiceBench
import SluiceTestKit
import Testing

@Suite struct BenchmarkMeasurementTests {
    let policy = MeasurementPolicy(targetSampleNanoseconds: 20_000, warmupWindow: 5, warmupTolerance: 0.02)

    func measurement(_ benchmark: Benchmark, clock: ManualClock, settings: RunSettings? = nil) -> BenchmarkMeasurement {
        BenchmarkMeasurement(
            benchmark: benchmark, parameters: BenchmarkParameters(),
            settings: settings
                ?? RunSettings(maxWarmupSeconds: 1, minRounds: 3, maxRounds: 6, minRoundSeconds: 0.001, processes: 1),
            metrics: [.wallTime, .throughputItems, .throughputBytes], clock: clock, overhead: .zero, policy: policy)
    }

    @Test func innerIterationsScaleUntilASampleReachesTheTarget() async throws {
        let clock = ManualClock()
        let run = measurement(FakeBenchmarks.steady(clock: clock, nanoseconds: 100), clock: clock)
        // 100 ns per operation: 128 operations last 12.8 µs (< 20 µs), 256 last 25.6 µs.
        #expect(try await run.prepare() == 256)
    }

    @Test func slowOperationsNeedNoScaling() async throws {
        let clock = ManualClock()
        let run = measurement(FakeBenchmarks.steady(clock: clock, nanoseconds: 5_000_000), clock: clock)
        #expect(try await run.prepare() == 1)
    }

    @Test func fixedInnerIterationsAreKept() async throws {
        let clock = ManualClock()
        let run = measurement(FakeBenchmarks.steady(clock: clock, nanoseconds: 100), clock: clock)
        #expect(try await run.prepare(innerIterations: 10) == 10)
    }

    @Test func warmUpOfASteadyBenchmarkTakesTwoWindows() async throws {
        let clock = ManualClock()
        let run = measurement(FakeBenchmarks.steady(clock: clock, nanoseconds: 100), clock: clock)
        _ = try await run.prepare(innerIterations: 100)
        #expect(run.isWarmupStable == true)
        // The first operation, then 2 windows of 5 samples of 100 operations.
        #expect(clock.nowNanoseconds() == 100 + 10 * 100 * 100)
    }

    @Test func warmUpRunsPastASlowStart() async throws {
        let clock = ManualClock()
        // The first 750 operations take 1 µs, the rest 100 ns: window medians 100 µs, 54.1 µs, 10 µs, 10 µs.
        let run = measurement(FakeBenchmarks.steady(clock: clock, nanoseconds: 100, slowFirst: 750), clock: clock)
        _ = try await run.prepare(innerIterations: 100)
        #expect(run.isWarmupStable == true)
        #expect(clock.nowNanoseconds() == 750 * 1_000 + (1 + 20 * 100 - 750) * 100)
        let round = try await run.measureRound()
        #expect(round.samples.allSatisfy { $0 == 100 }, "samples after warm-up: \(round.samples.prefix(5))")
    }

    @Test func warmUpStopsAtItsCapWhenNeverStable() async throws {
        let clock = ManualClock()
        // Operation time alternates every 500 operations (5 samples), so window medians never agree.
        let run = measurement(
            FakeBenchmarks.timed(clock: clock) { 100 + UInt64((($0 - 1) / 500) % 2) * 1_000 }, clock: clock,
            settings: RunSettings(maxWarmupSeconds: 0.001, minRounds: 1, maxRounds: 1, minRoundSeconds: 0, processes: 1))
        _ = try await run.prepare(innerIterations: 100)
        #expect(run.isWarmupStable == false)
        // It stops at the first window boundary past the 1 ms cap.
        #expect(clock.nowNanoseconds() >= 1_000_000)
        #expect(clock.nowNanoseconds() < 1_000_000 + 5 * 100 * 1_100 + 1_100)
    }

    @Test func roundsReportExactVirtualTimePerOperation() async throws {
        let clock = ManualClock()
        let run = measurement(FakeBenchmarks.steady(clock: clock, nanoseconds: 100), clock: clock)
        _ = try await run.prepare()
        try await run.measureRounds()
        // Stable rounds stop at minRounds.
        #expect(run.rounds.count == 3)
        let result = run.makeResult()
        #expect(result.status == .passed)
        #expect(result.innerIterations == 256)
        let wall = try #require(result.metric(.wallTime))
        #expect(wall.roundValues == [100, 100, 100])
        #expect(wall.summary?.p50 == 100)
        #expect(wall.histogram?.valueDivisor == 256)
        // 2 items and 1000 bytes per 100 ns operation.
        #expect(result.metric(.throughputItems)?.summary?.p50 == 20_000_000)
        #expect(result.metric(.throughputBytes)?.summary?.p50 == 10_000_000_000)
        #expect(result.metric(.throughputItems)?.histogram == nil)
    }

    @Test func eachRoundLastsAtLeastTheMinimumRoundTime() async throws {
        let clock = ManualClock()
        let run = measurement(FakeBenchmarks.steady(clock: clock, nanoseconds: 1_000), clock: clock)
        _ = try await run.prepare(innerIterations: 10)
        let round = try await run.measureRound()
        // 1 ms round, 10 µs samples: 100 samples, 1000 operations.
        #expect(round.samples.count == 100)
        #expect(round.operations == 1_000)
    }

    @Test func aFailedOutputCheckIsAFunctionalFailure() async throws {
        let clock = ManualClock()
        let run = measurement(FakeBenchmarks.steady(clock: clock, nanoseconds: 100, isBroken: true), clock: clock)
        _ = try await run.prepare(innerIterations: 1)
        await #expect(throws: BenchmarkFailure.self) { try await run.measureRounds() }
    }

    @Test func aThrowingOperationIsAFunctionalFailure() async throws {
        let benchmark = try #require(BenchmarkRegistry.standard.benchmark(named: "selftest/spin"))
        let run = BenchmarkMeasurement(
            benchmark: benchmark, parameters: BenchmarkParameters(["throws": .bool(true)]), settings: RunSettings(),
            metrics: [.wallTime], clock: ManualClock(), overhead: .zero, policy: policy)
        let error = await #expect(throws: BenchmarkFailure.self) { try await run.prepare() }
        #expect(error?.message.contains("injected failure") == true)
    }

    @Test func unavailableMetricsSayWhy() async throws {
        let clock = ManualClock()
        let run = BenchmarkMeasurement(
            benchmark: FakeBenchmarks.steady(clock: clock, nanoseconds: 100), parameters: BenchmarkParameters(),
            settings: RunSettings(maxWarmupSeconds: 0, minRounds: 1, maxRounds: 1, minRoundSeconds: 0, processes: 1),
            metrics: [.latency, .channelDepthMax, .allocations], clock: clock, overhead: .zero, policy: policy)
        _ = try await run.prepare()
        try await run.measureRounds()
        let result = run.makeResult()
        for metric in result.metrics {
            #expect(metric.unavailableReason != nil, "\(metric.metric) should be unavailable")
            #expect(metric.summary == nil)
        }
    }
}
