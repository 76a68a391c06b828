import Sluice
import SluiceTestKit
import Synchronization

#if SLUICE_SCHEDULE_HOOKS
/// Planted-bug fixture: a `BoundedChannel` with the lost-wakeup fault planted (`_ChannelFault.lostWakeup`, compiled
/// only into debug builds): a receive that finds the channel empty yields, then registers as a waiter without
/// looking again. A producer sends 1, yields, sends 2 and finishes; a consumer receives until the end.
///
/// The bug needs two ordering constraints: the consumer must find the channel empty (it runs before a send), and
/// the producer must then run inside the consumer's window (it runs before the consumer resumes). A schedule that
/// always runs the same task first while it can (PCT with depth 1) never meets both; one priority change can.
@Sendable func lostWakeupProgram() async throws {
    let channel = BoundedChannel<Int>(capacity: .bounded(4), name: "lossy", clock: nil)
    try await _ChannelObservation.$faults.withValue(["lossy": .lostWakeup]) {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await channel.send(1)
                await Task.yield()
                try await channel.send(2)
                channel.finish()
            }
            group.addTask {
                var received: [Int] = []
                while let value = try await channel.receive() { received.append(value) }
                if received != [1, 2] { throw LostElements(received: received) }
            }
            try await group.waitForAll()
        }
    }
}

struct LostElements: Error {
    var received: [Int]
}
#endif

/// A `ConcurrentEngine` pipeline whose sink feeds its own source: the source reads `feedback`, a stage passes
/// elements on, and the sink sends every element back twice. Elements in flight only grow, so under every schedule
/// the source, the stage and the sink all end up waiting for room on a full channel that only the next could
/// drain. A planted deadlock through the engine's own channels and tasks.
func feedbackLoopPipeline() async throws {
    let feedback = BoundedChannel<Int>(capacity: .bounded(2), name: "feedback", clock: nil)
    _ = feedback.trySend(0)
    let pipeline = Pipeline.source("loop-source", FeedbackSource(channel: feedback))
        .map("pass-on", pure: false) { $0 }
        .sink("loop-sink", FeedbackSink(channel: feedback))
    let engine = ConcurrentEngine(
        fusion: .disabled, batchSize: 2, channelCapacity: 2, metrics: .disabled, clock: ManualClock())
    _ = try await engine.run(pipeline)
}

/// Reads a channel; only for engines that await (`readAsync`).
struct FeedbackSource: PipelineSource {
    let channel: BoundedChannel<Int>

    func read(into buffer: inout [Int], maxCount: Int) throws -> Bool {
        preconditionFailure("FeedbackSource runs under ConcurrentEngine only")
    }

    mutating func readAsync(into buffer: inout [Int], maxCount: Int) async throws -> Bool {
        try await channel.receive(into: &buffer, maxCount: maxCount) > 0
    }
}

/// Sends every element back into the channel twice; only for engines that await (`consumeAsync`).
struct FeedbackSink: PipelineSink {
    let channel: BoundedChannel<Int>

    func consume(_ batch: [Int]) throws {
        preconditionFailure("FeedbackSink runs under ConcurrentEngine only")
    }

    func finish() throws {}

    mutating func consumeAsync(_ batch: [Int]) async throws {
        for value in batch {
            try await channel.send(value + 1)
            try await channel.send(value + 1)
        }
    }
}

/// Two stages in a cycle over bounded channels of capacity 1: each sends one element, then for every element it
/// receives sends two back. Elements in flight only grow, so under every schedule both stages end up waiting for
/// room on a full channel that only the other could drain. A planted deadlock.
func cyclicStages() async throws {
    let forward = BoundedChannel<Int>(capacity: .bounded(1), name: "left→right")
    let backward = BoundedChannel<Int>(capacity: .bounded(1), name: "right→left")
    @Sendable func stage(sending output: BoundedChannel<Int>, receiving input: BoundedChannel<Int>) async throws {
        try await output.send(0)
        for _ in 0..<100 {
            guard let value = try await input.receive() else { return }
            try await output.send(value + 1)
            try await output.send(value + 1)
        }
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await stage(sending: forward, receiving: backward) }
        group.addTask { try await stage(sending: backward, receiving: forward) }
        try await group.waitForAll()
    }
}
