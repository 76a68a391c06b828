import Sluice

/// The segment-chain workload: each `ChainStep` stage runs in its own child task, and bounded channels of the
/// engine (`BoundedChannel`, policy `.wait`) connect the source task, the stages and the sink, so every hop is a
/// batched hand-off between tasks under backpressure.
///
/// Each stage records, per batch, the time from receiving the batch to having handed it downstream (its work
/// plus any wait for room downstream): that is the stage latency the benchmark reports.
struct SegmentChainWorkload: Sendable {
    var length: Int
    var input: [UInt64]
    var capacity: Int
    var batchSize: Int
    /// Stage index (1-based) computing a wrong value, for the test that the check catches a broken stage.
    var brokenStage: Int?

    /// What one run measured.
    struct Outcome: Sendable {
        var checksum: ChainChecksum
        var stageLatency: LatencyRecorder
        var channels: [ChannelStatistics]
    }

    /// Runs the chain once over `input`. Suspends while channels are full or empty; O(input × length).
    func run() async throws -> Outcome {
        let channels = (0...length).map { index in
            BoundedChannel<UInt64>(capacity: .bounded(capacity), name: index == 0 ? "source" : "s\(index)")
        }
        let clock = SystemMonotonicClock()
        let input = input
        let batchSize = batchSize
        return try await withThrowingTaskGroup(of: LatencyRecorder?.self) { group in
            group.addTask {
                defer { channels[0].finish() }
                var start = 0
                while start < input.count {
                    let end = min(input.count, start + batchSize)
                    try await channels[0].send(contentsOf: input[start..<end])
                    start = end
                }
                return nil
            }
            for index in 1...length {
                var step = ChainStep.nominal(index)
                if index == brokenStage { step.addend &+= 1 }
                let upstream = channels[index - 1]
                let downstream = channels[index]
                group.addTask {
                    defer { downstream.finish() }
                    var latency = LatencyRecorder()
                    var buffer: [UInt64] = []
                    buffer.reserveCapacity(batchSize)
                    while try await upstream.receive(into: &buffer, maxCount: batchSize) > 0 {
                        let received = clock.nowNanoseconds()
                        for position in buffer.indices { buffer[position] = step(buffer[position]) }
                        try await downstream.send(contentsOf: buffer)
                        latency.record(clock.nowNanoseconds() &- received)
                        buffer.removeAll(keepingCapacity: true)
                    }
                    return latency
                }
            }
            var checksum = ChainChecksum()
            var buffer: [UInt64] = []
            buffer.reserveCapacity(batchSize)
            while try await channels[length].receive(into: &buffer, maxCount: batchSize) > 0 {
                for value in buffer { checksum.add(value) }
                buffer.removeAll(keepingCapacity: true)
            }
            var stageLatency = LatencyRecorder()
            for try await recorded in group {
                if let recorded { stageLatency.merge(recorded) }
            }
            return Outcome(checksum: checksum, stageLatency: stageLatency, channels: channels.map { $0.statistics() })
        }
    }
}
