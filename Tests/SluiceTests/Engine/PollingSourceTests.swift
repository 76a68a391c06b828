import Sluice
import SluiceTestKit
import Synchronization
import Testing

/// A source that polls (a blocking read that timed out, say: Redis's `XREADGROUP … BLOCK`) returns empty batches
/// while it waits for the rest of the pipeline. `ConcurrentEngine` must give the thread back between such reads:
/// on a cooperative pool as small as the machine's cores, sources that do not can starve the very stages they wait
/// for. Under the schedule controller, which runs one task at a time, a source that never suspends starves every
/// other task outright, so the controlled runs fail, deterministically, on an engine that loops on empty reads
/// without yielding (checked: they did before `ConcurrentEngine` yielded). The real-executor runs are a sanity check.
@Suite struct PollingSourceTests {
    /// Emits `1`, then returns empty batches until a later stage has seen it (`acknowledged`), then ends. It gives
    /// up after `maxPolls` empty reads and records that it starved, so a failing engine ends the test instead of
    /// hanging it.
    struct PollingSource: PipelineSource {
        let acknowledged: Acknowledgement
        var emitted = false
        var polls = 0
        static let maxPolls = 1_000_000

        mutating func read(into buffer: inout [Int], maxCount: Int) throws -> Bool {
            if !emitted {
                emitted = true
                buffer.append(1)
                return true
            }
            if acknowledged.seen.load(ordering: .acquiring) { return false }
            polls += 1
            if polls >= Self.maxPolls {
                acknowledged.starved.store(true, ordering: .releasing)
                return false
            }
            return true
        }
    }

    final class Acknowledgement: Sendable {
        let seen = Atomic<Bool>(false)
        let starved = Atomic<Bool>(false)
    }

    @Test(arguments: ConcurrencyRunner.spinTolerant)
    func aPollingSourceLetsTheStageItWaitsForRun(runner: ConcurrencyRunner) async throws {
        try await runner.forEachSeed(real: 3, controlled: 10) { seed in
            let acknowledgement = Acknowledgement()
            let output = OutputCollector<Int>()
            let pipeline = Pipeline.source("poll", PollingSource(acknowledged: acknowledgement))
                .stage("ack", MapOperator<Int, Int> { value in
                    acknowledgement.seen.store(true, ordering: .releasing)
                    return value
                })
                .sink("out", CollectingSink(output))
            _ = try await ConcurrentEngine(fusion: .disabled, batchSize: 4, channelCapacity: 8).run(pipeline)
            let starved = acknowledgement.starved.load(ordering: .acquiring)
            #expect(!starved, "\(runner), seed \(seed): the source starved the stage")
            #expect(output.elements == [1], "\(runner), seed \(seed)")
        }
    }

    @Test(arguments: ConcurrencyRunner.spinTolerant)
    func aPollingGraphSourceLetsTheStageItWaitsForRun(runner: ConcurrencyRunner) async throws {
        try await runner.forEachSeed(real: 3, controlled: 10) { seed in
            let acknowledgement = Acknowledgement()
            let output = OutputCollector<Int>()
            var graph = PipelineGraph()
            graph.addSource("poll", PollingSource(acknowledged: acknowledgement))
            graph.addStage("ack", MapOperator<Int, Int> { value in
                acknowledgement.seen.store(true, ordering: .releasing)
                return value
            })
            graph.addSink("out", CollectingSink(output))
            graph.connect("poll", to: "ack")
            graph.connect("ack", to: "out")
            _ = try await ConcurrentEngine(batchSize: 4, channelCapacity: 8).run(graph)
            let starved = acknowledgement.starved.load(ordering: .acquiring)
            #expect(!starved, "\(runner), seed \(seed): the source starved the stage")
            #expect(output.elements == [1], "\(runner), seed \(seed)")
        }
    }
}
