import Sluice
import SluiceTestKit
import Testing

@Suite struct SupervisedPartitionsOperatorTests {
    struct Poison: Error {}

    /// Stateful: emits how many elements this instance has seen; throws on a negative element.
    struct Counter: StageOperator {
        var seen = 0
        var isPure: Bool { false }
        mutating func process(_ input: Int, emit: (Int) -> Void) throws {
            if input < 0 { throw Poison() }
            seen += 1
            emit(seen)
        }
    }

    static func run(_ op: inout SupervisedPartitionsOperator<Counter, ManualClock>, _ input: Int) -> Result<[Int], SupervisedStageError> {
        var out: [Int] = []
        do {
            try op.process(input) { out.append($0) }
            return .success(out)
        } catch let error as SupervisedStageError {
            return .failure(error)
        } catch {
            Issue.record("unexpected \(error)")
            return .success([])
        }
    }

    @Test func onlyTheFailingPartitionRestartsAfterItsBackoffWithFreshState() throws {
        let clock = ManualClock()
        let statistics = SupervisionStatistics()
        var op = SupervisedPartitionsOperator(
            name: "count", partitions: 2,
            policy: RestartPolicy(initialDelay: .seconds(1), multiplier: 2, jitter: 0, maxRestarts: 2, window: .seconds(60)),
            clock: clock, statistics: statistics, partition: { $0 }, makeBranch: { _ in Counter() })
        for value in 0..<4 { _ = Self.run(&op, value) }  // each partition has seen 2
        // -1 is odd (all bits set): partition 1 fails and waits 1 s.
        guard case .failure(let failed) = Self.run(&op, -1) else { throw Poison() }
        #expect(failed.code == .failed && failed.partition == 1 && failed.cause != nil)
        guard case .failure(let waiting) = Self.run(&op, 5) else { throw Poison() }
        #expect(waiting.code == .restarting && waiting.errorCode == "partition-restarting")
        #expect(try Self.run(&op, 4).get() == [3], "partition 0 keeps its state and keeps going")
        clock.advance(by: .seconds(1))
        #expect(try Self.run(&op, 7).get() == [1], "partition 1 restarted with fresh state")
        #expect(statistics.failures == [0, 1] && statistics.restarts == [0, 1])
        // Two more failures inside the window: the second exceeds maxRestarts and stops the partition.
        _ = Self.run(&op, -1)
        clock.advance(by: .seconds(2))
        _ = Self.run(&op, -1)
        guard case .failure(let stopped) = Self.run(&op, 9) else { throw Poison() }
        #expect(stopped.code == .stopped && statistics.stoppedPartitions == [1])
        #expect(try Self.run(&op, 6).get() == [4])
    }

    @Test(arguments: [1, 16])
    func onTheConcurrentEngineOtherPartitionsLoseNothing(_ batchSize: Int) async throws {
        let statistics = SupervisionStatistics()
        let deadLetters = DeadLetterCollector()
        let output = OutputCollector<Int>()
        // Every 50th element is poison; restarts are immediate (no backoff), so only the poison is dead-lettered.
        let input = (1...1000).map { $0 % 50 == 0 ? -$0 : $0 }
        let pipeline = Pipeline.source("numbers", input)
            .supervised(
                "count", partitions: 4,
                policy: RestartPolicy(initialDelay: .zero, jitter: 0, maxRestarts: 1000, window: .seconds(60)),
                clock: ManualClock(), statistics: statistics, partition: { abs($0) % 4 }, makeBranch: { _ in Counter() }
            )
            .deadLetters(DeadLetterPolicy(sink: deadLetters, clock: ManualClock()))
            .sink(output)
        _ = try await ConcurrentEngine(batchSize: batchSize, channelCapacity: 64, metrics: .disabled).run(pipeline)
        #expect(output.elements.count == 980)
        #expect(deadLetters.records.count == 20 && deadLetters.records.allSatisfy { $0.errorCode == "partition-failed" })
        #expect(statistics.failures.reduce(0, +) == 20 && statistics.stoppedPartitions.isEmpty)
        // Multiples of 50 all fall in partitions 0 and 2; partitions 1 and 3 never restart.
        #expect(statistics.restarts[1] == 0 && statistics.restarts[3] == 0)
    }
}
