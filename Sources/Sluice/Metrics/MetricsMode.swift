import Metrics

/// Whether an engine reports through swift-metrics.
///
/// Either way the hot path only bumps plain per-stage integers; `enabled` adds one metrics call per batch
/// (`pipeline_docs_total`, `stage_latency_ms`) and a flush of the rest at the end of the run. With no metrics
/// backend bootstrapped those calls go to swift-metrics' no-op handler.
public struct MetricsMode: Sendable {
    @usableFromInline let isEnabled: Bool
    @usableFromInline let factory: (any MetricsFactory)?

    /// Report through swift-metrics' bootstrapped backend (the default).
    public static let enabled = MetricsMode(isEnabled: true, factory: nil)
    /// Report nothing; `PipelineStatistics` is still returned.
    public static let disabled = MetricsMode(isEnabled: false, factory: nil)

    /// Report to `factory` instead of the bootstrapped backend (for tests: `MetricsTestKit.TestMetrics`).
    public static func enabled(factory: any MetricsFactory) -> MetricsMode {
        MetricsMode(isEnabled: true, factory: factory)
    }

    /// Makes the run's metrics handles, or `nil` when disabled.
    @usableFromInline
    func makeReporter(pipelineName: String) -> PipelineMetrics? {
        isEnabled ? PipelineMetrics(pipelineName: pipelineName, factory: factory ?? MetricsSystem.factory) : nil
    }
}

/// The metric names the engine emits (ARCHITECTURE.md, "Metric names").
public enum PipelineMetricName {
    /// Counter: elements the sink consumed.
    public static let docsTotal = "pipeline_docs_total"
    /// Gauge: elements the sink consumed per second over the run.
    public static let docsRate = "pipeline_docs_rate"
    /// Recorder: milliseconds a segment took per batch (dimension `stage`: the segment's stage names).
    public static let stageLatency = "stage_latency_ms"
    /// Gauge: a channel's depth when the run ended.
    public static let channelDepthCurrent = "channel_depth_current"
    /// Gauge: a channel's deepest depth.
    public static let channelDepthMax = "channel_depth_max"
    /// Counter: elements a stage failed on.
    public static let stageErrors = "stage_error_total"
    /// Counter: records delivered to the dead-letter sink.
    public static let poisonRouted = "poison_routed_total"
    /// Counter: stalls the backpressure watchdog reported (dimension `stage`).
    public static let stageStalls = "stage_stall_total"
    /// Counter: JSON tokens emitted by token stages.
    public static let tokensEmitted = "tokens_emitted_total"
    /// Gauge: JSON tokens per document.
    public static let tokensPerDocument = "tokens_per_doc_avg"
    /// Gauge: fused segments in the plan.
    public static let fusedStageCount = "fused_stage_count"
    /// Gauge: stages per fused segment.
    public static let fusedOpsPerStage = "fused_ops_per_stage_avg"
    /// Gauge: tasks (workers) the engine ran.
    public static let activeWorkers = "active_workers"
}
