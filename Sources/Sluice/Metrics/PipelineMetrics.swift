import Metrics

/// The swift-metrics handles of one run: made once when the run starts, used once per batch, flushed at the end.
@usableFromInline
final class PipelineMetrics: Sendable {
    let dimensions: [(String, String)]
    let factory: any MetricsFactory
    let docsTotal: Counter

    init(pipelineName: String, factory: any MetricsFactory) {
        dimensions = [("pipeline", pipelineName)]
        self.factory = factory
        docsTotal = Counter(label: PipelineMetricName.docsTotal, dimensions: dimensions, factory: factory)
    }

    /// Counts a batch the sink consumed. One metrics call.
    @usableFromInline
    func sinkConsumed(_ count: Int) {
        docsTotal.increment(by: Int64(count))
    }

    /// A recorder for one segment's per-batch latency.
    @usableFromInline
    func latencyRecorder(segment: String) -> SegmentLatencyRecorder {
        SegmentLatencyRecorder(
            recorder: Recorder(label: PipelineMetricName.stageLatency, dimensions: dimensions + [("stage", segment)], factory: factory))
    }

    /// Flushes the end-of-run figures. O(stages + channels).
    @usableFromInline
    func flush(_ statistics: PipelineStatistics) {
        let seconds = Double(statistics.elapsedNanoseconds) / 1e9
        if seconds > 0 {
            Gauge(label: PipelineMetricName.docsRate, dimensions: dimensions, factory: factory).record(
                Double(statistics.sinkCount) / seconds)
        }
        for stage in statistics.stages where stage.errors > 0 {
            Counter(label: PipelineMetricName.stageErrors, dimensions: dimensions + [("stage", stage.name)], factory: factory)
                .increment(by: Int64(stage.errors))
        }
        if statistics.deadLetters.routedCount > 0 {
            Counter(label: PipelineMetricName.poisonRouted, dimensions: dimensions, factory: factory)
                .increment(by: Int64(statistics.deadLetters.routedCount))
        }
        Gauge(label: PipelineMetricName.fusedStageCount, dimensions: dimensions, factory: factory).record(
            Double(statistics.fusedStageCount))
        if let average = statistics.fusedOpsPerStageAverage {
            Gauge(label: PipelineMetricName.fusedOpsPerStage, dimensions: dimensions, factory: factory).record(average)
        }
        Gauge(label: PipelineMetricName.activeWorkers, dimensions: dimensions, factory: factory).record(
            Double(statistics.activeWorkers))
        if let tokens = statistics.tokensEmittedTotal {
            Counter(label: PipelineMetricName.tokensEmitted, dimensions: dimensions, factory: factory).increment(by: Int64(tokens))
        }
        if let average = statistics.tokensPerDocumentAverage {
            Gauge(label: PipelineMetricName.tokensPerDocument, dimensions: dimensions, factory: factory).record(average)
        }
        for channel in statistics.channels {
            let channelDimensions = dimensions + [("channel", channel.name)]
            Gauge(label: PipelineMetricName.channelDepthCurrent, dimensions: channelDimensions, factory: factory).record(
                Double(channel.depth))
            Gauge(label: PipelineMetricName.channelDepthMax, dimensions: channelDimensions, factory: factory).record(
                Double(channel.maxDepth))
        }
    }
}

/// Records a segment's per-batch latency into `stage_latency_ms`.
@usableFromInline
struct SegmentLatencyRecorder: Sendable {
    let recorder: Recorder

    /// Records the time between two clock readings, in milliseconds. One metrics call.
    @usableFromInline
    func record(from start: UInt64, to end: UInt64) {
        recorder.record(Double(end &- start) / 1e6)
    }
}
