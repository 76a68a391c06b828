import Synchronization

/// The receiving end of a channel between two segments of a concurrent run.
public struct _BatchReceiver<Element: Sendable>: Sendable {
    @usableFromInline let channel: BoundedChannel<Element>

    @inlinable
    init(_ channel: BoundedChannel<Element>) {
        self.channel = channel
    }
}

/// Collects the segments of a concurrent run while the planned chain is walked, then hands them to the engine's
/// task group. Only the engine's planning code touches it, before any task starts; the `Mutex` keeps it `Sendable`.
public final class _ConcurrentSpawnContext: Sendable {
    /// One segment's work: runs until its input is finished and drained, returns its stages' counts.
    @usableFromInline typealias SegmentBody = @Sendable () async throws -> [StageStatistics]

    @usableFromInline let batchSize: Int
    @usableFromInline let capacity: Int
    @usableFromInline let router: DeadLetterRouter
    @usableFromInline let clock: any MonotonicClock
    @usableFromInline let metrics: PipelineMetrics?
    /// The engine's watchdog, when heartbeats are on.
    @usableFromInline let watchdog: EngineWatchdog?
    private let state = Mutex<(bodies: [SegmentBody], channels: [@Sendable () -> ChannelStatistics])>(([], []))

    @usableFromInline
    init(
        batchSize: Int, capacity: Int, router: DeadLetterRouter, clock: any MonotonicClock, metrics: PipelineMetrics?,
        watchdog: EngineWatchdog? = nil
    ) {
        self.watchdog = watchdog
        self.batchSize = batchSize
        self.capacity = capacity
        self.router = router
        self.clock = clock
        self.metrics = metrics
    }

    /// Makes a bounded channel whose statistics the run reports.
    @usableFromInline
    func makeChannel<Element: Sendable>(of type: Element.Type, name: String) -> BoundedChannel<Element> {
        let channel = BoundedChannel<Element>(capacity: .bounded(capacity), name: name, clock: clock)
        state.withLock { $0.channels.append({ channel.statistics() }) }
        return channel
    }

    /// Adds the body of a task that runs the stage (or segment) `stage`; debug builds label the task with it for
    /// the schedule controller's wait-for graph.
    @usableFromInline
    func add(stage: String, _ body: @escaping SegmentBody) {
        #if SLUICE_SCHEDULE_HOOKS
        let body: SegmentBody = { try await _withStageLabel(stage, body) }
        #endif
        state.withLock { $0.bodies.append(body) }
    }

    var bodies: [SegmentBody] { state.withLock { $0.bodies } }
    var channelStatistics: [ChannelStatistics] { state.withLock { $0.channels.map { $0() } } }

    /// Runs `segment` in a task of its own, reading batches from `input` and sending its outputs, a batch per
    /// input batch, to a new bounded channel, which it returns. An empty segment adds no task and no channel.
    @inlinable
    func spawnSegment<Segment: StageChain>(
        _ segment: Segment, input: _BatchReceiver<Segment.Input>
    ) -> _BatchReceiver<Segment.Output> {
        if segment.stageCount == 0, let passThrough = input as? _BatchReceiver<Segment.Output> {
            return passThrough
        }
        var names: [StageStatistics] = []
        segment._collectStatistics(into: &names)
        let segmentName = names.map(\.name).joined(separator: "+")
        let output = makeChannel(of: Segment.Output.self, name: segmentName)
        let latency = metrics?.latencyRecorder(segment: segmentName)
        let beat = watchdog?.heartbeat("stage " + segmentName)
        let inputBeat = watchdog?.heartbeat("channel " + input.channel.name)
        add(stage: segmentName) { [batchSize, router, clock] in
            var segment = segment
            segment._start()
            defer { segment._stop() }
            do {
                var batch: [Segment.Input] = []
                batch.reserveCapacity(batchSize)
                var outputs: [Segment.Output] = []
                outputs.reserveCapacity(batchSize)
                while try await input.channel.receive(into: &batch, maxCount: batchSize) > 0 {
                    inputBeat?.beat(count: UInt64(batch.count))
                    inputBeat?.setPending(input.channel.depth)
                    beat?.setPending(batch.count)
                    let start = latency == nil ? 0 : clock.nowNanoseconds()
                    segment._processBatch(batch, router, into: &outputs)
                    latency?.record(from: start, to: clock.nowNanoseconds())
                    // Done with the batch: a segment then blocked on a full output channel is not stalled.
                    beat?.beat(count: UInt64(batch.count))
                    beat?.setPending(0)
                    batch.removeAll(keepingCapacity: true)
                    if !outputs.isEmpty {
                        try await output.send(contentsOf: outputs)
                        outputs.removeAll(keepingCapacity: true)
                    }
                }
                segment._finish(router) { outputs.append($0) }
                if !outputs.isEmpty { try await output.send(contentsOf: outputs) }
                output.finish()
            } catch {
                output.fail(error)
                throw error
            }
            var statistics: [StageStatistics] = []
            segment._collectStatistics(into: &statistics)
            return statistics
        }
        return _BatchReceiver(output)
    }
}
