/// Runs a pipeline with Swift structured concurrency: each segment in a child task of one task group, segments
/// connected by bounded channels (see `BoundedChannel`), every hand-off a batch.
///
/// With fusion off every stage is its own task. With fusion on, a run of adjacent pure stages is one segment: one
/// task, no channel inside; a cut before a chain's last stage becomes a channel, and a fused segment that follows
/// an earlier cut runs in one task with the stages before it (the cut stays a reused buffer), so that every task
/// body is a statically typed, specialized sub-chain. The source and the sink run in tasks of their own.
///
/// - Backpressure: channels use the `.wait` policy with capacity `channelCapacity`; a segment whose output channel
///   is full suspends in `send` until its consumer drains it to the low watermark, so memory is bounded by
///   (channels × capacity) plus one batch per task.
/// - Order: each segment processes batches in order and the chain is linear, so for deterministic stages the
///   output is exactly the `SyncEngine`'s.
/// - Errors: a failing element is routed to the dead-letter sink and the run goes on. A throwing source or sink
///   fails its channel, cancels the group, and `run` rethrows the first error; stop hooks run in every task.
/// - Cancellation: cancelling the task that calls `run` cancels every segment; suspended sends and receives throw
///   and `run` throws `CancellationError` (or the channel's cancellation error).
public struct ConcurrentEngine: Sendable {
    /// Whether adjacent pure stages fuse into one task.
    public var fusion: FusionMode
    /// Elements per hand-off batch.
    public var batchSize: Int
    /// Capacity, in elements, of each channel between segments.
    public var channelCapacity: Int
    /// Whether the run reports through swift-metrics.
    public var metrics: MetricsMode
    /// The clock for elapsed time, batch latency and channel instrumentation.
    public var clock: any MonotonicClock
    /// When set, every segment and channel of a run gets a heartbeat that the engine beats, and stalls are events
    /// counted in `stage_stall_total` (see `EngineWatchdog`). Nil (the default): no heartbeats, no cost.
    public var watchdog: EngineWatchdog?

    /// Creates an engine.
    /// - Precondition: `batchSize > 0` and `channelCapacity >= batchSize`.
    public init(
        fusion: FusionMode = .enabled, batchSize: Int = 256, channelCapacity: Int = 4_096,
        metrics: MetricsMode = .enabled, clock: any MonotonicClock = SystemMonotonicClock()
    ) {
        precondition(batchSize > 0, "batchSize must be positive")
        precondition(channelCapacity >= batchSize, "channelCapacity must hold at least one batch")
        self.fusion = fusion
        self.batchSize = batchSize
        self.channelCapacity = channelCapacity
        self.metrics = metrics
        self.clock = clock
    }

    /// Runs `pipeline` to completion and returns its statistics. Suspends until every segment has finished.
    ///
    /// - Throws: `PipelineError` if the pipeline is invalid (before any task starts); otherwise the first error
    ///   of the source, the sink, or cancellation.
    @inlinable
    public func run<Source, Chain, Sink>(
        _ pipeline: RunnablePipeline<Source, Chain, Sink>
    ) async throws -> PipelineStatistics {
        try pipeline.validate()
        let router = DeadLetterRouter(policy: pipeline.deadLetterPolicy)
        let reporter = metrics.makeReporter(pipelineName: pipeline.name)
        let context = _ConcurrentSpawnContext(
            batchSize: batchSize, capacity: channelCapacity, router: router, clock: clock, metrics: reporter,
            watchdog: watchdog)
        let sourceBeat = watchdog?.heartbeat("stage " + pipeline.sourceName)
        let sourceChannel = context.makeChannel(of: Source.Element.self, name: pipeline.sourceName)
        context.add(stage: pipeline.sourceName) { [batchSize, source = pipeline.source, sourceName = pipeline.sourceName] in
            var source = source
            var batch: [Source.Element] = []
            batch.reserveCapacity(batchSize)
            var count = 0
            do {
                var hasMore = true
                while hasMore {
                    hasMore = try await source.readAsync(into: &batch, maxCount: batchSize)
                    guard !batch.isEmpty else {
                        // A source that polls (a blocking read that timed out, say) returns empty batches: give the
                        // thread back between them, or on a small cooperative pool such sources can starve the
                        // stages (and the acknowledgements) they are waiting for.
                        if hasMore { await Task.yield() }
                        continue
                    }
                    count += batch.count
                    sourceBeat?.beat(count: UInt64(batch.count))
                    try await sourceChannel.send(contentsOf: batch)
                    batch.removeAll(keepingCapacity: true)
                }
                sourceChannel.finish()
            } catch {
                sourceChannel.fail(error)
                throw error
            }
            return [
                StageStatistics(
                    name: sourceName, kind: .source, isPure: false, index: 0, segment: -1, processed: 0,
                    emitted: count, errors: 0)
            ]
        }
        let chain = pipeline.plannedChain(fusion: fusion)
        let last = chain._spawn(context, input: _BatchReceiver(sourceChannel))
        let sinkBeat = watchdog?.heartbeat("stage " + pipeline.sinkName)
        let sinkInputBeat = watchdog?.heartbeat("channel " + last.channel.name)
        context.add(stage: pipeline.sinkName) { [batchSize, sink = pipeline.sink, sinkName = pipeline.sinkName] in
            var sink = sink
            var batch: [Chain.Output] = []
            batch.reserveCapacity(batchSize)
            var count = 0
            while try await last.channel.receive(into: &batch, maxCount: batchSize) > 0 {
                sinkInputBeat?.beat(count: UInt64(batch.count))
                sinkInputBeat?.setPending(last.channel.depth)
                sinkBeat?.setPending(batch.count)
                try await sink.consumeAsync(batch)
                sinkBeat?.beat(count: UInt64(batch.count))
                sinkBeat?.setPending(0)
                count += batch.count
                reporter?.sinkConsumed(batch.count)
                batch.removeAll(keepingCapacity: true)
            }
            try await sink.finishAsync()
            return [
                StageStatistics(
                    name: sinkName, kind: .sink, isPure: false, index: Int.max, segment: -1, processed: count,
                    emitted: 0, errors: 0)
            ]
        }
        return try await execute(context, pipeline: pipeline, reporter: reporter)
    }

    /// Runs the collected segments in one task group and assembles the statistics.
    @usableFromInline
    func execute<Source, Chain, Sink>(
        _ context: _ConcurrentSpawnContext, pipeline: RunnablePipeline<Source, Chain, Sink>,
        reporter: PipelineMetrics?
    ) async throws -> PipelineStatistics {
        let bodies = context.bodies
        let monitor = watchdog.map { watchdog in Task { await watchdog.monitor() } }
        defer { monitor?.cancel() }
        let start = clock.nowNanoseconds()
        let collected = try await withThrowingTaskGroup(of: [StageStatistics].self) { group in
            for body in bodies { group.addTask { try await body() } }
            var all: [StageStatistics] = []
            do {
                while let statistics = try await group.next() { all += statistics }
            } catch {
                group.cancelAll()
                throw error
            }
            return all
        }
        let elapsed = clock.nowNanoseconds() &- start
        context.router.deliverSummary()
        let sourceCount = collected.first { $0.kind == .source }?.emitted ?? 0
        let sinkCount = collected.first { $0.kind == .sink }?.processed ?? 0
        var statistics = PipelineStatistics.assemble(
            pipeline: pipeline, engine: "concurrent", fusion: fusion,
            chainStages: collected.filter { $0.kind != .source && $0.kind != .sink }, sourceCount: sourceCount,
            sinkCount: sinkCount, deadLetters: context.router.summary, activeWorkers: bodies.count,
            elapsedNanoseconds: elapsed)
        statistics.channels = context.channelStatistics
        reporter?.flush(statistics)
        return statistics
    }
}
