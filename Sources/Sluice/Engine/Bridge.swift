/// Connects a part of a pipeline run by one engine to a part run by another, through a bounded channel.
///
/// The upstream part ends in `bridge.sink`; the downstream part starts at `bridge.source`. Run both at once,
/// each under its engine, for example a deterministic `SyncEngine` segment feeding a `ConcurrentEngine` segment:
///
/// ```swift
/// let bridge = Bridge<Int>(capacity: 1_024)
/// try await withThrowingTaskGroup(of: Void.self) { group in
///     group.addTask { _ = try await SyncEngine().runAsync(Pipeline.source(input).map(parse).sink(bridge.sink)) }
///     group.addTask { _ = try await ConcurrentEngine().run(Pipeline.source(bridge.source).map(enrich).sink(out)) }
///     try await group.waitForAll()
/// }
/// ```
///
/// - Backpressure: the channel uses the `.wait` policy, so the upstream part suspends in the bridge sink while the
///   channel is full and resumes when the downstream part drains it to the low watermark.
/// - Finishing: when the upstream part finishes, its sink finishes the channel; the downstream source sees the
///   end once it has drained it. If the upstream part fails, the channel is failed with that error and the
///   downstream source throws it after draining.
/// - Cancellation: a suspended send or receive throws when its task is cancelled.
/// - The bridge's ends only work under an engine that awaits them: `ConcurrentEngine.run` or
///   `SyncEngine.runAsync`. The synchronous `SyncEngine.run` cannot wait, and calling it with a bridge end is a
///   programmer error (precondition).
public struct Bridge<Element: Sendable>: Sendable {
    /// The channel between the two parts; read its statistics here.
    public let channel: BoundedChannel<Element>

    /// Creates a bridge whose channel holds at most `capacity` elements.
    public init(capacity: Int = 4_096, name: String = "bridge", clock: any MonotonicClock = SystemMonotonicClock()) {
        channel = BoundedChannel(capacity: .bounded(capacity), name: name, clock: clock)
    }

    /// Fails the channel: the downstream part throws `error` once it has drained what was sent. Use it when the
    /// upstream part fails outside its sink (its source threw, say) and the downstream part is not cancelled.
    public func fail(_ error: any Error) {
        channel.fail(error)
    }

    /// The upstream part's sink.
    public var sink: BridgeSink<Element> { BridgeSink(channel: channel) }
    /// The downstream part's source.
    public var source: BridgeSource<Element> { BridgeSource(channel: channel) }
}

/// The end of a `Bridge` that a pipeline sinks into.
public struct BridgeSink<Element: Sendable>: PipelineSink {
    let channel: BoundedChannel<Element>

    /// Not usable: a precondition failure, since the synchronous path cannot wait for room in the channel.
    /// The engines that await call `consumeAsync` instead.
    public func consume(_ batch: [Element]) throws {
        preconditionFailure("a BridgeSink must run under ConcurrentEngine.run or SyncEngine.runAsync")
    }

    /// Sends the batch, suspending while the channel is full (backpressure: the pipeline waits for the reader);
    /// on error, fails the channel so the other side ends. Cancelled while suspended, it throws
    /// `ChannelError.cancelled`, whose `acceptedCount` is the prefix of the batch already enqueued.
    public func consumeAsync(_ batch: [Element]) async throws {
        do {
            try await channel.send(contentsOf: batch)
        } catch {
            channel.fail(error)
            throw error
        }
    }

    /// Finishes the channel; never blocks. The downstream source ends once it has drained what was sent.
    public func finish() throws {
        channel.finish()
    }
}

/// The end of a `Bridge` that a pipeline reads from.
public struct BridgeSource<Element: Sendable>: PipelineSource {
    let channel: BoundedChannel<Element>

    /// Not usable: a precondition failure, since the synchronous path cannot wait for the channel.
    /// The engines that await call `readAsync` instead.
    public func read(into buffer: inout [Element], maxCount: Int) throws -> Bool {
        preconditionFailure("a BridgeSource must run under ConcurrentEngine.run or SyncEngine.runAsync")
    }

    /// Receives up to `maxCount` elements, suspending while the channel is empty and open (it returns what is
    /// there, never waits for a full batch). Cancelled while suspended, it throws `CancellationError` having
    /// consumed nothing.
    public func readAsync(into buffer: inout [Element], maxCount: Int) async throws -> Bool {
        try await channel.receive(into: &buffer, maxCount: maxCount) > 0
    }
}
