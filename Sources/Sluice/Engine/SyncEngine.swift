/// Runs a pipeline on the calling thread: no tasks, one element order, the same result every time.
///
/// Each batch is read from the source, pushed through the planned chain (fused segments as one loop, a reused
/// buffer at each cut) and handed to the sink before the next batch is read, so memory is bounded by the batch
/// size times the chain's fan-out. A failing element is routed to the dead-letter sink and the run goes on; a
/// throwing source or sink ends the run with that error (stop hooks still run).
public struct SyncEngine: Sendable {
    /// Whether adjacent pure stages fuse.
    public var fusion: FusionMode
    /// Elements read from the source per batch.
    public var batchSize: Int
    /// Whether the run reports through swift-metrics.
    public var metrics: MetricsMode
    /// The clock for elapsed time and batch latency.
    public var clock: any MonotonicClock

    /// Creates an engine.
    /// - Precondition: `batchSize > 0`.
    public init(
        fusion: FusionMode = .enabled, batchSize: Int = 256, metrics: MetricsMode = .enabled,
        clock: any MonotonicClock = SystemMonotonicClock()
    ) {
        precondition(batchSize > 0, "batchSize must be positive")
        self.fusion = fusion
        self.batchSize = batchSize
        self.metrics = metrics
        self.clock = clock
    }

    /// Runs `pipeline` to completion on the calling thread and returns its statistics.
    ///
    /// Complexity: O(elements × stages).
    /// - Throws: `PipelineError` if the pipeline is invalid (before anything runs), or the error of the source or
    ///   sink that failed. Stage errors do not throw: they are routed.
    @inlinable
    public func run<Source, Chain, Sink>(
        _ pipeline: RunnablePipeline<Source, Chain, Sink>
    ) throws -> PipelineStatistics {
        try pipeline.validate()
        var run = _SyncRun(pipeline, engine: self)
        var source = pipeline.source
        var sink = pipeline.sink
        var input: [Source.Element] = []
        input.reserveCapacity(batchSize)
        run.start()
        defer { run.stop() }
        var hasMore = true
        while hasMore {
            hasMore = try source.read(into: &input, maxCount: batchSize)
            guard !input.isEmpty else { continue }
            run.push(input)
            input.removeAll(keepingCapacity: true)
            if !run.output.isEmpty {
                try sink.consume(run.output)
                run.didConsume()
            }
        }
        run.finishChain()
        if !run.output.isEmpty {
            try sink.consume(run.output)
            run.didConsume()
        }
        try sink.finish()
        return run.statistics(pipeline)
    }

    /// Runs `pipeline` like `run(_:)`, but awaits the source and sink, so that either may be one end of a
    /// `Bridge` to a part run by another engine. Still no tasks: everything runs in the calling task, in order.
    ///
    /// Suspends only inside the source's `readAsync` and the sink's `consumeAsync`/`finishAsync` (for a bridge:
    /// while its channel is empty, or full: backpressure). Cancelling the calling task makes a suspended bridge
    /// call throw, which ends the run (stop hooks still run).
    @inlinable
    public func runAsync<Source, Chain, Sink>(
        _ pipeline: RunnablePipeline<Source, Chain, Sink>
    ) async throws -> PipelineStatistics {
        try pipeline.validate()
        var run = _SyncRun(pipeline, engine: self)
        var source = pipeline.source
        var sink = pipeline.sink
        var input: [Source.Element] = []
        input.reserveCapacity(batchSize)
        run.start()
        defer { run.stop() }
        var hasMore = true
        while hasMore {
            hasMore = try await source.readAsync(into: &input, maxCount: batchSize)
            guard !input.isEmpty else { continue }
            run.push(input)
            input.removeAll(keepingCapacity: true)
            if !run.output.isEmpty {
                try await sink.consumeAsync(run.output)
                run.didConsume()
            }
        }
        run.finishChain()
        if !run.output.isEmpty {
            try await sink.consumeAsync(run.output)
            run.didConsume()
        }
        try await sink.finishAsync()
        return run.statistics(pipeline)
    }
}

/// The state of one `SyncEngine` run between the source and the sink: the planned chain, the output batch,
/// the counters and the metrics handles.
@usableFromInline
struct _SyncRun<Source: PipelineSource, Chain: StageChain, Sink: PipelineSink>
where Chain.Input == Source.Element, Sink.Input == Chain.Output {
    @usableFromInline var chain: Chain
    @usableFromInline let router: DeadLetterRouter
    @usableFromInline let reporter: PipelineMetrics?
    @usableFromInline let latency: SegmentLatencyRecorder?
    @usableFromInline let engine: SyncEngine
    @usableFromInline let startTime: UInt64
    /// The outputs of the last batch, for the sink.
    @usableFromInline var output: [Chain.Output] = []
    @usableFromInline var sourceCount = 0
    @usableFromInline var sinkCount = 0

    @inlinable
    init(_ pipeline: RunnablePipeline<Source, Chain, Sink>, engine: SyncEngine) {
        self.engine = engine
        chain = pipeline.plannedChain(fusion: engine.fusion)
        router = DeadLetterRouter(policy: pipeline.deadLetterPolicy)
        reporter = engine.metrics.makeReporter(pipelineName: pipeline.name)
        latency = reporter?.latencyRecorder(segment: "chain")
        output.reserveCapacity(engine.batchSize)
        startTime = engine.clock.nowNanoseconds()
    }

    @inlinable
    mutating func start() { chain._start() }

    @inlinable
    mutating func stop() { chain._stop() }

    /// Runs one source batch through the chain into `output`.
    @inlinable
    mutating func push(_ input: [Source.Element]) {
        sourceCount += input.count
        let batchStart = latency == nil ? 0 : engine.clock.nowNanoseconds()
        chain._processBatch(input, router, into: &output)
        latency?.record(from: batchStart, to: engine.clock.nowNanoseconds())
    }

    /// Finishes the chain; its last outputs land in `output`.
    @inlinable
    mutating func finishChain() {
        chain._finish(router) { output.append($0) }
    }

    /// Counts the batch the sink just consumed and empties `output`, keeping its capacity.
    @inlinable
    mutating func didConsume() {
        sinkCount += output.count
        reporter?.sinkConsumed(output.count)
        output.removeAll(keepingCapacity: true)
    }

    @usableFromInline
    func statistics(_ pipeline: RunnablePipeline<Source, Chain, Sink>) -> PipelineStatistics {
        let elapsed = engine.clock.nowNanoseconds() &- startTime
        router.deliverSummary()
        var stages: [StageStatistics] = []
        chain._collectStatistics(into: &stages)
        let statistics = PipelineStatistics.assemble(
            pipeline: pipeline, engine: "sync", fusion: engine.fusion, chainStages: stages, sourceCount: sourceCount,
            sinkCount: sinkCount, deadLetters: router.summary, activeWorkers: 1, elapsedNanoseconds: elapsed)
        reporter?.flush(statistics)
        return statistics
    }
}
