import Sluice
import SluiceEventTime
import SluiceTestKit
import MetricsTestKit
import Testing

@Suite("Watermarks")
struct WatermarkTests {
    static func watermarks(_ output: [EventTimeElement<Event>]) -> [Int64] {
        output.compactMap { if case .watermark(let mark) = $0 { mark.timestamp } else { nil } }
    }

    @Test func boundedOutOfOrderness() throws {
        var stage = WatermarkOperator<Event>(name: "wm", timestamp: { $0.timestamp }, maxOutOfOrderness: 5)
        var output: [EventTimeElement<Event>] = []
        for time: Int64 in [10, 8, 20, 15, 21] {
            try stage.process(Event(key: 0, timestamp: time, value: 0)) { output.append($0) }
        }
        #expect(Self.watermarks(output) == [4, 14, 15])
    }

    @Test func partitionsCombineByMinimumAndIdlePartitionsStopHolding() throws {
        let clock = ManualClock()
        var stage = WatermarkOperator<Event>(
            name: "wm", timestamp: { $0.timestamp }, maxOutOfOrderness: 0, partitions: 2, partition: { $0.key },
            idleTimeout: 100, clock: clock)
        var output: [EventTimeElement<Event>] = []
        let emit = { (element: EventTimeElement<Event>) in output.append(element) }
        try stage.process(Event(key: 0, timestamp: 50, value: 0), emit: emit)
        #expect(Self.watermarks(output) == [], "partition 1 has not reported")
        try stage.process(Event(key: 1, timestamp: 30, value: 0), emit: emit)
        #expect(Self.watermarks(output) == [29], "the minimum of the partitions")
        try stage.process(Event(key: 0, timestamp: 80, value: 0), emit: emit)
        #expect(Self.watermarks(output) == [29], "held back by partition 1")
        clock.advance(by: 100 * 1_000_000)
        try stage.process(Event(key: 0, timestamp: 90, value: 0), emit: emit)
        #expect(Self.watermarks(output) == [29, 89], "partition 1 idle after 100 ms")
    }

    @Test func windowStageMergesInputsByMinimum() throws {
        var stage = WindowOperator(
            name: "window", assigner: .tumbling(size: 10), trigger: Trigger.eventTime(),
            accumulator: SumAccumulator<Event> { $0.value }, key: { $0.key },
            configuration: WindowConfiguration(watermarkInputs: 2))
        var fired: [Int64] = []
        let emit = { (result: Result) in fired.append(result.window.start) }
        try stage.process(.element(Event(key: 0, timestamp: 1, value: 1), timestamp: 1), emit: emit)
        try stage.process(.watermark(Watermark(timestamp: 50, input: 0)), emit: emit)
        #expect(fired == [], "input 1 has not sent a watermark")
        try stage.process(.watermark(Watermark(timestamp: 5, input: 1)), emit: emit)
        #expect(fired == [])
        try stage.process(.watermark(Watermark(timestamp: 9, input: 1)), emit: emit)
        #expect(fired == [0])
        try stage.process(.element(Event(key: 0, timestamp: 12, value: 1), timestamp: 12), emit: emit)
        try stage.process(.watermark(Watermark(timestamp: 9, input: 1, isIdle: true)), emit: emit)
        #expect(fired == [0, 10], "an idle input no longer holds the watermark back")
    }
}

@Suite("Watermark lag metric")
struct WatermarkLagMetricTests {
    @Test func lagIsIngestTimeMinusWatermark() throws {
        let metrics = TestMetrics()
        let pipeline = Pipeline.source([Event(key: 0, timestamp: 100, value: 1), Event(key: 0, timestamp: 400, value: 1)])
            .watermarks("stamps", timestamp: { $0.timestamp }, maxOutOfOrderness: 9, ingestTime: { 1_000 }, metrics: metrics)
            .sink(OutputCollector<EventTimeElement<Event>>())
        _ = try SyncEngine().run(pipeline)
        let lag = try metrics.expectGauge("watermark_lag_ms", [("stage", "stamps")])
        #expect(lag.values == [1_000 - 90, 1_000 - 390])
    }
}
