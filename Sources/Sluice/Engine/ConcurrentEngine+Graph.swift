import Synchronization

extension ConcurrentEngine {
    /// Runs a validated `PipelineGraph` with one child task per stage, each stage reading batches from a bounded
    /// channel of its own (a merge's channel has one producer per input) and sending batches to its successors'.
    ///
    /// Backpressure, errors and cancellation are as for linear pipelines. Along any single path the order is the
    /// `SyncEngine`'s; where paths merge, batches interleave in arrival order.
    ///
    /// Checkpoint barriers: a partition sends a `StreamElement` barrier to every successor, and a merge of
    /// `StreamElement`s aligns barriers (`BarrierAligner`). Such a merge has one bounded channel per input; once an
    /// input delivered barrier N, the merge stops reading that input's channel (it fills, and its producer suspends:
    /// backpressure) until barrier N arrived on every input that has not finished; then it forwards barrier N once
    /// and reads every input again. Nothing after a barrier is held in memory.
    ///
    /// With a `watchdog`, every stage (`stage <name>`) and every input channel (`channel <name>`, an aligning
    /// merge's `channel <merge>/<input>`) gets a heartbeat the run beats as batches move, as in linear runs.
    /// - Throws: `PipelineError` if the graph is invalid (before any task starts), or the first source, sink or
    ///   cancellation error.
    public func run(_ graph: PipelineGraph) async throws -> PipelineStatistics {
        let wiring = try graph.wiring()
        let router = DeadLetterRouter(policy: graph.deadLetterPolicy)
        let runners = graph.nodes.enumerated().map { GraphRunnerBox($1.makeRunner(index: $0)) }
        var alignedInputs: [[any GraphInbox]?] = Array(repeating: nil, count: runners.count)
        for index in runners.indices {
            guard let fanIn = runners[index].runner as? any FanInRunning else { continue }
            fanIn.prepare(inputCount: wiring.predecessors[index].count)
            // An aligning merge reads each input from a channel of its own, so that it can stop reading one.
            guard type(of: fanIn).isAligning, let typed = runners[index].runner as? any InboxMaking else { continue }
            alignedInputs[index] = wiring.predecessors[index].map { predecessor in
                typed.makeInbox(
                    capacity: channelCapacity, producers: 1,
                    name: graph.nodes[index].name + "/" + graph.nodes[predecessor].name, clock: clock)
            }
        }
        let inboxes: [(any GraphInbox)?] = runners.indices.map { index in
            guard graph.nodes[index].kind != .source, alignedInputs[index] == nil,
                let typed = runners[index].runner as? any InboxMaking
            else { return nil }
            return typed.makeInbox(
                capacity: channelCapacity, producers: wiring.predecessors[index].count,
                name: graph.nodes[index].name, clock: clock)
        }
        let beats = GraphBeats(
            watchdog: watchdog, names: graph.nodes.map(\.name), inboxes: inboxes, alignedInputs: alignedInputs)
        let monitor = watchdog.map { watchdog in Task { await watchdog.monitor() } }
        defer { monitor?.cancel() }
        let start = clock.nowNanoseconds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in runners.indices {
                // Every successor of a validated graph is a non-source stage, which has an inbox (an aligning
                // merge has one per input; validation rejects repeated edges, so `index` is one of them).
                let successors = wiring.successors[index].compactMap { successor -> (any GraphInbox)? in
                    guard let perInput = alignedInputs[successor] else { return inboxes[successor] }
                    return wiring.predecessors[successor].firstIndex(of: index).map { perInput[$0] }
                }
                let box = runners[index]
                let inputs = alignedInputs[index]
                let beat = beats.forStage(index)
                let name = graph.nodes[index].name
                group.addTask { [batchSize] in
                    try await _withStageLabel(name) {
                        try await box.drive(
                            inbox: inboxes[index], alignedInputs: inputs, successors: successors, router: router,
                            batchSize: batchSize, beat: beat)
                    }
                }
            }
            do {
                // The first error cancels the rest at once (`waitForAll` would wait for every task first).
                while try await group.next() != nil {}
            } catch {
                group.cancelAll()
                throw error
            }
        }
        router.deliverSummary()
        var statistics = PipelineStatistics(
            pipelineName: graph.name, engine: "concurrent", fusion: .disabled, stages: runners.map(\.runner.statistics),
            deadLetters: router.summary, activeWorkers: runners.count, elapsedNanoseconds: clock.nowNanoseconds() &- start)
        statistics.channels =
            inboxes.compactMap { $0?.statistics() } + alignedInputs.flatMap { ($0 ?? []).map { $0.statistics() } }
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
    /// Elements waiting in the channel.
    var depth: Int { get }
    /// The channel's name.
    var name: String { get }
}

/// The heartbeats of one stage in a graph run with a watchdog: the stage's own and its input channels'.
struct StageBeat: Sendable {
    var stage: StageHeartbeat
    /// One per input channel (an aligning merge has one per input), in the order of its inputs.
    var inputs: [StageHeartbeat]

    /// A batch of `count` elements left input channel `input` (`depth` still wait there) and the stage holds it.
    func received(_ count: Int, input: Int = 0, depth: Int) {
        if input < inputs.count {
            inputs[input].beat(count: UInt64(count))
            inputs[input].setPending(depth)
        }
        stage.setPending(count)
    }

    /// The stage is done with what it held: waiting on a full successor after this is not a stall.
    func processed(_ count: Int) {
        stage.beat(count: UInt64(max(count, 1)))
        stage.setPending(0)
    }
}

/// Every stage's heartbeats in a graph run (nil without a watchdog).
struct GraphBeats {
    private var stages: [StageBeat?]

    init(watchdog: EngineWatchdog?, names: [String], inboxes: [(any GraphInbox)?], alignedInputs: [[any GraphInbox]?]) {
        stages = names.indices.map { index in
            guard let watchdog else { return nil }
            let channels = alignedInputs[index] ?? (inboxes[index].map { [$0] } ?? [])
            return StageBeat(
                stage: watchdog.heartbeat("stage " + names[index]),
                inputs: channels.map { watchdog.heartbeat("channel " + $0.name) })
        }
    }

    func forStage(_ index: Int) -> StageBeat? { stages[index] }
}

/// The number of elements in a boxed batch (an `[Element]` as `Any`): a dynamic cast, so only for heartbeats.
func boxedCount(_ batch: Any) -> Int { (batch as? any Collection)?.count ?? 1 }

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
    var depth: Int { channel.depth }
    var name: String { channel.name }
}

/// A runner that can make the typed inbox for its input.
protocol InboxMaking {
    func makeInbox(capacity: Int, producers: Int, name: String, clock: any MonotonicClock) -> any GraphInbox
    /// Receives every batch from `inbox` (made by `makeInbox`) until it is finished and drained; `body` gets the
    /// batch (boxed) and its element count.
    func receive(from inbox: any GraphInbox, maxCount: Int, _ body: (Any, Int) async throws -> Void) async throws
}

extension TypedGraphRunner where Input: Sendable {
    func makeInbox(capacity: Int, producers: Int, name: String, clock: any MonotonicClock) -> any GraphInbox {
        TypedGraphInbox<Input>(capacity: capacity, producers: producers, name: name, clock: clock)
    }

    func receive(from inbox: any GraphInbox, maxCount: Int, _ body: (Any, Int) async throws -> Void) async throws {
        // `inbox` was made by `makeInbox` on this runner.
        let typed = inbox as! TypedGraphInbox<Input>
        var batch: [Input] = []
        while try await typed.channel.receive(into: &batch, maxCount: maxCount) > 0 {
            try await body(batch, batch.count)
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

    func drive(
        inbox: (any GraphInbox)?, alignedInputs: [any GraphInbox]?, successors: [any GraphInbox],
        router: DeadLetterRouter, batchSize: Int, beat: StageBeat? = nil
    ) async throws {
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
                    if let batch {
                        beat?.processed(boxedCount(batch))
                        try await forward(Array(repeating: batch, count: successors.count))
                    } else if more {
                        // An empty batch from a polling source: give the thread back (see `ConcurrentEngine.run`).
                        await Task.yield()
                    }
                }
            } else if let alignedInputs, let merge = runner as? any AlignedMergeReceiving {
                try await merge.receiveAligned(
                    from: alignedInputs, maxCount: batchSize, router: router, successorCount: successors.count,
                    beat: beat, forward: forward)
                try await forward(runner.finish(router, successorCount: successors.count))
            } else if let inbox, let typed = runner as? any InboxMaking {
                try await typed.receive(from: inbox, maxCount: batchSize) { batch, count in
                    beat?.received(count, depth: inbox.depth)
                    let outputs = try runner.process(batch, router, successorCount: successors.count)
                    beat?.processed(count)
                    try await forward(outputs)
                }
                try await forward(runner.finish(router, successorCount: successors.count))
            }
            for successor in successors { successor.producerFinished() }
        } catch {
            for successor in successors { successor.fail(error) }
            // Producers waiting for room in this stage's input must not wait for a consumer that is gone.
            inbox?.fail(error)
            for input in alignedInputs ?? [] { input.fail(error) }
            throw error
        }
    }
}

/// What an aligning merge's per-input readers hand to the merge task: a slice of one input's batch (ending at a
/// barrier, when `endsWithBarrier`), or nil when that input has ended.
struct AlignedMergeEvent<Element: Sendable>: Sendable {
    var input: Int
    var batch: [Element]?
    var endsWithBarrier: Bool
}

/// A merge that aligns checkpoint barriers on `ConcurrentEngine`.
protocol AlignedMergeReceiving {
    /// Reads every input until all have ended, forwarding what the merge emits. Suspends while every input is
    /// empty or blocked, and in `forward` while the successor is full.
    func receiveAligned(
        from inputs: [any GraphInbox], maxCount: Int, router: DeadLetterRouter, successorCount: Int,
        beat: StageBeat?, forward: ([Any?]) async throws -> Void
    ) async throws
}

extension MergeGraphRunner: AlignedMergeReceiving {
    /// One reader task per input moves its batches to the merge task, cut after each barrier; after a barrier the
    /// reader waits for the merge's go-ahead before it reads on, so a blocked input's channel is not read at all.
    func receiveAligned(
        from inputs: [any GraphInbox], maxCount: Int, router: DeadLetterRouter, successorCount: Int,
        beat: StageBeat?, forward: ([Any?]) async throws -> Void
    ) async throws {
        // `inputs` were made by `makeInbox` on this runner.
        let channels = inputs.map { ($0 as! TypedGraphInbox<Element>).channel }
        let name = statistics.name
        let events = BoundedChannel<AlignedMergeEvent<Element>>(
            capacity: .bounded(max(2, channels.count)), name: name + "/aligned", clock: nil)
        let resumes = channels.indices.map { input in
            BoundedChannel<Bool>(capacity: .bounded(1), name: "\(name)/resume\(input)", clock: nil)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (input, channel) in channels.enumerated() {
                let resume = resumes[input]
                group.addTask {
                    do {
                        var batch: [Element] = []
                        while try await channel.receive(into: &batch, maxCount: maxCount) > 0 {
                            var start = 0
                            for position in batch.indices where Self.barrier(of: batch[position]) != nil {
                                try await events.send(
                                    AlignedMergeEvent(
                                        input: input, batch: Array(batch[start...position]), endsWithBarrier: true))
                                // The merge sends the go-ahead once the barrier is aligned (or the run ends).
                                guard try await resume.receive() != nil else { return }
                                start = position + 1
                            }
                            if start < batch.count {
                                try await events.send(
                                    AlignedMergeEvent(input: input, batch: Array(batch[start...]), endsWithBarrier: false))
                            }
                            batch.removeAll(keepingCapacity: true)
                        }
                        try await events.send(AlignedMergeEvent(input: input, batch: nil, endsWithBarrier: false))
                    } catch {
                        events.fail(error)
                        throw error
                    }
                }
            }
            var open = channels.count
            var waiting: Set<Int> = []
            while open > 0, let event = try await events.receive() {
                if let batch = event.batch {
                    beat?.received(batch.count, input: event.input, depth: channels[event.input].depth)
                    let outputs = try process(batch, input: event.input, router, successorCount: successorCount)
                    beat?.processed(batch.count)
                    try await forward(outputs)
                    if event.endsWithBarrier { waiting.insert(event.input) }
                } else {
                    open -= 1
                    try await forward(inputFinished(event.input))
                }
                for input in waiting where !isBlocked(input) {
                    waiting.remove(input)
                    try await resumes[input].send(true)
                }
            }
            precondition(aligner?.bufferedCount ?? 0 == 0, "a blocked input's reader waits: nothing is held back")
            try await group.waitForAll()
        }
    }
}
