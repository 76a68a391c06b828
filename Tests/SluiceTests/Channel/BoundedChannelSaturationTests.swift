import Sluice
import SluiceTestKit
import Testing

/// Design section 7, "Saturation fuzz with bounded channels": fast producers into a slow consumer under every
/// overflow policy. Seeded; `SLUICE_SEED=<n>` replays one round.
@Suite struct BoundedChannelSaturationTests {
    static let rounds = 24

    struct Scenario: CustomStringConvertible {
        var seed: UInt64
        var capacity: Int
        var watermarks: ChannelWatermarks
        var producerCount: Int
        var elementsPerProducer: Int
        var maxBatch: Int
        var maxReceive: Int
        var maxConsumerYields: Int

        init(seed: UInt64) {
            var random = SeededRandomNumberGenerator(seed: seed)
            self.seed = seed
            capacity = Int.random(in: 1...16, using: &random)
            let high = Int.random(in: 1...capacity, using: &random)
            watermarks = ChannelWatermarks(low: Int.random(in: 0..<high, using: &random), high: high)
            producerCount = Int.random(in: 1...3, using: &random)
            elementsPerProducer = Int.random(in: 20...200, using: &random)
            maxBatch = Int.random(in: 1...(2 * capacity + 1), using: &random)
            maxReceive = Int.random(in: 1...(capacity + 2), using: &random)
            maxConsumerYields = Int.random(in: 0...6, using: &random)
        }

        var description: String {
            "seed \(seed): capacity \(capacity), watermarks \(watermarks.low)/\(watermarks.high), "
                + "\(producerCount) producers × \(elementsPerProducer), "
                + "batch ≤ \(maxBatch), receive ≤ \(maxReceive)"
        }
    }

    struct Outcome {
        var received: [TaggedElement] = []
        var largestReceive = 0
        var largestObservedDepth = 0
    }

    /// Every policy on the real executor and under the schedule controller. `.fail` producers spin (yield and
    /// resend) until the consumer makes room, so that policy runs under the random walk only (see
    /// `ConcurrencyRunner.spinTolerant`); the others also run under PCT.
    static let cases: [(ChannelOverflowPolicy, ConcurrencyRunner)] = ChannelOverflowPolicy.allCases.flatMap {
        policy in (policy == .fail ? ConcurrencyRunner.spinTolerant : ConcurrencyRunner.all).map { (policy, $0) }
    }

    @Test(arguments: cases)
    func fastProducersSlowConsumer(policy: ChannelOverflowPolicy, runner: ConcurrencyRunner) async throws {
        let base = SeededRandomNumberGenerator.fromEnvironment(default: 0x5A7_0000).seed
        let rounds = base == 0x5A7_0000 ? runner.rounds(real: Self.rounds, controlled: 8) : 1
        for round in 0..<rounds {
            let scenario = Scenario(seed: base &+ UInt64(round))
            try await runner.run(seed: scenario.seed) { try await run(scenario, policy: policy) }
        }
    }

    func run(_ scenario: Scenario, policy: ChannelOverflowPolicy) async throws {
        let channel = BoundedChannel<TaggedElement>(
            capacity: .bounded(scenario.capacity), overflowPolicy: policy, watermarks: scenario.watermarks)
        let outcome = try await withThrowingTaskGroup(of: Outcome?.self) { group in
            group.addTask { try await consume(channel, scenario) }
            await withThrowingTaskGroup(of: Void.self) { producers in
                for producer in 0..<scenario.producerCount {
                    producers.addTask { try await produce(into: channel, producer: producer, scenario) }
                }
                while let result = await producers.nextResult() {
                    if case .failure(let error) = result {
                        Issue.record("producer failed: \(error); \(scenario)")
                    }
                }
            }
            channel.finish()
            var outcome: Outcome?
            for try await result in group where result != nil { outcome = result }
            return outcome ?? Outcome()
        }
        let stats = channel.statistics()
        let offered = scenario.producerCount * scenario.elementsPerProducer
        let context = Comment(rawValue: "\(policy), \(scenario), \(stats)")
        #expect(stats.maxDepth <= scenario.capacity, context)
        #expect(outcome.largestObservedDepth <= scenario.capacity, context)
        #expect(outcome.largestReceive <= min(scenario.maxReceive, scenario.capacity), context)
        #expect(stats.depth == 0 && stats.receivedCount == outcome.received.count, context)
        #expect(stats.sentCount == stats.receivedCount + stats.droppedCount, context)
        #expect(stats.sentCount == offered, context)
        let expected = Dictionary(
            uniqueKeysWithValues: (0..<scenario.producerCount).map { ($0, Array(0..<scenario.elementsPerProducer)) })
        switch policy {
        case .wait, .fail:
            // `.fail` producers resend exactly the refused remainder, so everything arrives once, in order.
            #expect(stats.droppedCount == 0, context)
            #expect(orderProblems(in: outcome.received, expected: expected, exact: true) == [], context)
        case .dropOldest, .dropNewest:
            #expect(orderProblems(in: outcome.received, expected: expected, exact: false) == [], context)
            #expect(stats.rejectedCount == 0, context)
        }
        if policy != .fail {
            #expect(stats.rejectedCount == 0, context)
        }
        if policy != .wait {
            #expect(stats.producerSuspensionCount == 0, context)
        }
    }

    func produce(into channel: BoundedChannel<TaggedElement>, producer: Int, _ scenario: Scenario) async throws {
        var random = SeededRandomNumberGenerator(seed: scenario.seed &* 31 &+ UInt64(producer))
        var next = 0
        while next < scenario.elementsPerProducer {
            let count = min(Int.random(in: 1...scenario.maxBatch, using: &random), scenario.elementsPerProducer - next)
            let batch = (next..<(next + count)).map { TaggedElement(producer: producer, sequence: $0) }
            if count == 1 && Bool.random(using: &random) {
                do {
                    try await channel.send(batch[0])
                    next += 1
                } catch let error as ChannelError where error.code == .full {
                    await Task.yield()
                }
            } else {
                do throws(ChannelError) {
                    try await channel.send(contentsOf: batch)
                    next += count
                } catch {
                    guard error.code == .full else { throw error }
                    // Resend exactly what was refused.
                    next += error.acceptedCount
                    await Task.yield()
                }
            }
        }
    }

    func consume(_ channel: BoundedChannel<TaggedElement>, _ scenario: Scenario) async throws -> Outcome {
        var random = SeededRandomNumberGenerator(seed: scenario.seed &* 17)
        var outcome = Outcome()
        var batch: [TaggedElement] = []
        while true {
            await yieldTimes(Int.random(in: 0...scenario.maxConsumerYields, using: &random))
            outcome.largestObservedDepth = max(outcome.largestObservedDepth, channel.depth)
            if Bool.random(using: &random) {
                guard let element = try await channel.receive() else { break }
                outcome.received.append(element)
                outcome.largestReceive = max(outcome.largestReceive, 1)
            } else {
                let maxCount = Int.random(in: 1...scenario.maxReceive, using: &random)
                let count = try await channel.receive(into: &batch, maxCount: maxCount)
                if count == 0 { break }
                outcome.largestReceive = max(outcome.largestReceive, count)
                outcome.received += batch
                batch.removeAll(keepingCapacity: true)
            }
        }
        return outcome
    }
}
