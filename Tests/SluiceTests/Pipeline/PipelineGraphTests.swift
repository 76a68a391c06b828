import Sluice
import SluiceTestKit
import Testing

/// A sink that fails on its first batch.
struct FailingIntSink: PipelineSink {
    struct Failure: Error {}
    mutating func consume(_ batch: [Int]) throws { throw Failure() }
    mutating func finish() throws {}
}

@Suite struct PipelineGraphTests {
    /// source -> double -> split (broadcast) -> {plusOne, minusOne} -> merge -> sink
    static func diamond(
        source: [Int] = Array(1...6), collector: OutputCollector<Int> = OutputCollector()
    ) -> PipelineGraph {
        var graph = PipelineGraph(name: "diamond")
        graph.addSource("numbers", SequenceSource(source))
        graph.addStage("double", MapOperator<Int, Int> { $0 * 2 })
        graph.addBroadcast("split", of: Int.self)
        graph.addStage("plusOne", MapOperator<Int, Int> { $0 + 1 })
        graph.addStage("minusOne", MapOperator<Int, Int> { $0 - 1 })
        graph.addMerge("merge", of: Int.self)
        graph.addSink("out", CollectingSink(collector))
        graph.connect("numbers", to: "double")
        graph.connect("double", to: "split")
        graph.connect("split", to: "plusOne")
        graph.connect("split", to: "minusOne")
        graph.connect("plusOne", to: "merge")
        graph.connect("minusOne", to: "merge")
        graph.connect("merge", to: "out")
        return graph
    }

    @Test func broadcastAndMergeRunDeterministically() throws {
        let collector = OutputCollector<Int>()
        let statistics = try SyncEngine(batchSize: 4).run(Self.diamond(collector: collector))
        #expect(collector.elements == [3, 5, 7, 9, 1, 3, 5, 7, 11, 13, 9, 11])
        #expect(statistics[stage: "split"]?.emitted == 12)
        #expect(statistics[stage: "merge"]?.processed == 12)
        #expect(statistics[stage: "out"]?.processed == 12)
    }

    @Test func partitionSendsEqualKeysTheSameWayAndLosesNothing() throws {
        let even = OutputCollector<Int>()
        let odd = OutputCollector<Int>()
        var graph = PipelineGraph()
        graph.addSource("numbers", SequenceSource(Array(0..<100)))
        graph.addPartition("byKey", of: Int.self) { $0 % 10 }
        graph.addSink("a", CollectingSink(even))
        graph.addSink("b", CollectingSink(odd))
        graph.connect("numbers", to: "byKey")
        graph.connect("byKey", to: "a")
        graph.connect("byKey", to: "b")
        _ = try SyncEngine().run(graph)
        let keys = [Set(even.elements.map { $0 % 10 }), Set(odd.elements.map { $0 % 10 })]
        #expect(keys[0].isDisjoint(with: keys[1]))
        #expect((even.elements + odd.elements).sorted() == Array(0..<100))
    }

    @Test func concurrentGraphRunMatchesSyncPerPathAndLosesNothing() async throws {
        let input = Array(0..<2_000)
        let syncOut = OutputCollector<Int>()
        let concurrentOut = OutputCollector<Int>()
        _ = try SyncEngine(batchSize: 16).run(Self.diamond(source: input, collector: syncOut))
        let statistics = try await ConcurrentEngine(batchSize: 16, channelCapacity: 32).run(
            Self.diamond(source: input, collector: concurrentOut))
        // Paths merge, so only the multiset is fixed (per-path order: see the partition test).
        #expect(concurrentOut.elements.sorted() == syncOut.elements.sorted())
        #expect(statistics.activeWorkers == 7)
        #expect(statistics.channels.count == 6)
        #expect(statistics.channels.allSatisfy { $0.maxDepth <= 32 })
        #expect(statistics[stage: "out"]?.processed == 4_000)
    }

    @Test func concurrentPartitionKeepsEachPathInOrder() async throws {
        let a = OutputCollector<Int>()
        let b = OutputCollector<Int>()
        var graph = PipelineGraph()
        graph.addSource("numbers", SequenceSource(Array(0..<1_000)))
        graph.addPartition("byKey", of: Int.self) { $0 % 10 }
        graph.addSink("a", CollectingSink(a))
        graph.addSink("b", CollectingSink(b))
        graph.connect("numbers", to: "byKey")
        graph.connect("byKey", to: "a")
        graph.connect("byKey", to: "b")
        _ = try await ConcurrentEngine(batchSize: 8, channelCapacity: 16).run(graph)
        #expect(a.elements == a.elements.sorted())
        #expect(b.elements == b.elements.sorted())
        #expect((a.elements + b.elements).sorted() == Array(0..<1_000))
    }

    static func expectError(
        _ graph: PipelineGraph, _ code: PipelineError.Code, naming stages: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            try graph.validate()
            Issue.record("expected \(code)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            #expect(error.stages == stages, "\(error)", sourceLocation: sourceLocation)
            for stage in stages {
                #expect(error.message.contains(stage), "\(error)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func validDiamondValidates() throws {
        try Self.diamond().validate()
    }

    @Test func typeMismatchNamesBothStages() {
        var graph = PipelineGraph()
        graph.addSource("numbers", SequenceSource([1, 2]))
        graph.addStage("describe", MapOperator<Int, String> { "\($0)" })
        graph.addSink("out", CollectingSink(OutputCollector<Int>()))
        graph.connect("numbers", to: "describe")
        graph.connect("describe", to: "out")
        Self.expectError(graph, .typeMismatch, naming: ["describe", "out"])
    }

    @Test func cycleNamesItsStages() {
        var graph = PipelineGraph()
        graph.addSource("numbers", SequenceSource([1]))
        graph.addMerge("merge", of: Int.self)
        graph.addStage("step", MapOperator<Int, Int> { $0 })
        graph.addBroadcast("tee", of: Int.self)
        graph.addSink("out", CollectingSink(OutputCollector<Int>()))
        graph.connect("numbers", to: "merge")
        graph.connect("merge", to: "step")
        graph.connect("step", to: "tee")
        graph.connect("tee", to: "merge")
        graph.connect("tee", to: "out")
        Self.expectError(graph, .cycle, naming: ["merge", "step", "tee"])
    }

    @Test func disconnectedStageIsNamed() {
        var graph = PipelineGraph()
        graph.addSource("numbers", SequenceSource([1]))
        graph.addStage("orphan", MapOperator<Int, Int> { $0 })
        graph.addSink("out", CollectingSink(OutputCollector<Int>()))
        graph.connect("numbers", to: "out")
        Self.expectError(graph, .disconnected, naming: ["orphan"])
    }

    @Test func separatePipelinesAreDisconnected() {
        var graph = PipelineGraph()
        graph.addSource("a", SequenceSource([1]))
        graph.addSink("aOut", CollectingSink(OutputCollector<Int>()))
        graph.addSource("b", SequenceSource([1]))
        graph.addSink("bOut", CollectingSink(OutputCollector<Int>()))
        graph.connect("a", to: "aOut")
        graph.connect("b", to: "bOut")
        Self.expectError(graph, .disconnected, naming: ["b", "bOut"])
    }

    @Test func fanInWithoutMergeAndFanOutWithoutBroadcastAreRejected() {
        var fanIn = PipelineGraph()
        fanIn.addSource("a", SequenceSource([1]))
        fanIn.addSource("b", SequenceSource([2]))
        fanIn.addSink("out", CollectingSink(OutputCollector<Int>()))
        fanIn.connect("a", to: "out")
        fanIn.connect("b", to: "out")
        Self.expectError(fanIn, .invalidFanIn, naming: ["out", "a", "b"])

        var fanOut = PipelineGraph()
        fanOut.addSource("a", SequenceSource([1]))
        fanOut.addSink("x", CollectingSink(OutputCollector<Int>()))
        fanOut.addSink("y", CollectingSink(OutputCollector<Int>()))
        fanOut.connect("a", to: "x")
        fanOut.connect("a", to: "y")
        Self.expectError(fanOut, .invalidFanOut, naming: ["a", "x", "y"])
    }

    @Test func unknownDuplicateAndMisdirectedEdgesAreRejected() {
        var unknown = Self.diamond()
        unknown.connect("merge", to: "nowhere")
        Self.expectError(unknown, .unknownStage, naming: ["nowhere"])

        var duplicate = Self.diamond()
        duplicate.addStage("double", MapOperator<Int, Int> { $0 })
        Self.expectError(duplicate, .duplicateStageName, naming: ["double"])

        var intoSource = PipelineGraph()
        intoSource.addSource("a", SequenceSource([1]))
        intoSource.addSource("b", SequenceSource([1]))
        intoSource.connect("a", to: "b")
        Self.expectError(intoSource, .invalidEdge, naming: ["a", "b"])

        var twice = PipelineGraph()
        twice.addSource("a", SequenceSource([1]))
        twice.addSink("out", CollectingSink(OutputCollector<Int>()))
        twice.connect("a", to: "out")
        twice.connect("a", to: "out")
        Self.expectError(twice, .invalidEdge, naming: ["a", "out"])
    }

    @Test func missingSourceOrSinkIsReported() {
        var noSink = PipelineGraph()
        noSink.addSource("a", SequenceSource([1]))
        Self.expectError(noSink, .missingSink, naming: ["a"])
        var noSource = PipelineGraph()
        noSource.addSink("out", CollectingSink(OutputCollector<Int>()))
        Self.expectError(noSource, .missingSource, naming: ["out"])
    }

    @Test func enginesRefuseAnInvalidGraphBeforeRunning() {
        var graph = PipelineGraph()
        graph.addSource("a", SequenceSource([1]))
        #expect(throws: PipelineError.self) { try SyncEngine().run(graph) }
    }

    /// A sink that fails while its producers wait for room in its full input: the run ends with the sink's error
    /// under every seeded schedule, instead of leaving the producers waiting (the deadlock the schedule controller
    /// reports).
    @Test func aFailingSinkEndsTheGraphRunUnderEverySchedule() {
        for seed in UInt64(0)..<20 {
            let outcome = ScheduleController.run(seed: seed) {
                var graph = PipelineGraph(name: "failing")
                graph.addSource("numbers", SequenceSource(Array(0..<500)))
                graph.addBroadcast("split", of: Int.self)
                graph.addStage("left", MapOperator<Int, Int> { $0 })
                graph.addStage("right", MapOperator<Int, Int> { $0 })
                graph.addMerge("merge", of: Int.self)
                graph.addSink("out", FailingIntSink())
                for (from, to) in [
                    ("numbers", "split"), ("split", "left"), ("split", "right"), ("left", "merge"), ("right", "merge"),
                    ("merge", "out"),
                ] {
                    graph.connect(from, to: to)
                }
                await #expect(throws: FailingIntSink.Failure.self) {
                    _ = try await ConcurrentEngine(batchSize: 4, channelCapacity: 8).run(graph)
                }
            }
            #expect(outcome.isCompleted, "seed \(seed): \(outcome.ending)")
        }
    }
}
