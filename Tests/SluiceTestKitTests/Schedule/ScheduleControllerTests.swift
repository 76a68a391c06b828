import Foundation
import Sluice
import SluiceTestKit
import Synchronization
import Testing

@Suite struct ScheduleControllerTests {
    /// Where a controlled run leaves its result.
    final class SumBox: Sendable {
        let sum = Mutex(0)
        var value: Int { sum.withLock { $0 } }
    }

    /// A producer and a consumer over a small bounded channel: correct under every schedule.
    static func producerConsumer(elements: Int, capacity: Int, result: SumBox = SumBox()) async throws {
        let channel = BoundedChannel<Int>(capacity: .bounded(capacity), name: "hand-off", clock: nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for value in 0..<elements { try await channel.send(value) }
                channel.finish()
            }
            var sum = 0
            while let value = try await channel.receive() { sum += value }
            result.sum.withLock { $0 = sum }
            try await group.waitForAll()
        }
    }

    @Test(arguments: [ScheduleStrategy.randomWalk, .pct(depth: 3, expectedSteps: 200)])
    func aCorrectProgramCompletesUnderEverySeed(strategy: ScheduleStrategy) {
        for seed in UInt64(0)..<40 {
            let sum = SumBox()
            let outcome = ScheduleController.run(seed: seed, strategy: strategy) {
                try await Self.producerConsumer(elements: 20, capacity: 2, result: sum)
            }
            #expect(outcome.isCompleted, "seed \(seed), \(strategy): \(outcome.ending)")
            #expect(sum.value == 190, "seed \(seed)")
        }
    }

    /// Two producers and a consumer over a channel of 2: many jobs are runnable at once.
    @Sendable static func twoProducersOneConsumer() async throws {
        let channel = BoundedChannel<Int>(capacity: .bounded(2), name: "fan-in", clock: nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<2 {
                group.addTask { for value in 0..<5 { try await channel.send(producer * 10 + value) } }
            }
            group.addTask { while try await channel.receive() != nil {} }
            try await group.next()
            try await group.next()
            channel.finish()
            try await group.waitForAll()
        }
    }

    @Test func explorationCoversManyInterleavings() {
        let exploration = ScheduleController.explore(seeds: 0..<30, Self.twoProducersOneConsumer)
        #expect(exploration.failures == 0)
        #expect(exploration.distinctInterleavings > 10, "only \(exploration.distinctInterleavings) of 30 runs differ")
    }

    @Test func theSameSeedGivesTheSameTraceAndReplayFollowsIt() {
        let first = ScheduleController.run(seed: 99) {
            try await Self.producerConsumer(elements: 15, capacity: 2)
        }
        let second = ScheduleController.run(seed: 99) {
            try await Self.producerConsumer(elements: 15, capacity: 2)
        }
        #expect(first.trace.choices == second.trace.choices)
        #expect(first.trace.interleavingSignature == second.trace.interleavingSignature)
        let replayed = ScheduleController.replay(first.trace) {
            try await Self.producerConsumer(elements: 15, capacity: 2)
        }
        #expect(replayed.isCompleted)
        #expect(replayed.trace.choices == first.trace.choices)
    }

    @Test func aTraceRoundTripsThroughAFileAndADamagedFileIsNamed() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/trace.json"
        let outcome = ScheduleController.run(seed: 5, strategy: .pct(depth: 2, expectedSteps: 50)) {
            try await Self.producerConsumer(elements: 5, capacity: 1)
        }
        try outcome.trace.write(to: path)
        #expect(try ScheduleTrace.read(from: path) == outcome.trace)
        try Data("{\"seed\": ".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ScheduleTraceError.self) { try ScheduleTrace.read(from: path) }
        #expect(error?.path == path)
    }

    #if SLUICE_SCHEDULE_HOOKS
    /// The planted lost wakeup (a `BoundedChannel` with the fault planted): found within 50 seeds of the random walk,
    /// then replayed deterministically from its trace, from a trace written to a file and read back, and from its
    /// seed alone.
    @Test func findsAndReplaysALostWakeup() throws {
        let exploration = ScheduleController.explore(seeds: 0..<50, lostWakeupProgram)
        let failure = try #require(exploration.firstFailure, "no seed in 0..<50 exposed the lost wakeup")
        let graph = try #require(failure.deadlock, "seed \(failure.trace.seed): \(failure.ending)")
        #expect(graph.waiters.contains { $0.channel == "lossy" && !$0.isSending }, "\(graph)")
        for _ in 0..<3 {
            let replayed = ScheduleController.replay(failure.trace, lostWakeupProgram)
            #expect(replayed.deadlock == graph, "replaying seed \(failure.trace.seed): \(replayed.ending)")
            #expect(replayed.trace.tasks == failure.trace.tasks)
        }
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/lost-wakeup.json"
        try failure.trace.write(to: path)
        let fromFile = ScheduleController.replay(try ScheduleTrace.read(from: path), lostWakeupProgram)
        #expect(fromFile.deadlock == graph, "replaying \(path): \(fromFile.ending)")
        #expect(fromFile.trace.tasks == failure.trace.tasks && fromFile.trace.choices == failure.trace.choices)
        let again = ScheduleController.run(seed: failure.trace.seed, strategy: failure.trace.strategy, lostWakeupProgram)
        #expect(again.deadlock == graph, "seed \(failure.trace.seed) did not reproduce from the seed alone")
    }

    /// PCT's change points are what find a bug of depth 2. With depth 1 (no change point) a run is fixed by the
    /// order of the three tasks' random priorities (the body, the producer, the consumer): at most 3! = 6
    /// interleavings, and never the lost wakeup, which needs the consumer to run first and then lose the processor
    /// inside its window. With depth 3 (two change
    /// points among the first 20 steps) the interleavings multiply and the bug is found within 60 seeds, then
    /// replayed.
    @Test func pctChangePointsFindADepthTwoBug() throws {
        let shallow = ScheduleController.explore(
            seeds: 0..<60, strategy: .pct(depth: 1, expectedSteps: 20), lostWakeupProgram)
        #expect(shallow.failures == 0, "depth 1 found it: \(String(describing: shallow.firstFailure?.ending))")
        #expect(shallow.distinctInterleavings <= 6, "\(shallow.distinctInterleavings) interleavings without change points")
        let deep = ScheduleController.explore(
            seeds: 0..<60, strategy: .pct(depth: 3, expectedSteps: 20), lostWakeupProgram)
        #expect(deep.distinctInterleavings > shallow.distinctInterleavings)
        let failure = try #require(deep.firstFailure, "PCT depth 3 did not find the lost wakeup in 60 seeds")
        #expect(failure.deadlock?.waiters.contains { $0.channel == "lossy" } == true, "\(failure.ending)")
        let replayed = ScheduleController.replay(failure.trace, lostWakeupProgram)
        #expect(replayed.deadlock == failure.deadlock, "seed \(failure.trace.seed): \(replayed.ending)")
    }
    #endif

    /// Different seeds give PCT different priorities and change points, so a program with more than one runnable
    /// task runs in more than one order.
    @Test func pctSeedsGiveDifferentSchedules() {
        let exploration = ScheduleController.explore(
            seeds: 0..<20, strategy: .pct(depth: 3, expectedSteps: 100), Self.twoProducersOneConsumer)
        #expect(exploration.failures == 0)
        #expect(exploration.distinctInterleavings > 1, "all 20 PCT seeds ran the same interleaving")
    }

    /// A deadlock through `ConcurrentEngine`'s own tasks and channels: the graph names the stages the waiting tasks
    /// run, as well as the channels, and replays equal from a trace file.
    @Test(arguments: [ScheduleStrategy.randomWalk, .pct(depth: 2, expectedSteps: 100)])
    func theWaitForGraphOfAnEngineDeadlockNamesStagesAndChannels(strategy: ScheduleStrategy) throws {
        let outcome = ScheduleController.run(seed: 4, strategy: strategy) { try await feedbackLoopPipeline() }
        let graph = try #require(outcome.deadlock, "\(strategy): \(outcome.ending)")
        #expect(Set(graph.waiters.map(\.channel)) == ["loop-source", "pass-on", "feedback"], "\(graph)")
        #expect(Set(graph.waiters.compactMap(\.stage)) == ["loop-source", "pass-on", "loop-sink"], "\(graph)")
        #expect(graph.waiters.allSatisfy { $0.isSending }, "\(graph)")
        let sink = try #require(graph.waiters.first { $0.stage == "loop-sink" }, "\(graph)")
        #expect(sink.channel == "feedback")
        let cycle = try #require(graph.cycle, "\(graph)")
        #expect(Set(cycle.compactMap { graph.stages[$0] }) == ["loop-source", "pass-on", "loop-sink"], "\(graph)")
        #expect(graph.description.contains("(stage \"loop-sink\") waits for room to send on channel \"feedback\""), "\(graph)")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try outcome.trace.write(to: directory.path + "/engine-deadlock.json")
        let replayed = ScheduleController.replay(try ScheduleTrace.read(from: directory.path + "/engine-deadlock.json")) {
            try await feedbackLoopPipeline()
        }
        #expect(replayed.deadlock == graph)
    }

    /// The planted cycle: every schedule deadlocks, and the wait-for graph names both channels and the cycle.
    @Test(arguments: [ScheduleStrategy.randomWalk, .pct(depth: 2, expectedSteps: 40)])
    func reportsTheWaitForGraphOfACycleOfChannels(strategy: ScheduleStrategy) throws {
        let outcome = ScheduleController.run(seed: 1, strategy: strategy) { try await cyclicStages() }
        let graph = try #require(outcome.deadlock, "\(outcome.ending)")
        #expect(Set(graph.waiters.map(\.channel)) == ["left→right", "right→left"], "\(graph)")
        #expect(graph.waiters.allSatisfy { $0.isSending }, "\(graph)")
        let cycle = try #require(graph.cycle, "\(graph)")
        #expect(cycle.count == 3 && cycle.first == cycle.last, "\(graph)")
        #expect(graph.description.contains("left→right") && graph.description.contains("cycle"))
        #expect(graph.waiters.map(\.task) == graph.waiters.map(\.task).sorted(), "canonical order: \(graph)")
        #expect(graph.waiters.allSatisfy { $0.wakers == $0.wakers.sorted() }, "\(graph)")
        let replayed = ScheduleController.replay(outcome.trace) { try await cyclicStages() }
        #expect(replayed.deadlock == Optional(graph))
    }

    @Test func aStepLimitEndsARunThatDoesNotFinish() {
        let outcome = ScheduleController.run(seed: 3, maxSteps: 10) {
            try await Self.producerConsumer(elements: 1_000, capacity: 1)
        }
        #expect(outcome.ending == ScheduleOutcome.Ending.stepLimit)
        #expect(outcome.steps == 10)
    }

    @Test func aThrowingBodyIsReportedAsFailed() {
        struct Boom: Error {}
        let outcome = ScheduleController.run(seed: 0) { throw Boom() }
        guard case .failed(let message) = outcome.ending else {
            Issue.record("expected .failed, got \(outcome.ending)")
            return
        }
        #expect(message.contains("Boom"))
    }
}
