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

    @Test func explorationCoversManyInterleavings() {
        // Two producers and a consumer over a channel of 2: many jobs are runnable at once.
        let exploration = ScheduleController.explore(seeds: 0..<30) {
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

    /// The planted lost wakeup: found within 50 seeds of the random walk, and its trace replays it.
    @Test func findsAndReplaysALostWakeup() throws {
        @Sendable func program() async throws {
            let mailbox = LossyMailbox()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    mailbox.send(1)
                    mailbox.send(2)
                    mailbox.finish()
                }
                var received: [Int] = []
                while let value = await mailbox.receive() { received.append(value) }
                try await group.waitForAll()
            }
        }
        let exploration = ScheduleController.explore(seeds: 0..<50, program)
        let failure = try #require(exploration.firstFailure, "no seed in 0..<50 exposed the lost wakeup")
        let graph = try #require(failure.deadlock, "seed \(failure.trace.seed): \(failure.ending)")
        #expect(graph.waiters.contains { $0.channel == "lossy-mailbox" && !$0.isSending }, "\(graph)")
        for _ in 0..<3 {
            let replayed = ScheduleController.replay(failure.trace, program)
            #expect(replayed.deadlock != nil, "replaying seed \(failure.trace.seed) did not deadlock again")
            #expect(replayed.trace.tasks == failure.trace.tasks)
        }
        let again = ScheduleController.run(seed: failure.trace.seed, strategy: failure.trace.strategy, program)
        #expect(again.deadlock != nil, "seed \(failure.trace.seed) did not reproduce from the seed alone")
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
