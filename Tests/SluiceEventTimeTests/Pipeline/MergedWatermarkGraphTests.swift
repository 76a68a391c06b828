import Sluice
import SluiceEventTime
import SluiceTestKit
import Synchronization
import Testing

/// Two watermarked streams merged with `PipelineGraph.addMerge` into one window stage, on the engines: the
/// stage's watermark is the minimum of its inputs', so a window waits for the slower input.
@Suite("Merged watermarks through an engine")
struct MergedWatermarkGraphTests {
    static let seed: UInt64 = 2_026

    /// In order within each stream (up to `bound` out of order), keys 0...2. The fast stream covers event time
    /// 0..<2 000 in 400 events, the slow one 0..<400: batch for batch, the fast input runs far ahead.
    static func streams() -> (fast: [Event], slow: [Event]) {
        var random = SeededRandomNumberGenerator(seed: seed)
        func stream(step: Int64) -> [Event] {
            (0..<400).map { index in
                Event(
                    key: Int.random(in: 0...2, using: &random),
                    timestamp: Int64(index) * step - Int64.random(in: 0...4, using: &random),
                    value: Int64.random(in: 1...9, using: &random))
            }
        }
        return (stream(step: 5), stream(step: 1))
    }

    /// Tumbling windows of 100 ms per key, straight from the definition.
    static func oracle(_ events: [Event]) -> [Fired] {
        var sums: [Pair: (count: Int64, sum: Int64)] = [:]
        for event in events {
            let pair = Pair(key: event.key, start: event.timestamp - ((event.timestamp % 100) + 100) % 100)
            sums[pair, default: (0, 0)].count += 1
            sums[pair, default: (0, 0)].sum += event.value
        }
        let fired: [Fired] = sums.map { pair, total in
            Fired(key: pair.key, start: pair.start, end: pair.start + 100, count: total.count, sum: total.sum)
        }
        return fired.sorted { $0.description < $1.description }
    }

    struct Pair: Hashable {
        var key: Int
        var start: Int64
    }

    /// fast → watermarks(input 0) ┐
    ///                            ├→ merge → window(watermarkInputs) → sink
    /// slow → watermarks(input 1) ┘
    static func graph(
        inputs: Int, counters: WindowCounters, output: some PipelineSink<Result>, idleInputTimeout: Int64? = nil,
        clock: any MonotonicClock = SystemMonotonicClock(), fast: [Event]? = nil, slow: [Event]? = nil,
        onFast: @escaping @Sendable (Event) -> Event = { $0 }
    ) -> PipelineGraph {
        let (fastEvents, slowEvents) = streams()
        var graph = PipelineGraph(name: "merged-windows")
        graph.addSource("fast", SequenceSource(fast ?? fastEvents))
        graph.addSource("slow", SequenceSource(slow ?? slowEvents))
        graph.addStage("fast/tap", MapOperator<Event, Event>(isPure: false, onFast))
        for (name, input) in [("fast", 0), ("slow", 1)] {
            graph.addStage(
                "\(name)/watermarks",
                WatermarkOperator<Event>(
                    name: "\(name)/watermarks", timestamp: { $0.timestamp }, maxOutOfOrderness: 5,
                    idleTimeout: idleInputTimeout, input: inputs == 1 ? 0 : input, clock: clock))
        }
        graph.addMerge("merge", of: EventTimeElement<Event>.self)
        graph.addStage(
            "window",
            WindowOperator(
                name: "window", assigner: .tumbling(size: 100), trigger: Trigger.eventTime(),
                accumulator: Sum { $0.value }, key: { $0.key },
                configuration: WindowConfiguration(
                    watermarkInputs: inputs, idleInputTimeout: idleInputTimeout, clock: clock, counters: counters)))
        graph.addSink("sink", output)
        graph.connect("fast", to: "fast/tap")
        graph.connect("fast/tap", to: "fast/watermarks")
        graph.connect("slow", to: "slow/watermarks")
        graph.connect("fast/watermarks", to: "merge")
        graph.connect("slow/watermarks", to: "merge")
        graph.connect("merge", to: "window")
        graph.connect("window", to: "sink")
        return graph
    }

    @Test func syncEngineFiresEachWindowOnceTheSlowerInputPassedIt() throws {
        let (fast, slow) = Self.streams()
        let counters = WindowCounters()
        let output = OutputCollector<Result>()
        _ = try SyncEngine(batchSize: 8).run(Self.graph(inputs: 2, counters: counters, output: CollectingSink(output)))
        #expect(
            output.elements.map(Fired.init).sorted { "\($0)" < "\($1)" } == Self.oracle(fast + slow),
            "seed \(Self.seed)")
        #expect(output.elements.allSatisfy { $0.pane.timing == .onTime }, "seed \(Self.seed)")
        #expect(counters.lateDropped == 0, "seed \(Self.seed): the minimum made no element of the slow input late")
    }

    /// The control: the same graph with both streams counted as one watermark input takes the fast stream's
    /// watermark, fires windows before the slow input has passed them and drops its elements as late.
    @Test func withoutTheMinimumTheSlowInputsElementsAreLate() throws {
        let (fast, slow) = Self.streams()
        let counters = WindowCounters()
        let output = OutputCollector<Result>()
        _ = try SyncEngine(batchSize: 8).run(Self.graph(inputs: 1, counters: counters, output: CollectingSink(output)))
        #expect(counters.lateDropped > 0, "seed \(Self.seed)")
        #expect(output.elements.map(Fired.init).sorted { "\($0)" < "\($1)" } != Self.oracle(fast + slow))
    }

    @Test func concurrentEngineFiresTheSameWindows() async throws {
        let (fast, slow) = Self.streams()
        let expected = Self.oracle(fast + slow)
        for round in 0..<5 {
            let counters = WindowCounters()
            let output = OutputCollector<Result>()
            _ = try await ConcurrentEngine(batchSize: 8, channelCapacity: 32).run(
                Self.graph(inputs: 2, counters: counters, output: CollectingSink(output)))
            #expect(
                output.elements.map(Fired.init).sorted { "\($0)" < "\($1)" } == expected,
                "seed \(Self.seed), round \(round)")
            #expect(counters.lateDropped == 0, "seed \(Self.seed), round \(round)")
        }
    }

    /// The idle timeout where streams merge, through the SyncEngine: the slow stream stops after 20 events;
    /// each fast element moves a virtual clock by 1 ms. With a 50 ms idle timeout the window stage stops waiting
    /// for the slow input while the fast one is still running, so windows fire before the end of input;
    /// without it, the slow input's last watermark holds every later window until the end.
    @Test(arguments: [Int64?.none, 50])
    func quietMergedInputStopsHoldingTheWindowStage(idleInputTimeout: Int64?) throws {
        let (fast, slow) = Self.streams()
        let clock = ManualClock(start: 1_000 * 1_000_000)
        let seen = FastCount()
        let counters = WindowCounters()
        let output = ObservingSink(seen: seen)
        let graph = Self.graph(
            inputs: 2, counters: counters, output: output, idleInputTimeout: idleInputTimeout, clock: clock,
            slow: Array(slow.prefix(20)),
            onFast: { event in
                seen.value.add(1, ordering: .relaxed)
                clock.advance(by: 1_000_000)
                return event
            })
        _ = try SyncEngine(batchSize: 8).run(graph)
        let results = output.results.elements
        let expected = Self.oracle(fast + Array(slow.prefix(20)))
        #expect(results.map { Fired($0.result) }.sorted { "\($0)" < "\($1)" } == expected, "seed \(Self.seed)")
        // Windows from 0 on end after the slow input's last watermark (about 13).
        let early = results.filter { $0.fastSeen < fast.count && $0.result.window.start >= 0 }.count
        if idleInputTimeout == nil {
            #expect(early == 0, "seed \(Self.seed): held by the slow input's last watermark until the end")
            #expect(counters.idleInputs == 0)
        } else {
            #expect(early > 20, "seed \(Self.seed): windows fired while the fast input was running")
            #expect(counters.idleInputs == 1)
        }
    }
}

/// Records each result with the number of fast events that had gone through when it arrived.
struct ObservingSink: PipelineSink {
    let seen: FastCount
    let results = OutputCollector<(result: Result, fastSeen: Int)>()

    func consume(_ batch: [Result]) throws {
        let fastSeen = seen.value.load(ordering: .relaxed)
        results.append(contentsOf: batch.map { ($0, fastSeen) })
    }
}

/// Fast events seen so far.
final class FastCount: Sendable {
    let value = Atomic<Int>(0)
}
