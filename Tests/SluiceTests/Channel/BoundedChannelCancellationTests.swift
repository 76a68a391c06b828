import Sluice
import SluiceTestKit
import Testing

/// Cancellation of suspended sends and receives, deterministic cases first, then seeded races of cancel against
/// send, receive and finish. Every accepted element must arrive exactly once; nothing may hang.
@Suite struct BoundedChannelCancellationTests {
    static let rounds = 150

    @Test(arguments: ConcurrencyRunner.spinTolerant)
    func cancelledSingleSendEnqueuesNothing(runner: ConcurrencyRunner) async throws {
        try await runner.forEachSeed(real: 1, controlled: 8) { _ async throws in
            let channel = BoundedChannel<Int>(capacity: 1)
            #expect(channel.trySend(1) == .enqueued)
            let error = await interrupt(
                { await thrownError { try await channel.send(2) } },
                whenSuspended: { channel.statistics().waitingProducerCount == 1 },
                by: .cancellation
            )
            #expect(error as? CancellationError != nil, "got \(String(describing: error))")
            #expect(channel.depth == 1)
            #expect(channel.statistics().waitingProducerCount == 0)
            channel.finish()
            #expect(try await channel.receive() == 1)
            #expect(try await channel.receive() == nil)
        }
    }

    @Test(arguments: ConcurrencyRunner.spinTolerant)
    func cancelledBatchSendReportsTheAcceptedPrefix(runner: ConcurrencyRunner) async throws {
        try await runner.forEachSeed(real: 1, controlled: 8) { _ async throws in
            let channel = BoundedChannel<Int>(capacity: 4)
            let error = await interrupt(
                { await thrownError { try await channel.send(contentsOf: 0..<10) } },
                whenSuspended: { channel.statistics().waitingProducerCount == 1 },
                by: .cancellation
            )
            let channelError = error as? ChannelError
            #expect(
                channelError?.code == .cancelled && channelError?.acceptedCount == 4,
                "got \(String(describing: error))"
            )
            var batch: [Int] = []
            guard case .value(4) = channel.tryReceive(into: &batch, maxCount: 10) else {
                Issue.record("expected the four accepted elements")
                return
            }
            #expect(batch == [0, 1, 2, 3])
        }
    }

    @Test(arguments: ConcurrencyRunner.spinTolerant)
    func cancelledReceiveConsumesNothing(runner: ConcurrencyRunner) async throws {
        try await runner.forEachSeed(real: 1, controlled: 8) { _ async throws in
            let channel = BoundedChannel<Int>(capacity: 4)
            let error = await interrupt(
                {
                    await thrownError {
                        var batch: [Int] = []
                        _ = try await channel.receive(into: &batch, maxCount: 4)
                    }
                },
                whenSuspended: { channel.statistics().waitingConsumerCount == 1 },
                by: .cancellation
            )
            #expect(error as? CancellationError != nil, "got \(String(describing: error))")
            #expect(channel.trySend(7) == .enqueued)
            #expect(channel.depth == 1 && channel.statistics().receivedCount == 0)
        }
    }

    @Test(arguments: ConcurrencyRunner.spinTolerant)
    func finishResumesSuspendedProducersWithTheAcceptedPrefix(runner: ConcurrencyRunner) async throws {
        try await runner.forEachSeed(real: 1, controlled: 8) { _ async throws in
            let channel = BoundedChannel<Int>(capacity: 2)
            let error = await interrupt(
                { await thrownError { try await channel.send(contentsOf: [1, 2, 3]) } },
                whenSuspended: { channel.statistics().waitingProducerCount == 1 },
                by: .action { channel.finish() }
            )
            let channelError = error as? ChannelError
            #expect(
                channelError?.code == .finished && channelError?.acceptedCount == 2,
                "got \(String(describing: error))"
            )
            #expect(try await channel.receive() == 1)
            #expect(try await channel.receive() == 2)
            #expect(try await channel.receive() == nil)
        }
    }

    @Test(arguments: ConcurrencyRunner.spinTolerant)
    func iteratorEndsOnCancellation(runner: ConcurrencyRunner) async throws {
        try await runner.forEachSeed(real: 1, controlled: 8) { _ async throws in
            let channel = BoundedChannel<Int>(capacity: 2)
            _ = channel.trySend(1)
            let count = await interrupt(
                {
                    var count = 0
                    do {
                        for try await _ in channel { count += 1 }
                    } catch {
                        Issue.record("unexpected error \(error)")
                    }
                    return count
                },
                whenSuspended: { channel.statistics().waitingConsumerCount == 1 },
                by: .cancellation
            )
            #expect(count == 1)
        }
    }

    // MARK: Seeded races

    enum Race: CaseIterable {
        /// Cancel producers suspended (or about to suspend) in sends.
        case send
        /// Cancel one of two consumers while it waits or drains.
        case receive
        /// Cancel producers while another task finishes the channel.
        case finish
    }

    /// What a producer knows it got into the channel: exactly these sequence numbers, in order.
    struct ProducerLog: Sendable {
        var producer: Int
        var accepted: [Int] = []
    }

    /// Every race, on the real executor and under the schedule controller (random walk and PCT), where each
    /// round's seed also seeds the schedule: `SLUICE_SEED=<n>` replays one round both ways.
    @Test(arguments: Race.allCases, ConcurrencyRunner.all)
    func cancellationRace(_ race: Race, runner: ConcurrencyRunner) async throws {
        let base = SeededRandomNumberGenerator.fromEnvironment(default: 0xCA_0000).seed
        let rounds = base == 0xCA_0000 ? runner.rounds(real: Self.rounds, controlled: 30) : 1
        var interrupted = 0
        for round in 0..<rounds {
            let seed = base &+ UInt64(round)
            if try await runner.run(seed: seed, { try await runRace(race, seed: seed) }) { interrupted += 1 }
        }
        // The races must actually happen: some rounds must stop a producer or a consumer part-way.
        if rounds > 1 {
            #expect(
                interrupted > 0,
                "no round of \(rounds) interrupted anything (\(race), \(runner), base seed \(base))"
            )
        }
    }

    /// Runs one seeded round; returns whether a producer or consumer was stopped part-way.
    func runRace(_ race: Race, seed: UInt64) async throws -> Bool {
        var random = SeededRandomNumberGenerator(seed: seed)
        let capacity = Int.random(in: 1...6, using: &random)
        let producerCount = Int.random(in: 1...3, using: &random)
        let perProducer = Int.random(in: 5...40, using: &random)
        let maxBatch = Int.random(in: 1...8, using: &random)
        let cancelAfter = Int.random(in: 0...12, using: &random)
        let finishAfter = Int.random(in: 0...12, using: &random)
        let consumerYields = Int.random(in: 0...3, using: &random)
        let cancelledConsumerStart = Int.random(in: 0...6, using: &random)
        let channel = BoundedChannel<TaggedElement>(capacity: .bounded(capacity))
        let context = Comment(
            rawValue: "\(race) race, seed \(seed): capacity \(capacity), \(producerCount)×\(perProducer), "
                + "batch ≤ \(maxBatch), cancel after \(cancelAfter), finish after \(finishAfter)")

        var (logs, parts) = try await withThrowingTaskGroup(of: [TaggedElement].self) { consumers in
            consumers.addTask {
                try await drain(channel, yields: consumerYields, seed: seed)
            }
            if race == .receive {
                consumers.addTask {
                    // A second consumer that is cancelled part-way; what it took before still counts.
                    await withTaskGroup(of: [TaggedElement].self) { inner in
                        inner.addTask {
                            var part = (try? await drain(channel, yields: 0, seed: seed &+ 1)) ?? []
                            if Task.isCancelled { part.append(Self.cancelledMarker) }
                            return part
                        }
                        await yieldTimes(cancelledConsumerStart)
                        inner.cancelAll()
                        return await inner.next() ?? []
                    }
                }
            }
            let logs = await withTaskGroup(of: ProducerLog.self) { producers in
                for producer in 0..<producerCount {
                    producers.addTask {
                        await produce(
                            into: channel, producer: producer, count: perProducer, maxBatch: maxBatch,
                            seed: seed &* 7 &+ UInt64(producer))
                    }
                }
                switch race {
                case .send:
                    await yieldTimes(cancelAfter)
                    producers.cancelAll()
                case .finish:
                    producers.addTask {
                        await yieldTimes(finishAfter)
                        channel.finish()
                        return ProducerLog(producer: -1)
                    }
                    await yieldTimes(cancelAfter)
                    producers.cancelAll()
                case .receive:
                    break
                }
                var logs: [ProducerLog] = []
                for await log in producers where log.producer >= 0 { logs.append(log) }
                return logs
            }
            channel.finish()
            var parts: [[TaggedElement]] = []
            for try await part in consumers { parts.append(part) }
            return (logs, parts)
        }
        let consumerCancelled = parts.contains { $0.last == Self.cancelledMarker }
        parts = parts.map { $0.filter { $0 != Self.cancelledMarker } }

        let expected = Dictionary(uniqueKeysWithValues: logs.map { ($0.producer, $0.accepted) })
        // Each consumer sees each producer's elements in order; across consumers they interleave, but there must
        // be no loss and no duplicate.
        for part in parts {
            #expect(orderProblems(in: part, expected: expected, exact: race != .receive) == [], context)
        }
        let received = parts.flatMap { $0 }
        let acceptedTotal = logs.reduce(0) { $0 + $1.accepted.count }
        #expect(Set(received).count == received.count, context)
        #expect(received.count == acceptedTotal, context)
        let stats = channel.statistics()
        #expect(stats.sentCount == acceptedTotal && stats.receivedCount == acceptedTotal, context)
        #expect(stats.maxDepth <= capacity && stats.waitingProducerCount == 0, context)
        if race == .receive {
            var perProducer: [Int: Int] = [:]
            for element in received { perProducer[element.producer, default: 0] += 1 }
            #expect(logs.allSatisfy { perProducer[$0.producer, default: 0] == $0.accepted.count }, context)
            return consumerCancelled
        }
        return logs.contains { $0.accepted.count < perProducer }
    }

    static let cancelledMarker = TaggedElement(producer: -1, sequence: -1)

    /// Sends in seeded batches until done or stopped by cancellation or finish; logs exactly what was accepted.
    func produce(
        into channel: BoundedChannel<TaggedElement>, producer: Int, count: Int, maxBatch: Int, seed: UInt64
    ) async -> ProducerLog {
        var random = SeededRandomNumberGenerator(seed: seed)
        var log = ProducerLog(producer: producer)
        var next = 0
        while next < count {
            let size = min(Int.random(in: 1...maxBatch, using: &random), count - next)
            let batch = (next..<(next + size)).map { TaggedElement(producer: producer, sequence: $0) }
            if size == 1 {
                do {
                    try await channel.send(batch[0])
                    log.accepted.append(next)
                } catch {
                    let code = (error as? ChannelError)?.code
                    if !(error is CancellationError || code == .finished) {
                        Issue.record("unexpected \(error)")
                    }
                    return log
                }
            } else {
                do throws(ChannelError) {
                    try await channel.send(contentsOf: batch)
                    log.accepted += next..<(next + size)
                } catch {
                    if error.code != .cancelled && error.code != .finished {
                        Issue.record("unexpected \(error)")
                    }
                    log.accepted += next..<(next + error.acceptedCount)
                    return log
                }
            }
            next += size
        }
        return log
    }

    func drain(_ channel: BoundedChannel<TaggedElement>, yields: Int, seed: UInt64) async throws -> [TaggedElement] {
        var random = SeededRandomNumberGenerator(seed: seed)
        var received: [TaggedElement] = []
        var batch: [TaggedElement] = []
        do {
            while true {
                await yieldTimes(Int.random(in: 0...yields, using: &random))
                batch.removeAll(keepingCapacity: true)
                let count = try await channel.receive(into: &batch, maxCount: Int.random(in: 1...4, using: &random))
                if count == 0 { return received }
                received += batch
            }
        } catch is CancellationError {
            return received
        }
    }
}
