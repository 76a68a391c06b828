import DequeModule
import Synchronization

/// The atomics behind ``ChannelStatistics``. Written only by the channel under its lock (so plain
/// load-then-store suffices), read by anyone without the lock.
///
/// `@unchecked Sendable` only because of `buckets`, a pointer to atomics that is written under the owning
/// channel's `Mutex` and only ever accessed through atomic operations; everything else is an `Atomic` or a `let`.
@usableFromInline final class ChannelInstruments: @unchecked Sendable {
    @usableFromInline let depth = Atomic<Int>(0)
    @usableFromInline let maxDepth = Atomic<Int>(0)
    @usableFromInline let sentCount = Atomic<Int>(0)
    @usableFromInline let receivedCount = Atomic<Int>(0)
    @usableFromInline let droppedOldestCount = Atomic<Int>(0)
    @usableFromInline let droppedNewestCount = Atomic<Int>(0)
    @usableFromInline let rejectedCount = Atomic<Int>(0)
    @usableFromInline let producerSuspensionCount = Atomic<Int>(0)
    @usableFromInline let producerBlockedNanoseconds = Atomic<UInt64>(0)
    @usableFromInline let waitingProducerCount = Atomic<Int>(0)
    @usableFromInline let waitingConsumerCount = Atomic<Int>(0)
    @usableFromInline let nanosecondsAtCapacity = Atomic<UInt64>(0)
    /// When the depth last changed; the interval since then is still open at `depth`.
    @usableFromInline let lastChangeNanoseconds: Atomic<UInt64>
    @usableFromInline let createdNanoseconds: UInt64
    @usableFromInline let capacity: Int?
    @usableFromInline let bucketCount: Int
    /// One atomic per depth bucket; written under the channel's lock, read with atomic loads; freed in deinit.
    @usableFromInline let buckets: UnsafeMutablePointer<Atomic<UInt64>>

    @usableFromInline init(capacity: Int?, now: UInt64) {
        self.capacity = capacity
        self.createdNanoseconds = now
        self.lastChangeNanoseconds = Atomic(now)
        self.bucketCount = ChannelStatistics.bucketIndex(forDepth: capacity ?? .max) + 1
        self.buckets = .allocate(capacity: bucketCount)
        for index in 0..<bucketCount {
            (buckets + index).initialize(to: Atomic(0))
        }
    }

    deinit {
        buckets.deinitialize(count: bucketCount)
        buckets.deallocate()
    }

    /// Closes the interval spent at `oldDepth` and opens one at `newDepth`. Call under the channel's lock.
    @inlinable func depthChanged(from oldDepth: Int, to newDepth: Int, now: UInt64) {
        let last = lastChangeNanoseconds.load(ordering: .relaxed)
        let elapsed = now > last ? now - last : 0
        if elapsed > 0 {
            let bucket = ChannelStatistics.bucketIndex(forDepth: oldDepth)
            buckets[bucket].store(buckets[bucket].load(ordering: .relaxed) &+ elapsed, ordering: .relaxed)
            if oldDepth == capacity {
                nanosecondsAtCapacity.store(
                    nanosecondsAtCapacity.load(ordering: .relaxed) &+ elapsed, ordering: .relaxed)
            }
            lastChangeNanoseconds.store(now, ordering: .relaxed)
        }
        depthChanged(to: newDepth)
    }

    /// Publishes the depth and the maximum depth (without timing). Call under the channel's lock.
    @inlinable func depthChanged(to newDepth: Int) {
        depth.store(newDepth, ordering: .relaxed)
        if newDepth > maxDepth.load(ordering: .relaxed) {
            maxDepth.store(newDepth, ordering: .relaxed)
        }
    }

    /// Publishes the machine's counters and waiter counts. Call under the channel's lock.
    @inlinable func publishCounters<E, P, C>(of machine: borrowing BoundedChannelStateMachine<E, P, C>) {
        sentCount.store(machine.sentCount, ordering: .relaxed)
        receivedCount.store(machine.receivedCount, ordering: .relaxed)
        droppedOldestCount.store(machine.droppedOldestCount, ordering: .relaxed)
        droppedNewestCount.store(machine.droppedNewestCount, ordering: .relaxed)
        rejectedCount.store(machine.rejectedCount, ordering: .relaxed)
    }

    /// Publishes how many producers and consumers wait. Call under the channel's lock.
    @inlinable func publishWaiters<E, P, C>(of machine: borrowing BoundedChannelStateMachine<E, P, C>) {
        waitingProducerCount.store(machine.producers.count, ordering: .relaxed)
        waitingConsumerCount.store(machine.consumers.count, ordering: .relaxed)
    }

    /// Records one producer suspension of `nanoseconds`. May be called outside the lock.
    @inlinable func producerResumed(blockedFor nanoseconds: UInt64) {
        producerBlockedNanoseconds.add(nanoseconds, ordering: .relaxed)
    }

    /// A snapshot; `now` is `nil` when the channel has no clock, and the timing fields are then `nil`.
    @usableFromInline func snapshot(name: String, now: UInt64?) -> ChannelStatistics {
        let currentDepth = depth.load(ordering: .relaxed)
        var statistics = ChannelStatistics(
            name: name,
            capacity: capacity,
            depth: currentDepth,
            maxDepth: maxDepth.load(ordering: .relaxed),
            sentCount: sentCount.load(ordering: .relaxed),
            receivedCount: receivedCount.load(ordering: .relaxed),
            droppedOldestCount: droppedOldestCount.load(ordering: .relaxed),
            droppedNewestCount: droppedNewestCount.load(ordering: .relaxed),
            rejectedCount: rejectedCount.load(ordering: .relaxed),
            producerSuspensionCount: producerSuspensionCount.load(ordering: .relaxed),
            waitingProducerCount: waitingProducerCount.load(ordering: .relaxed),
            waitingConsumerCount: waitingConsumerCount.load(ordering: .relaxed)
        )
        guard let now else { return statistics }
        let last = lastChangeNanoseconds.load(ordering: .relaxed)
        let open = now > last ? now - last : 0
        let openBucket = ChannelStatistics.bucketIndex(forDepth: currentDepth)
        var histogram: [ChannelStatistics.DepthBucket] = []
        histogram.reserveCapacity(bucketCount)
        var total: UInt64 = 0
        for index in 0..<bucketCount {
            var nanoseconds = buckets[index].load(ordering: .relaxed)
            if index == openBucket { nanoseconds &+= open }
            total &+= nanoseconds
            histogram.append(.init(depths: ChannelStatistics.depths(ofBucket: index), nanoseconds: nanoseconds))
        }
        var atCapacity = nanosecondsAtCapacity.load(ordering: .relaxed)
        if currentDepth == capacity { atCapacity &+= open }
        statistics.depthHistogram = histogram
        statistics.observedNanoseconds = total
        statistics.nanosecondsAtCapacity = atCapacity
        statistics.producerBlockedNanoseconds = producerBlockedNanoseconds.load(ordering: .relaxed)
        return statistics
    }
}
