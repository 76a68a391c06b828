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
        let router = DeadLetterRouter(policy: pipeline.deadLetterPolicy)
        let reporter = metrics.isEnabled ? PipelineMetrics(pipelineName: pipeline.name) : nil
        let latency = reporter?.latencyRecorder(segment: "chain")
        var source = pipeline.source
        var chain = pipeline.plannedChain(fusion: fusion)
        var sink = pipeline.sink
        var input: [Source.Element] = []
        input.reserveCapacity(batchSize)
        var output: [Chain.Output] = []
        output.reserveCapacity(batchSize)
        var sourceCount = 0
        var sinkCount = 0
        let start = clock.nowNanoseconds()
        chain._start()
        defer { chain._stop() }
        var hasMore = true
        while hasMore {
            hasMore = try source.read(into: &input, maxCount: batchSize)
            guard !input.isEmpty else { continue }
            sourceCount += input.count
            let batchStart = latency == nil ? 0 : clock.nowNanoseconds()
            chain._processBatch(input, router, into: &output)
            input.removeAll(keepingCapacity: true)
            latency?.record(from: batchStart, to: clock.nowNanoseconds())
            if !output.isEmpty {
                try sink.consume(output)
                sinkCount += output.count
                reporter?.sinkConsumed(output.count)
                output.removeAll(keepingCapacity: true)
            }
        }
        chain._finish(router) { output.append($0) }
        if !output.isEmpty {
            try sink.consume(output)
            sinkCount += output.count
            reporter?.sinkConsumed(output.count)
        }
        try sink.finish()
        let elapsed = clock.nowNanoseconds() &- start
        router.deliverSummary()
        var stages: [StageStatistics] = []
        chain._collectStatistics(into: &stages)
        let statistics = PipelineStatistics.assemble(
            pipeline: pipeline, engine: "sync", fusion: fusion, chainStages: stages, sourceCount: sourceCount,
            sinkCount: sinkCount, deadLetters: router.summary, activeWorkers: 1, elapsedNanoseconds: elapsed)
        reporter?.flush(statistics)
        return statistics
    }
}
