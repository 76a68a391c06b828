import Sluice

/// An `AsyncSequence` as a pipeline source: the native pull form of demand.
///
/// Each read awaits up to `maxCount` elements from the sequence's iterator (the engines ask for a batch), so a
/// slow sequence delays a batch until it is full or ends: choose the engine's `batchSize` for the latency you
/// need. The sequence is iterated once per run; running the pipeline again iterates it again.
///
/// - Suspension: only inside the iterator's `next()`. Works under `ConcurrentEngine.run` and
///   `SyncEngine.runAsync`; the synchronous `SyncEngine.run` cannot await, and using it here is a programmer error
///   (precondition).
/// - Cancellation: the iterator sees the run's cancellation; a `CancellationError` it throws ends the run.
public struct AsyncSequenceSource<Base: AsyncSequence & Sendable>: PipelineSource where Base.Element: Sendable {
    /// The sequence's element.
    public typealias Element = Base.Element

    let base: Base
    var iterator: IteratorBox<Base.AsyncIterator>?

    /// Creates a source over `base`.
    public init(_ base: Base) {
        self.base = base
    }

    /// Not supported: traps, since the sequence can only be awaited (use `readAsync`).
    public func read(into buffer: inout [Element], maxCount: Int) throws -> Bool {
        preconditionFailure("an AsyncSequenceSource must run under ConcurrentEngine.run or SyncEngine.runAsync")
    }

    /// Awaits up to `maxCount` elements from the sequence's iterator (suspending in its `next()`); `false` once it
    /// ends. Cancellation is the iterator's to see, as the type says.
    public mutating func readAsync(into buffer: inout [Element], maxCount: Int) async throws -> Bool {
        let box: IteratorBox<Base.AsyncIterator>
        if let iterator {
            box = iterator
        } else {
            box = IteratorBox(base.makeAsyncIterator())
            iterator = box
        }
        for _ in 0..<maxCount {
            guard let element = try await box.iterator.next() else { return false }
            buffer.append(element)
        }
        return true
    }
}

/// Holds an async iterator across reads.
///
/// `@unchecked Sendable`: confinement. An engine reads its source from one task at a time, in order, so the
/// iterator is never used concurrently.
final class IteratorBox<Iterator: AsyncIteratorProtocol>: @unchecked Sendable {
    var iterator: Iterator
    init(_ iterator: Iterator) { self.iterator = iterator }
}

extension Pipeline {
    /// Starts a pipeline named `name` at an `AsyncSequence`; see `AsyncSequenceSource` (when it suspends, and
    /// what cancellation does).
    public static func source<Base: AsyncSequence & Sendable>(
        _ name: String, _ sequence: Base
    ) -> PipelineBuilder<AsyncSequenceSource<Base>, IdentityChain<Base.Element>> where Base.Element: Sendable {
        source(name, AsyncSequenceSource(sequence))
    }

    /// Starts a pipeline at an `AsyncSequence`, with the source named "source": `Pipeline.source(stream)`. See
    /// `AsyncSequenceSource` (when it suspends, and what cancellation does).
    public static func source<Base: AsyncSequence & Sendable>(
        _ sequence: Base
    ) -> PipelineBuilder<AsyncSequenceSource<Base>, IdentityChain<Base.Element>> where Base.Element: Sendable {
        source("source", AsyncSequenceSource(sequence))
    }
}
