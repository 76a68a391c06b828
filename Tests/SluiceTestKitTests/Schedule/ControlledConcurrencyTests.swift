import Sluice
import SluiceTestKit
import Synchronization
import Testing

/// Small concurrency scenarios of the channel, the engine and the supervisor, written for the schedule controller
/// (each seed is one exactly reproducible interleaving; a failure prints the seed and strategy). The channel's and
/// the engine's own concurrency tests in `SluiceTests` also run under the controller, through `ConcurrencyRunner`.
@Suite struct ControlledConcurrencyTests {
    /// Where a controlled run leaves a result for the test to read.
    final class Box<Value: Sendable>: Sendable {
        let state: Mutex<Value>
        init(_ value: Value) { state = Mutex(value) }
        var value: Value { state.withLock { $0 } }
        func set(_ value: Value) { state.withLock { $0 = value } }
        func update(_ body: (inout Value) -> Void) { state.withLock { body(&$0) } }
    }

    static let strategies: [ScheduleStrategy] = [.randomWalk, .pct(depth: 2, expectedSteps: 300), .pct(depth: 3, expectedSteps: 300)]

    /// Three producers, one consumer, capacity 2: nothing lost or duplicated, depth never above capacity.
    @Test(arguments: strategies)
    func boundedChannelManyProducersOneConsumer(strategy: ScheduleStrategy) {
        for seed in UInt64(0)..<25 {
            let received = Box<[Int]>([])
            let maxDepth = Box(0)
            let outcome = ScheduleController.run(seed: seed, strategy: strategy) {
                let channel = BoundedChannel<Int>(capacity: .bounded(2), name: "fan-in", clock: nil)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for producer in 0..<3 {
                        group.addTask {
                            for index in 0..<6 { try await channel.send(producer * 100 + index) }
                        }
                    }
                    group.addTask {
                        var buffer: [Int] = []
                        while try await channel.receive(into: &buffer, maxCount: 2) > 0 {}
                        received.set(buffer)
                    }
                    for _ in 0..<3 { try await group.next() }
                    channel.finish()
                    try await group.waitForAll()
                    maxDepth.set(channel.statistics().maxDepth)
                }
            }
            #expect(outcome.isCompleted, "seed \(seed), \(strategy): \(outcome.ending)")
            let values = received.value
            let expected: [Int] = (0..<3).flatMap { (p: Int) -> [Int] in (0..<6).map { (i: Int) -> Int in p * 100 + i } }
            #expect(values.sorted() == expected, "seed \(seed), \(strategy)")
            for producer in 0..<3 {
                let own = values.filter { $0 / 100 == producer }
                #expect(own == own.sorted(), "seed \(seed): producer \(producer)'s order was not kept")
            }
            #expect(maxDepth.value <= 2, "seed \(seed)")
        }
    }

    /// Cancelling a producer that waits for room, once the consumer has taken its one element: the producer can
    /// never send all 50 (capacity 1, one receive), so the consumer always finishes first; the cancel then ends
    /// the producer's pending or next send with `CancellationError`, exactly once, and nothing hangs.
    @Test(arguments: strategies)
    func cancellationWhileAProducerWaits(strategy: ScheduleStrategy) {
        for seed in UInt64(0)..<25 {
            let sendErrors = Box(0)
            let outcome = ScheduleController.run(seed: seed, strategy: strategy) {
                let channel = BoundedChannel<Int>(capacity: .bounded(1), name: "cancel", clock: nil)
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            for value in 0..<50 { try await channel.send(value) }
                        } catch is CancellationError {
                            sendErrors.update { $0 += 1 }
                        } catch {
                            Issue.record("seed \(seed): the send failed with \(error), not CancellationError")
                        }
                    }
                    group.addTask { _ = try? await channel.receive() }
                    await group.next()
                    group.cancelAll()
                    await group.waitForAll()
                }
            }
            #expect(outcome.isCompleted, "seed \(seed), \(strategy): \(outcome.ending)")
            #expect(sendErrors.value == 1, "seed \(seed), \(strategy)")
        }
    }

    /// `ConcurrentEngine` gives `SyncEngine`'s output under every explored schedule.
    @Test(arguments: strategies)
    func concurrentEngineMatchesSyncEngine(strategy: ScheduleStrategy) throws {
        let input = Array(0..<40)
        @Sendable func pipeline(_ output: OutputCollector<Int>) -> RunnablePipeline<
            CollectionSource<[Int]>, some StageChain<Int, Int>, CollectingSink<Int>
        > {
            Pipeline.source(input)
                .map("double", pure: false) { $0 * 2 }
                .filter("drop-thirds", pure: false) { $0 % 3 != 0 }
                .flatMap("pairs", pure: false) { [$0, -$0] }
                .sink(output)
        }
        let expected = OutputCollector<Int>()
        _ = try SyncEngine(metrics: .disabled).run(pipeline(expected))
        for seed in UInt64(0)..<15 {
            let output = OutputCollector<Int>()
            let outcome = ScheduleController.run(seed: seed, strategy: strategy) {
                let engine = ConcurrentEngine(
                    fusion: .disabled, batchSize: 4, channelCapacity: 4, metrics: .disabled, clock: ManualClock())
                _ = try await engine.run(pipeline(output))
            }
            #expect(outcome.isCompleted, "seed \(seed), \(strategy): \(outcome.ending)")
            #expect(output.elements == expected.elements, "seed \(seed), \(strategy)")
        }
    }

    /// A supervised consumer that fails on poison elements is restarted and still sees every other element.
    @Test(arguments: strategies)
    func supervisedConsumerRestartsOnPoison(strategy: ScheduleStrategy) {
        struct Poison: Error {}
        for seed in UInt64(0)..<15 {
            let seen = Box<[Int]>([])
            let restarts = Box(0)
            let outcome = ScheduleController.run(seed: seed, strategy: strategy) {
                let clock = ManualClock()
                let channel = BoundedChannel<Int>(capacity: .bounded(2), name: "supervised", clock: nil)
                let supervisor = Supervisor(
                    name: "consumer", policy: RestartPolicy(jitter: 0, maxRestarts: 10), clock: clock,
                    sleep: { clock.advance(by: $0) })
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for value in 0..<12 { try await channel.send(value) }
                        channel.finish()
                    }
                    try await supervisor.run(onRestart: { _ in restarts.update { $0 += 1 } }) {
                        while let value = try await channel.receive() {
                            if value % 5 == 4 { throw Poison() }
                            seen.update { $0.append(value) }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            #expect(outcome.isCompleted, "seed \(seed), \(strategy): \(outcome.ending)")
            #expect(seen.value == [0, 1, 2, 3, 5, 6, 7, 8, 10, 11], "seed \(seed)")
            #expect(restarts.value == 2, "seed \(seed)")
        }
    }
}
