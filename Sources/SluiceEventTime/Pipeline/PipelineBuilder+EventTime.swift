import Metrics
import Sluice

extension PipelineBuilder {
    /// Appends a watermark stage: stamps each element with `timestamp(element)` (event time, ms) and emits
    /// watermarks from a bounded out-of-orderness generator (see `WatermarkOperator`).
    ///
    /// - Parameters:
    ///   - maxOutOfOrderness: how far (ms) an element may trail the largest timestamp seen in its partition
    ///     without being late.
    ///   - partitions, partition: per-partition watermarks, combined by their minimum.
    ///   - idleTimeout: ms of processing time after which a quiet partition stops holding the watermark back.
    ///   - granularity: the least advance (ms) worth a watermark element.
    ///   - input: this stream's number where several watermarked streams merge into one window stage.
    ///   - ingestTime, metrics: `watermark_lag_ms` is `ingestTime()` minus the watermark, recorded through
    ///     `metrics` (default: the bootstrapped `MetricsSystem`).
    @inlinable
    public func watermarks(
        _ name: String = "watermarks", timestamp: @escaping @Sendable (Chain.Output) -> Int64,
        maxOutOfOrderness: Int64, partitions: Int = 1, partition: (@Sendable (Chain.Output) -> Int)? = nil,
        idleTimeout: Int64? = nil, granularity: Int64 = 1, input: Int = 0,
        clock: any MonotonicClock = SystemMonotonicClock(),
        ingestTime: @escaping @Sendable () -> Int64 = WatermarkOperator<Chain.Output>.wallClockMilliseconds,
        metrics: (any MetricsFactory)? = nil
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<WatermarkOperator<Chain.Output>>>> {
        stage(
            name,
            WatermarkOperator(
                name: name, timestamp: timestamp, maxOutOfOrderness: maxOutOfOrderness, partitions: partitions,
                partition: partition, idleTimeout: idleTimeout, granularity: granularity, input: input, clock: clock,
                ingestTime: ingestTime, metrics: metrics))
    }

    /// Appends a window stage over an event-time stream: assigns elements to windows per key, aggregates
    /// them with `accumulator`, and emits a `WindowResult` whenever `trigger` fires (see `WindowOperator`).
    @inlinable
    public func window<Element, Key: Hashable & Sendable, Accumulator: WindowAccumulator, Trigger: WindowTrigger>(
        _ name: String = "window", _ assigner: WindowAssigner, key: @escaping @Sendable (Element) -> Key,
        trigger: Trigger, accumulator: Accumulator,
        configuration: WindowConfiguration<Element> = WindowConfiguration()
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<WindowOperator<Key, Accumulator, Trigger>>>>
    where Chain.Output == EventTimeElement<Element>, Accumulator.Input == Element {
        stage(
            name,
            WindowOperator(
                name: name, assigner: assigner, trigger: trigger, accumulator: accumulator, key: key,
                configuration: configuration))
    }

    /// Appends a window stage with the assigner's default trigger (`WindowAssigner.defaultTrigger`).
    @inlinable
    public func window<Element, Key: Hashable & Sendable, Accumulator: WindowAccumulator>(
        _ name: String = "window", _ assigner: WindowAssigner, key: @escaping @Sendable (Element) -> Key,
        accumulator: Accumulator, configuration: WindowConfiguration<Element> = WindowConfiguration()
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<WindowOperator<Key, Accumulator, Trigger>>>>
    where Chain.Output == EventTimeElement<Element>, Accumulator.Input == Element {
        window(
            name, assigner, key: key, trigger: assigner.defaultTrigger, accumulator: accumulator,
            configuration: configuration)
    }

    /// Appends a resequencer: re-emits elements in order of `sequence(element)`, holding at most `capacity`
    /// early ones (see `ResequencerOperator`).
    @inlinable
    public func resequence(
        _ name: String = "resequence", by sequence: @escaping @Sendable (Chain.Output) -> UInt64, capacity: Int,
        policy: ResequencerPolicy = .skip, firstSequence: UInt64 = 0, counters: ResequencerCounters = ResequencerCounters()
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<ResequencerOperator<Chain.Output>>>> {
        stage(
            name,
            ResequencerOperator(
                name: name, sequence: sequence, capacity: capacity, policy: policy, firstSequence: firstSequence,
                counters: counters))
    }
}
