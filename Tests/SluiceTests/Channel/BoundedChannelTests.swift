import Sluice
import SluiceTestKit
import Testing

/// Behaviour of the public channel API: hand-off, finish, failure, the non-suspending API and cancellation.
@Suite struct BoundedChannelTests {
    struct TestError: Error {}

    @Test func batchHandOffBetweenTasksKeepsOrder() async throws {
        let channel = BoundedChannel<Int>(capacity: 16)
        let received = try await withThrowingTaskGroup(of: [Int].self) { group in
            group.addTask {
                for start in stride(from: 0, to: 1000, by: 100) {
                    try await channel.send(contentsOf: start..<(start + 100))
                }
                channel.finish()
                return []
            }
            group.addTask {
                var all: [Int] = []
                var batch: [Int] = []
                while try await channel.receive(into: &batch, maxCount: 7) > 0 {
                    #expect(batch.count <= 7)
                    all += batch
                    batch.removeAll(keepingCapacity: true)
                }
                return all
            }
            var result: [Int] = []
            for try await part in group { result += part }
            return result
        }
        #expect(received == Array(0..<1000))
        let stats = channel.statistics()
        #expect(stats.maxDepth <= 16)
        #expect(stats.sentCount == 1000 && stats.receivedCount == 1000 && stats.depth == 0)
    }

    @Test func singleSendAndAsyncSequence() async throws {
        let channel = BoundedChannel<String>(capacity: 2, name: "words")
        async let consumer: [String] = {
            var words: [String] = []
            for try await word in channel { words.append(word) }
            return words
        }()
        for word in ["a", "b", "c", "d"] { try await channel.send(word) }
        channel.finish()
        #expect(try await consumer == ["a", "b", "c", "d"])
    }

    @Test func sendsAfterFinishThrowAndConsumersDrainFirst() async throws {
        let channel = BoundedChannel<Int>(capacity: 4)
        #expect(channel.trySend(contentsOf: [1, 2]) == .enqueued)
        channel.finish()
        #expect(channel.isFinished)
        #expect(channel.trySend(3) == .finished(acceptedCount: 0))
        let error = await #expect(throws: ChannelError.self) { try await channel.send(contentsOf: [3, 4]) }
        #expect(error?.code == .finished && error?.acceptedCount == 0)
        #expect(try await channel.receive() == 1)
        #expect(try await channel.receive() == 2)
        #expect(try await channel.receive() == nil)
        var batch: [Int] = []
        #expect(try await channel.receive(into: &batch, maxCount: 4) == 0)
    }

    @Test func failDeliversTheErrorAfterDraining() async throws {
        let channel = BoundedChannel<Int>(capacity: 4)
        _ = channel.trySend(1)
        channel.fail(TestError())
        channel.finish()
        #expect(try await channel.receive() == 1)
        await #expect(throws: TestError.self) { try await channel.receive() }
        guard case .failed(let error) = channel.tryReceive(), error is TestError else {
            Issue.record("expected the failure")
            return
        }
    }

    @Test func nonSuspendingAPI() {
        let channel = BoundedChannel<Int>(capacity: 4, watermarks: ChannelWatermarks(low: 1, high: 3))
        guard case .empty = channel.tryReceive() else {
            Issue.record("expected empty")
            return
        }
        #expect(channel.trySend(contentsOf: [1, 2, 3, 4, 5]) == .full(acceptedCount: 4))
        #expect(channel.depth == 4)
        var batch: [Int] = []
        guard case .value(2) = channel.tryReceive(into: &batch, maxCount: 2) else {
            Issue.record("expected two elements")
            return
        }
        // Depth 2 is above the low watermark 1: still closed to producers.
        #expect(channel.trySend(9) == .full(acceptedCount: 0))
        guard case .value(3) = channel.tryReceive() else {
            Issue.record("expected 3")
            return
        }
        #expect(channel.trySend(contentsOf: [5, 6]) == .enqueued)
        #expect(channel.maxDepth == 4)
    }

    @Test func failPolicyThrowsFullWithTheAcceptedPrefix() async throws {
        let channel = BoundedChannel<Int>(capacity: 3, overflowPolicy: .fail)
        let error = await #expect(throws: ChannelError.self) { try await channel.send(contentsOf: [1, 2, 3, 4, 5]) }
        #expect(error?.code == .full && error?.acceptedCount == 3)
        #expect(channel.statistics().rejectedCount == 2)
    }

    @Test func unboundedOnlyByExplicitChoice() {
        let channel = BoundedChannel<Int>(capacity: .unbounded)
        #expect(channel.trySend(contentsOf: Array(0..<100_000)) == .enqueued)
        #expect(channel.statistics().capacity == nil && channel.depth == 100_000)
    }
}
