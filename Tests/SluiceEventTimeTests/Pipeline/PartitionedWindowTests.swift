import Sluice
import SluiceEventTime
import SluiceTestKit
import Testing

/// Partitioned window state is sharded, not striped: `addPartitionedWindow` runs one window stage per worker,
/// each owning its keys' windows. On the ConcurrentEngine the workers run in parallel over one shared stream;
/// together they must fire exactly as one window stage.
@Suite("Partitioned window stage")
struct PartitionedWindowTests {
    static let seed: UInt64 = 515
    static let assigners: [WindowAssigner] = [.tumbling(size: 10), .sliding(size: 30, slide: 10), .session(gap: 7)]

    static func graph(
        _ events: [Event], assigner: WindowAssigner, workers: Int, counters: WindowCounters,
        output: OutputCollector<Result>
    ) -> PipelineGraph {
        var graph = PipelineGraph(name: "partitioned-windows")
        graph.addSource("events", SequenceSource(events))
        graph.addStage(
            "watermarks", WatermarkOperator<Event>(name: "watermarks", timestamp: { $0.timestamp }, maxOutOfOrderness: 10))
        let results = graph.addPartitionedWindow(
            "window", assigner, workers: workers, key: { (event: Event) in event.key }, trigger: assigner.defaultTrigger,
            accumulator: Sum { $0.value }, configuration: WindowConfiguration(allowedLateness: 6, counters: counters))
        graph.addSink("sink", CollectingSink(output))
        graph.connect("events", to: "watermarks")
        graph.connect("watermarks", to: "window")
        graph.connect(results, to: "sink")
        return graph
    }

    /// Each key's firings in order: a key split over two workers would fire twice with partial contents.
    static func byKey(_ results: [Result]) -> [Int: [WindowFiring<Int, Sum.Partial>]] {
        Dictionary(grouping: results.map(\.firing), by: \.key)
    }

    @Test(arguments: assigners)
    func workersTogetherFireAsOneStage(_ assigner: WindowAssigner) async throws {
        // Disorder beyond the bound and the lateness: late firings and dropped elements too.
        let events = EventFixtures.stream(count: 3_000, keys: 64, step: 1, disorder: 60, seed: Self.seed)
        let single = WindowCounters()
        let reference = try EventFixtures.run(
            events, assigner: assigner, bound: 10, configuration: WindowConfiguration(allowedLateness: 6, counters: single))
        #expect(single.lateDropped > 0 && single.lateFirings > 0, "seed \(Self.seed): the stream has late elements")
        let expected = Self.byKey(reference)
        for workers in [2, 4] {
            let counters = WindowCounters()
            let output = OutputCollector<Result>()
            _ = try SyncEngine().run(Self.graph(events, assigner: assigner, workers: workers, counters: counters, output: output))
            #expect(Self.byKey(output.elements) == expected, "seed \(Self.seed), \(workers) workers, SyncEngine")
            for round in 0..<3 {
                let counters = WindowCounters()
                let output = OutputCollector<Result>()
                _ = try await ConcurrentEngine(batchSize: 64, channelCapacity: 256).run(
                    Self.graph(events, assigner: assigner, workers: workers, counters: counters, output: output))
                let context = "seed \(Self.seed), \(workers) workers, ConcurrentEngine round \(round)"
                #expect(Self.byKey(output.elements) == expected, "\(context)")
                // Every element aggregated or refused once, by the one worker that owns its key.
                #expect(counters.elements == single.elements, "\(context)")
                #expect(counters.lateDropped == single.lateDropped, "\(context)")
                #expect(counters.firings == single.firings, "\(context)")
                #expect(counters.liveWindows == 0 && counters.stateSizeBytes == 0, "\(context): all shards emptied")
            }
        }
    }
}
