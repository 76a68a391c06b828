import Sluice
import SluiceTestKit
import Synchronization
import Testing

/// Heartbeats the `ConcurrentEngine` sends its watchdog, on virtual time: a sink that blocks until the test lets it
/// go stalls, and the stall is an event counted in `stage_stall_total`.
@Suite struct EngineWatchdogTests {
    /// A sink whose first batch waits until `release` is signalled; says so on `entered`.
    struct BlockingSink: PipelineSink {
        let entered: AsyncStream<Void>.Continuation
        let release: AsyncStream<Void>
        let collected: OutputCollector<Int>
        var waited = false

        mutating func consume(_ batch: [Int]) throws { collected.append(contentsOf: batch) }
        mutating func consumeAsync(_ batch: [Int]) async throws {
            if !waited {
                waited = true
                entered.yield()
                for await _ in release { break }
            }
            collected.append(contentsOf: batch)
        }
        mutating func finish() throws {}
    }

    @Test func aBlockedSinkIsAStallEventAndCountsInStageStallTotal() async throws {
        let clock = ManualClock()
        let factory = RecordingMetricsFactory()
        let watchdog = EngineWatchdog(stallThreshold: .seconds(5), clock: clock, checkInterval: nil, metricsFactory: factory)
        var engine = ConcurrentEngine(batchSize: 4, channelCapacity: 8, metrics: .disabled, clock: clock)
        engine.watchdog = watchdog
        let (entered, enteredContinuation) = AsyncStream<Void>.makeStream()
        let (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        let collected = OutputCollector<Int>()
        let pipeline = Pipeline.source("numbers", Array(0..<100)).map("double") { $0 * 2 }
            .sink("blocked", BlockingSink(entered: enteredContinuation, release: release, collected: collected))
        let run = Task { try await engine.run(pipeline) }
        for await _ in entered { break }

        #expect(watchdog.check().isEmpty, "no time has passed")
        clock.advance(by: .seconds(6))
        let events = watchdog.check()
        #expect(events.contains { $0.stageName == "stage blocked" && $0.kind == .stalled }, "\(events)")
        #expect(!events.contains { $0.stageName == "stage double" }, "a stage blocked on a full channel is not stalled")
        #expect(watchdog.stallEventsTotal == events.count { $0.kind == .stalled })
        #expect(factory.counts["stage_stall_total{stage=stage blocked}"] == 1, "\(factory.counts)")

        releaseContinuation.yield()
        releaseContinuation.finish()
        _ = try await run.value
        #expect(collected.elements == (0..<100).map { $0 * 2 })
        let after = watchdog.check()
        #expect(after.contains { $0.stageName == "stage blocked" && $0.kind == .recovered }, "\(after)")
        #expect(watchdog.events.count == events.count + after.count)
    }

    @Test func withoutAWatchdogNothingIsWatched() async throws {
        let collected = OutputCollector<Int>()
        let engine = ConcurrentEngine(metrics: .disabled)
        #expect(engine.watchdog == nil)
        _ = try await engine.run(Pipeline.source("n", Array(0..<10)).sink(collected))
        #expect(collected.elements == Array(0..<10))
    }

    /// A graph sink that, on its first batch, lets virtual time pass and has the watchdog check while it still
    /// holds the batch: the check sees the sink stage with pending work and no progress.
    struct CheckingSink: PipelineSink {
        let clock: ManualClock
        let watchdog: EngineWatchdog
        let seen: OutputCollector<String>
        let collected: OutputCollector<Int>
        var checked = false

        mutating func consume(_ batch: [Int]) throws {
            if !checked {
                checked = true
                clock.advance(by: .seconds(6))
                seen.append(contentsOf: watchdog.check().map { "\($0.stageName): \($0.kind)" })
            }
            collected.append(contentsOf: batch)
        }
        mutating func finish() throws {}
    }

    @Test func graphRunsBeatEveryStageAndChannel() async throws {
        let clock = ManualClock()
        let factory = RecordingMetricsFactory()
        let watchdog = EngineWatchdog(stallThreshold: .seconds(5), clock: clock, checkInterval: nil, metricsFactory: factory)
        var engine = ConcurrentEngine(batchSize: 4, channelCapacity: 8, metrics: .disabled, clock: clock)
        engine.watchdog = watchdog
        let seen = OutputCollector<String>()
        let collected = OutputCollector<Int>()
        var graph = PipelineGraph(name: "watched")
        graph.addSource("numbers", SequenceSource(Array(0..<100)))
        graph.addStage("double", MapOperator<Int, Int> { $0 * 2 })
        graph.addSink("out", CheckingSink(clock: clock, watchdog: watchdog, seen: seen, collected: collected))
        graph.connect("numbers", to: "double")
        graph.connect("double", to: "out")
        _ = try await engine.run(graph)
        #expect(collected.elements == (0..<100).map { $0 * 2 })
        #expect(seen.elements.contains("stage out: stalled"), "\(seen.elements)")
        #expect(!seen.elements.contains { $0.hasPrefix("stage double") || $0.hasPrefix("stage numbers") },
            "stages that made progress are not stalled: \(seen.elements)")
        #expect(factory.counts["stage_stall_total{stage=stage out}"] == 1, "\(factory.counts)")
        // After the run every heartbeat has moved on or holds nothing: the sink recovered, nothing new stalls.
        clock.advance(by: .seconds(60))
        let after = watchdog.check()
        #expect(after.contains { $0.stageName == "stage out" && $0.kind == .recovered }, "\(after)")
        #expect(!after.contains { $0.kind == .stalled }, "\(after)")
    }
}
