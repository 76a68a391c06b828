import Metrics
import Synchronization
import MetricsTestKit
import Sluice
import SluiceTestKit
import Testing

@Suite struct KeyedRescalingTests {
    static let schedules: [[Int]] = [[3], [1, 2, 3, 4], [4, 1], [3, 1, 5, 2], [8, 7, 6]]

    /// Rescaling mid-run moves key groups with their state: running counts continue without gap or repeat, per-key
    /// order holds, and aggregations equal the sync engine's.
    @Test(arguments: schedules)
    func rescalingMovesStateAndLosesNothing(_ schedule: [Int]) async throws {
        let events = keyedEvents(count: 12_000, keys: 300, exponent: 0.8, seed: 0x5CA1E)
        let observer = PartitionObserver()
        var parallelism = KeyedParallelism(workers: 2, window: 700, observer: observer)
        parallelism._rescaleSchedule = schedule
        let running = OutputCollector<KeyedEvent>()
        let pipeline = runningCountPipeline(events, parallelism, into: running)
        _ = try await ConcurrentEngine(batchSize: 50, channelCapacity: 100).run(pipeline)
        KeyedParallelStageTests.expectPerKeyOrder(running.elements, total: events.count)
        let report = observer.report
        #expect(!report.rescales.isEmpty)
        #expect(report.peakWorkers == max(2, schedule.max()!))
        for rescale in report.rescales where rescale.to == rescale.from + 1 {
            #expect(Double(rescale.movedGroups) / Double(KeyGroups.defaultCount) <= 1.2 / Double(rescale.to))
        }

        let reference = OutputCollector<KeyedValue<Int, SumCount>>()
        _ = try SyncEngine().run(KeyedParallelStageTests.sumPipeline(events, KeyedParallelism(workers: 1), into: reference))
        var split = KeyedParallelism(workers: 2, hotKeys: HotKeySplitting(threshold: 0.02), window: 700)
        split._rescaleSchedule = schedule
        let sums = OutputCollector<KeyedValue<Int, SumCount>>()
        _ = try await ConcurrentEngine(batchSize: 50, channelCapacity: 100).run(
            KeyedParallelStageTests.sumPipeline(events, split, into: sums))
        #expect(sumTable(sums.elements) == sumTable(reference.elements))
        #expect(sums.elements.count == reference.elements.count)
    }

    @Test func skewAndWorkersAreExportedThroughSwiftMetrics() async throws {
        let metrics = TestMetrics()
        let events = keyedEvents(count: 4_000, keys: 100, exponent: 1.2, seed: 7)
        let observer = PartitionObserver()
        var parallelism = KeyedParallelism(workers: 3, window: 1_000, observer: observer)
        parallelism._rescaleSchedule = [3, 2]
        _ = try await ConcurrentEngine(batchSize: 64, channelCapacity: 128, metrics: .enabled(factory: metrics)).run(
            KeyedParallelStageTests.sumPipeline(events, parallelism, into: OutputCollector(), named: "skewed"))
        let dimensions = [("pipeline", "skewed"), ("stage", "sum")]
        let skew = try metrics.expectGauge(PartitionMetricName.skewRatio, dimensions)
        #expect((skew.lastValue ?? 0) >= 1)
        let report = observer.report
        #expect(!report.rescales.isEmpty)
        #expect(try metrics.expectGauge(PartitionMetricName.activeWorkers, dimensions).lastValue == Double(report.activeWorkers))
        let partition0 = try metrics.expectCounter(PartitionMetricName.recordsTotal, dimensions + [("partition", "0")])
        #expect(partition0.totalValue > 0)
    }
}

/// A clock that moves 1 µs forward on every reading: time passes only as the engine reads it, so no test sleeps.
final class TickingClock: MonotonicClock {
    private let now = Synchronization.Atomic<UInt64>(0)

    func nowNanoseconds() -> UInt64 { now.add(1_000, ordering: .relaxed).newValue }
}

@Suite struct DynamicParallelismTests {
    /// The controller drives the stage: every worker's busy time is part of the shared elapsed time, so four
    /// workers are at most 25% utilised, below the band; the stage scales down, moving state, and loses nothing.
    @Test func controllerScalesAnIdleStageDownWithoutLosingAnything() async throws {
        let events = keyedEvents(count: 8_000, keys: 200, exponent: 1.0, seed: 0xD1)
        let observer = PartitionObserver()
        let policy = ParallelismPolicy(
            minimumWorkers: 1, maximumWorkers: 4, targetUtilization: 0.75, band: 0.15, smoothing: 1,
            minimumDwellNanoseconds: 0, decisionIntervalNanoseconds: 1, backlogHigh: 1)
        let parallelism = KeyedParallelism(workers: 4, scaling: policy, window: 500, observer: observer)
        let reference = OutputCollector<KeyedValue<Int, SumCount>>()
        _ = try SyncEngine().run(KeyedParallelStageTests.sumPipeline(events, KeyedParallelism(workers: 1), into: reference))
        let output = OutputCollector<KeyedValue<Int, SumCount>>()
        _ = try await ConcurrentEngine(batchSize: 50, channelCapacity: 100, clock: TickingClock()).run(
            KeyedParallelStageTests.sumPipeline(events, parallelism, into: output))
        #expect(sumTable(output.elements) == sumTable(reference.elements))
        let report = observer.report
        #expect(report.rescales.first.map { $0.to < $0.from } == true, "rescales \(report.rescales)")
        #expect(report.activeWorkers >= 1 && report.activeWorkers <= 4)
    }
}
