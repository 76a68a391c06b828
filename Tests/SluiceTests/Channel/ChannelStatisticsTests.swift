import Sluice
import SluiceTestKit
import Testing

/// The instrumentation, computed exactly under a `ManualClock`.
@Suite struct ChannelStatisticsTests {
    func nanoseconds(_ stats: ChannelStatistics) -> [UInt64] {
        stats.depthHistogram?.map(\.nanoseconds) ?? []
    }

    @Test func timeWeightedHistogramAndTimeAtCapacity() {
        let clock = ManualClock(start: 1_000)
        let channel = BoundedChannel<Int>(capacity: 4, name: "probe", clock: clock)
        var batch: [Int] = []
        clock.advance(by: 10)
        _ = channel.trySend(1)  // depth 0 → 1 after 10 ns at depth 0
        clock.advance(by: 20)
        _ = channel.trySend(contentsOf: [2, 3])  // 1 → 3 after 20 ns at depth 1
        clock.advance(by: 30)
        _ = channel.trySend(4)  // 3 → 4 (capacity) after 30 ns at depth 3
        clock.advance(by: 40)
        _ = channel.tryReceive(into: &batch, maxCount: 4)  // 4 → 0 after 40 ns at capacity
        clock.advance(by: 5)
        let stats = channel.statistics()
        #expect(stats.name == "probe" && stats.capacity == 4)
        #expect(stats.depthHistogram?.map(\.depths) == [0...0, 1...1, 2...3, 4...7])
        #expect(nanoseconds(stats) == [15, 20, 30, 40])
        #expect(stats.observedNanoseconds == 105)
        #expect(stats.nanosecondsAtCapacity == 40)
        #expect(stats.fractionOfTimeAtCapacity == 40 / 105.0)
        #expect(stats.maxDepth == 4 && stats.depth == 0)
        #expect(stats.sentCount == 4 && stats.receivedCount == 4)
        // Buckets' midpoints weighted by time: (0·15 + 1·20 + 2.5·30 + 5.5·40) / 105.
        #expect(stats.approximateMeanDepth == (20 + 75 + 220) / 105.0)
    }

    @Test func openIntervalIsCountedAtTheCurrentDepthWithoutChangingState() {
        let clock = ManualClock()
        let channel = BoundedChannel<Int>(capacity: 2, clock: clock)
        _ = channel.trySend(contentsOf: [1, 2])
        clock.advance(by: 100)
        #expect(channel.statistics().nanosecondsAtCapacity == 100)
        clock.advance(by: 100)
        let stats = channel.statistics()
        #expect(stats.nanosecondsAtCapacity == 200 && nanoseconds(stats) == [0, 0, 200])
    }

    @Test func dropsAreCountedAndConserved() {
        let oldest = BoundedChannel<Int>(capacity: 3, overflowPolicy: .dropOldest)
        _ = oldest.trySend(contentsOf: 0..<5)
        _ = oldest.trySend(5)
        var stats = oldest.statistics()
        #expect(stats.droppedOldestCount == 3 && stats.droppedNewestCount == 0 && stats.depth == 3)
        #expect(stats.sentCount == stats.receivedCount + stats.droppedCount + stats.depth)

        let newest = BoundedChannel<Int>(capacity: 3, overflowPolicy: .dropNewest)
        #expect(newest.trySend(contentsOf: 0..<5) == .enqueued)
        stats = newest.statistics()
        #expect(stats.droppedNewestCount == 2 && stats.sentCount == 5 && stats.depth == 3)
    }

    @Test func unboundedHistogramSpansAllDepths() {
        let channel = BoundedChannel<Int>(capacity: .unbounded)
        let stats = channel.statistics()
        #expect(stats.depthHistogram?.count == Int.bitWidth)
        #expect(stats.depthHistogram?.last?.depths.upperBound == Int.max)
        #expect(stats.nanosecondsAtCapacity == 0)
    }

    @Test func withoutAClockTimingIsUnavailableButCountersAreKept() async throws {
        let channel = BoundedChannel<Int>(capacity: 2, clock: nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await channel.send(contentsOf: [1, 2, 3]) }
            await yieldUntil { channel.statistics().waitingProducerCount == 1 }
            var batch: [Int] = []
            _ = channel.tryReceive(into: &batch, maxCount: 2)
            try await group.waitForAll()
        }
        let stats = channel.statistics()
        #expect(stats.depthHistogram == nil && stats.observedNanoseconds == nil)
        #expect(stats.nanosecondsAtCapacity == nil && stats.producerBlockedNanoseconds == nil)
        #expect(stats.approximateMeanDepth == nil && stats.fractionOfTimeAtCapacity == nil)
        #expect(stats.depth == 1 && stats.maxDepth == 2 && stats.sentCount == 3 && stats.producerSuspensionCount == 1)
    }

    @Test func producerBlockedTimeIsMeasuredFromSuspensionToResumption() async throws {
        let clock = ManualClock()
        let channel = BoundedChannel<Int>(capacity: 1, clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await channel.send(contentsOf: [1, 2]) }
            await yieldUntil { channel.statistics().waitingProducerCount == 1 }
            clock.advance(by: 500)
            guard case .value(1) = channel.tryReceive() else {
                Issue.record("expected 1")
                return
            }
            try await group.waitForAll()
        }
        let stats = channel.statistics()
        #expect(stats.producerSuspensionCount == 1)
        #expect(stats.producerBlockedNanoseconds == 500)
        #expect(stats.waitingProducerCount == 0 && stats.depth == 1)
    }

    @Test(arguments: [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (7, 3), (8, 4), (Int.max, 63)])
    func bucketIndex(depth: Int, bucket: Int) {
        #expect(ChannelStatistics.bucketIndex(forDepth: depth) == bucket)
        #expect(ChannelStatistics.depths(ofBucket: bucket).contains(depth))
    }
}
