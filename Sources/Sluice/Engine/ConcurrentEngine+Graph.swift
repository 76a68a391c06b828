import Synchronization

extension ConcurrentEngine {
    /// Runs a validated `PipelineGraph` with one child task per stage, each stage reading batches from a bounded
    /// channel of its own (a merge's channel has one producer per input) and sending batches to its successors'.
    ///
    /// Backpressure, errors and cancellation are as for linear pipelines. Along any single path the order is the
    /// `SyncEngine`'s; where paths merge, batches interleave in arrival order.
    /// - Throws: `PipelineError` if the graph is invalid (before any task starts), or the first source, sink or
    ///   cancellation error.
    public func run(_ graph: PipelineGraph) async throws -> PipelineStatistics {
        let wiring = try graph.wiring()
        let router = DeadLetterRouter(policy: graph.deadLetterPolicy)
        let runners = graph.nodes.enumerated().map { GraphRunnerBox($1.makeRunner(index: $0)) }
        let inboxes: [(any GraphInbox)?] = runners.indices.map { index in
            guard graph.nodes[index].kind != .source, let typed = runners[index].runner as? any InboxMaking else {
                return nil
            }
            return typed.makeInbox(
                capacity: channelCapacity, producers: wiring.predecessors[index].count,
                name: graph.nodes[index].name, clock: clock)
        }
        let start = clock.nowNanoseconds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in runners.indices {
                // Every successor of a validated graph is a non-source stage, which has an inbox.
                let successors = wiring.successors[index].compactMap { inboxes[$0] }
                let box = runners[index]
                group.addTask { [batchSize] in
                    try await box.drive(inbox: inboxes[index], successors: successors, router: router, batchSize: batchSize)
                }
            }
            do {
                try await group.waitForAll()
            } catch {
                group.cancelAll()
                throw error
            }
        }
        router.deliverSummary()
        var statistics = PipelineStatistics(
            pipelineName: graph.name, engine: "concurrent", fusion: .disabled, stages: runners.map(\.runner.statistics),
            deadLetters: router.summary, activeWorkers: runners.count, elapsedNanoseconds: clock.nowNanoseconds() &- start)
        statistics.channels = inboxes.compactMap { $0?.statistics() }
        metrics.makeReporter(pipelineName: graph.name)?.flush(statistics)
        return statistics
    }
}

/// A stage's input channel in a concurrent graph run, seen without its element type.
protocol GraphInbox: Sendable {
    /// Sends a batch (an `[Element]` boxed as `Any`; validation guarantees the type), suspending while full.
    func send(_ batch: Any) async throws
    /// One producer is done; the last one finishes the channel.
    func producerFinished()
    /// Fails the channel so its consumer ends.
    func fail(_ error: any Error)
    func statistics() -> ChannelStatistics
}

final class TypedGraphInbox<Element: Sendable>: GraphInbox {
    let channel: BoundedChannel<Element>
    private let remainingProducers: Atomic<Int>

    init(capacity: Int, producers: Int, name: String, clock: any MonotonicClock) {
        channel = BoundedChannel(capacity: .bounded(capacity), name: name, clock: clock)
        remainingProducers = Atomic(producers)
    }

    func send(_ batch: Any) async throws {
        // Validation checked that every producer of this stage emits `Element`.
        try await channel.send(contentsOf: batch as! [Element])
    }

    func producerFinished() {
        if remainingProducers.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { channel.finish() }
    }

    func fail(_ error: any Error) { channel.fail(error) }
    func statistics() -> ChannelStatistics { channel.statistics() }
}

/// A runner that can make the typed inbox for its input.
protocol InboxMaking {
    func makeInbox(capacity: Int, producers: Int, name: String, clock: any MonotonicClock) -> any GraphInbox
    /// Receives every batch from `inbox` (made by `makeInbox`) until it is finished and drained.
    func receive(from inbox: any GraphInbox, maxCount: Int, _ body: (Any) async throws -> Void) async throws
}

extension TypedGraphRunner where Input: Sendable {
    func makeInbox(capacity: Int, producers: Int, name: String, clock: any MonotonicClock) -> any GraphInbox {
        TypedGraphInbox<Input>(capacity: capacity, producers: producers, name: name, clock: clock)
    }

    func receive(from inbox: any GraphInbox, maxCount: Int, _ body: (Any) async throws -> Void) async throws {
        // `inbox` was made by `makeInbox` on this runner.
        let typed = inbox as! TypedGraphInbox<Input>
        var batch: [Input] = []
        while try await typed.channel.receive(into: &batch, maxCount: maxCount) > 0 {
            try await body(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }
}

extension OperatorGraphRunner: InboxMaking {}
extension FanOutGraphRunner: InboxMaking {}
extension MergeGraphRunner: InboxMaking {}
extension SinkGraphRunner: InboxMaking {}

/// Moves a runner into the one task that drives it. `@unchecked Sendable`: the runner is confined to that task
/// while the group runs; the engine reads its statistics only after the group has finished.
final class GraphRunnerBox: @unchecked Sendable {
    let runner: any GraphRunner

    init(_ runner: any GraphRunner) {
        self.runner = runner
    }

    func drive(inbox: (any GraphInbox)?, successors: [any GraphInbox], router: DeadLetterRouter, batchSize: Int)
        async throws
    {
        runner.start()
        defer { runner.stop() }
        func forward(_ outputs: [Any?]) async throws {
            for (position, output) in outputs.enumerated() where position < successors.count {
                if let output { try await successors[position].send(output) }
            }
        }
        do {
            if let source = runner as? any SourceBatchReading {
                var hasMore = true
                while hasMore {
                    let (batch, more) = try source.readBoxed(maxCount: batchSize)
                    hasMore = more
                    if let batch { try await forward(Array(repeating: batch, count: successors.count)) }
                }
            } else if let inbox, let typed = runner as? any InboxMaking {
                try await typed.receive(from: inbox, maxCount: batchSize) { batch in
                    try await forward(runner.process(batch, router, successorCount: successors.count))
                }
                try await forward(runner.finish(router, successorCount: successors.count))
            }
            for successor in successors { successor.producerFinished() }
        } catch {
            for successor in successors { successor.fail(error) }
            throw error
        }
    }
}
