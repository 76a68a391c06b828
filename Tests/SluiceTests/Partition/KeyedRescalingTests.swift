import Metrics
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
        let pipeline = Pipeline.source(events)
            .keyed("running", by: { $0.key })
            .process(initial: 0) { (count: inout Int, event: KeyedEvent, emit: (KeyedEvent) -> Void) in
                count += 1
                emit(KeyedEvent(key: event.key, sequence: event.sequence, value: count))
            }
            .parallel(parallelism)
            .sink("out", running)
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
