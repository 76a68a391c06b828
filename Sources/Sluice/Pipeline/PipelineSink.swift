import Synchronization

/// Consumes a pipeline's output, a batch at a time.
///
/// The engines call `consume` from one thread or task, in pipeline order, then `finish` once after the last batch.
/// A sink that throws fails the run.
public protocol PipelineSink<Input>: Sendable {
    /// The elements consumed.
    associatedtype Input: Sendable

    /// Takes one batch of outputs (never empty).
    mutating func consume(_ batch: [Input]) throws

    /// Called once after the last batch.
    mutating func finish() throws

    /// Like `consume`, but may suspend (a `BridgeSink` waits for room in its channel: backpressure). The
    /// `ConcurrentEngine` and the `SyncEngine`'s `async` run call this; the default calls `consume`.
    ///
    /// Suspends only while the sink cannot take the batch yet; the engine sends no further batch meanwhile, so a
    /// slow sink holds back every stage before it (bounded memory). Cancellation is the sink's to honour: a
    /// `BridgeSink` suspended on its channel throws `ChannelError.cancelled` (its `acceptedCount` is the prefix
    /// of the batch already enqueued) and fails the channel; a sink that never suspends ignores it, and the
    /// cancelled run stops at its next suspension point.
    mutating func consumeAsync(_ batch: [Input]) async throws

    /// Like `finish`, but may suspend (until the sink's last output is handed on). The default calls `finish`.
    mutating func finishAsync() async throws
}

extension PipelineSink {
    /// Calls the synchronous `consume`: never suspends.
    @inlinable
    public mutating func consumeAsync(_ batch: [Input]) async throws {
        try consume(batch)
    }

    /// Calls the synchronous `finish`: never suspends.
    @inlinable
    public mutating func finishAsync() async throws {
        try finish()
    }

    /// Sinks need no finishing unless they say so.
    @inlinable
    public mutating func finish() throws {}
}

/// A sink that calls a closure for each batch.
public struct BatchSink<Input: Sendable>: PipelineSink {
    @usableFromInline let body: @Sendable ([Input]) throws -> Void

    /// Creates a sink calling `body` with each batch.
    @inlinable
    public init(_ body: @escaping @Sendable ([Input]) throws -> Void) {
        self.body = body
    }

    /// Calls `body` with the batch; its error fails the run.
    @inlinable
    public func consume(_ batch: [Input]) throws {
        try body(batch)
    }
}

/// A sink that appends everything to an `OutputCollector`.
public struct CollectingSink<Input: Sendable>: PipelineSink {
    /// Where the outputs go.
    public let collector: OutputCollector<Input>

    /// Creates a sink appending to `collector`.
    public init(_ collector: OutputCollector<Input>) {
        self.collector = collector
    }

    /// Appends the batch to `collector` (one lock per batch).
    public func consume(_ batch: [Input]) throws {
        collector.append(contentsOf: batch)
    }
}

/// Collects a pipeline's outputs in memory, in arrival order. Guarded by a `Mutex`; one lock per batch.
public final class OutputCollector<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])

    /// Creates an empty collector.
    public init() {}

    /// Appends a batch. O(batch).
    public func append(contentsOf batch: [Element]) {
        storage.withLock { $0.append(contentsOf: batch) }
    }

    /// Everything collected so far. O(n) copy.
    public var elements: [Element] { storage.withLock { $0 } }

    /// Removes and returns everything collected so far.
    public func drain() -> [Element] { storage.withLock { elements in defer { elements = [] }; return elements } }
}
