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

    /// Regression: the idle clock started at 0, so on a clock far from 0 (the system clock counts since boot) a
    /// partition that had not reported yet was taken for idle at the first element.
    @Test func idleClockStartsAtTheFirstElementNotAtZero() throws {
        let clock = ManualClock(start: 5_000 * 1_000_000)
        var stage = WatermarkOperator<Event>(
            name: "wm", timestamp: { $0.timestamp }, maxOutOfOrderness: 0, partitions: 2, partition: { $0.key },
            idleTimeout: 100, clock: clock)
        var output: [EventTimeElement<Event>] = []
        let emit = { (element: EventTimeElement<Event>) in output.append(element) }
        try stage.process(Event(key: 0, timestamp: 50, value: 0), emit: emit)
        #expect(Self.watermarks(output) == [], "partition 1 has not reported and is not idle yet")
        clock.advance(by: 99 * 1_000_000)
        try stage.process(Event(key: 0, timestamp: 60, value: 0), emit: emit)
        #expect(Self.watermarks(output) == [], "99 ms after the first element: still waiting for partition 1")
        clock.advance(by: 1 * 1_000_000)
        try stage.process(Event(key: 0, timestamp: 70, value: 0), emit: emit)
        #expect(Self.watermarks(output) == [69], "100 ms after the first element partition 1 is idle")
        // Partition 1 rejoins the minimum: the watermark does not move back, but holds until partition 1 passes it.
        try stage.process(Event(key: 1, timestamp: 40, value: 0), emit: emit)
        try stage.process(Event(key: 0, timestamp: 100, value: 0), emit: emit)
        #expect(Self.watermarks(output) == [69], "held by partition 1 after it rejoined")
        try stage.process(Event(key: 1, timestamp: 120, value: 0), emit: emit)
        #expect(Self.watermarks(output) == [69, 99])
    }

    @Test func idleTimeoutRepeatsAStandingWatermarkAndEndOfInputDeclaresIdle() throws {
        let clock = ManualClock(start: 123 * 1_000_000)
        var stage = WatermarkOperator<Event>(
            name: "wm", timestamp: { $0.timestamp }, maxOutOfOrderness: 0, idleTimeout: 100, input: 3, clock: clock)
        var output: [EventTimeElement<Event>] = []
        let emit = { (element: EventTimeElement<Event>) in output.append(element) }
        try stage.process(Event(key: 0, timestamp: 10, value: 0), emit: emit)
        clock.advance(by: 49 * 1_000_000)
        try stage.process(Event(key: 0, timestamp: 10, value: 0), emit: emit)
        #expect(Self.watermarks(output) == [9], "event time stands still for 49 ms: no repeat yet")
        clock.advance(by: 1 * 1_000_000)
        try stage.process(Event(key: 0, timestamp: 10, value: 0), emit: emit)
        #expect(Self.watermarks(output) == [9, 9], "repeated after idleTimeout / 2")
        try stage.finish(emit: emit)
        guard case .watermark(let last) = output.last else {
            Issue.record("no watermark at the end of input")
            return
        }
        #expect(last.isIdle && last.input == 3)
    }

    /// The idle timeout where streams merge: a quiet input stops holding the window stage back, and rejoins
    /// the minimum with its next watermark. The clock does not start at 0.
    @Test func quietMergedInputGoesIdleAndRejoins() throws {
        let clock = ManualClock(start: 7_000 * 1_000_000)
        let counters = WindowCounters()
        var stage = WindowOperator(
            name: "window", assigner: .tumbling(size: 10), trigger: Trigger.eventTime(),
            accumulator: SumAccumulator<Event> { $0.value }, key: { $0.key },
            configuration: WindowConfiguration(watermarkInputs: 2, idleInputTimeout: 100, clock: clock, counters: counters))
        var fired: [Int64] = []
        let emit = { (result: Result) in fired.append(result.window.start) }
        try stage.process(.element(Event(key: 0, timestamp: 1, value: 1), timestamp: 1), emit: emit)
        try stage.process(.watermark(Watermark(timestamp: 50, input: 0)), emit: emit)
        clock.advance(by: 99 * 1_000_000)
        try stage.process(.watermark(Watermark(timestamp: 60, input: 0)), emit: emit)
        #expect(fired == [], "input 1 has had 99 ms of its 100")
        clock.advance(by: 1 * 1_000_000)
        try stage.process(.element(Event(key: 0, timestamp: 72, value: 1), timestamp: 72), emit: emit)
        #expect(fired == [0], "input 1 idle: the watermark is input 0's, 60")
        #expect(counters.idleInputs == 1)
        try stage.process(.watermark(Watermark(timestamp: 75, input: 1)), emit: emit)
        try stage.process(.watermark(Watermark(timestamp: 90, input: 0)), emit: emit)
        #expect(fired == [0], "input 1 rejoined at 75 and holds window [70, 80) back")
        try stage.process(.watermark(Watermark(timestamp: 85, input: 1)), emit: emit)
        #expect(fired == [0, 70])
        // Input 0 now goes quiet while input 1 keeps sending.
        try stage.process(.element(Event(key: 0, timestamp: 95, value: 1), timestamp: 95), emit: emit)
        clock.advance(by: 100 * 1_000_000)
        try stage.process(.watermark(Watermark(timestamp: 120, input: 1)), emit: emit)
        #expect(fired == [0, 70, 90], "input 0 idle after 100 ms without a watermark")
        #expect(counters.idleInputs == 2)
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
        let expected: [Double] = [1_000 - 90, 1_000 - 390]
        #expect(lag.values == expected)
    }
}
