import Metrics
import MetricsTestKit
import Sluice
import SluiceTestKit
import Testing

@Suite struct PipelineMetricsTests {
    @Test func runEmitsTheArchitectureMetricNames() throws {
        let metrics = TestMetrics()
        let pipeline = Pipeline.source(0..<100)
            .map("check") { value in
                if value % 10 == 0 { throw ParityError(value: value) }
                return value
            }
            .map("plus") { $0 + 1 }
            .named("metered")
            .sink(OutputCollector<Int>())
        let statistics = try SyncEngine(batchSize: 16, metrics: .enabled(factory: metrics)).run(pipeline)
        let dimensions = [("pipeline", "metered")]
        let docs = try metrics.expectCounter(PipelineMetricName.docsTotal, dimensions)
        #expect(docs.totalValue == 90)
        #expect(docs.values.count == 7)  // flushed once per batch (7 batches of up to 16), not per element
        let errors = try metrics.expectCounter(PipelineMetricName.stageErrors, dimensions + [("stage", "check")])
        #expect(errors.totalValue == 10)
        #expect(try metrics.expectCounter(PipelineMetricName.poisonRouted, dimensions).totalValue == 10)
        #expect(try metrics.expectGauge(PipelineMetricName.fusedStageCount, dimensions).lastValue == 1)
        #expect(try metrics.expectGauge(PipelineMetricName.fusedOpsPerStage, dimensions).lastValue == 2)
        #expect(try metrics.expectGauge(PipelineMetricName.activeWorkers, dimensions).lastValue == 1)
        #expect(try metrics.expectGauge(PipelineMetricName.docsRate, dimensions).lastValue ?? 0 > 0)
        let latency = try metrics.expectRecorder(PipelineMetricName.stageLatency, dimensions + [("stage", "chain")])
        #expect(latency.values.count == 7)
        #expect(statistics.sinkCount == 90)
    }

    @Test func concurrentRunReportsChannelDepthsAndTokens() async throws {
        let metrics = TestMetrics()
        let pipeline = Pipeline.source("bytes", BufferByteSource(Array("[1,2]\n[3]\n".utf8), chunkSize: 4))
            .frames("frames", .newlineDelimited)
            .tokens("tokens")
            .named("tokens")
            .sink(OutputCollector<JSONTokenizedDocument>())
        let statistics = try await ConcurrentEngine(batchSize: 2, channelCapacity: 4, metrics: .enabled(factory: metrics))
            .run(pipeline)
        let dimensions = [("pipeline", "tokens")]
        #expect(try metrics.expectCounter(PipelineMetricName.tokensEmitted, dimensions).totalValue == 9)  // [ 1 2 ] end, [ 3 ] end
        #expect(try metrics.expectGauge(PipelineMetricName.tokensPerDocument, dimensions).lastValue == 4.5)
        for channel in statistics.channels {
            let channelDimensions = dimensions + [("channel", channel.name)]
            let maxDepth = try metrics.expectGauge(PipelineMetricName.channelDepthMax, channelDimensions)
            #expect(maxDepth.lastValue == Double(channel.maxDepth))
            #expect(try metrics.expectGauge(PipelineMetricName.channelDepthCurrent, channelDimensions).lastValue == 0)
        }
        #expect(try metrics.expectGauge(PipelineMetricName.activeWorkers, dimensions).lastValue == 4)
    }

    @Test func disabledMetricsEmitNothing() throws {
        let metrics = TestMetrics()
        _ = try SyncEngine(metrics: .disabled).run(Pipeline.source(0..<10).map { $0 }.sink(OutputCollector<Int>()))
        #expect(metrics.counters.isEmpty)
    }
}
