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
}
