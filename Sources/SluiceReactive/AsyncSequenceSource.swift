import Sluice

/// An `AsyncSequence` as a pipeline source: the native pull form of demand.
///
/// When a run starts, a task of its own iterates the sequence into a bounded buffer of `capacity` elements, and
/// each read takes what the buffer holds (at least one element, at most the engine's batch): elements flow as they
/// arrive, a slow sequence never holds back one it has already produced, and a fast one is still read in
/// batches. The sequence is iterated once per run; running the pipeline again iterates it again.
///
/// - Suspension: a read suspends while the buffer is empty and the sequence has not ended. Works under
///   `ConcurrentEngine.run` and `SyncEngine.runAsync`; the synchronous `SyncEngine.run` cannot await, and using it
///   here is a programmer error (precondition).
/// - Backpressure: the iterating task suspends while the buffer is full, so at most `capacity` elements are read
///   ahead of the pipeline and the sequence is asked for no more.
/// - Errors: an error the sequence throws fails the run once the elements before it are taken.
/// - Cancellation: a read in a cancelled task throws `CancellationError`, whether or not elements are buffered.
///   When the last copy of the source that started the iteration goes (the engine's, at the end of its run; a
///   cursor's or an outputs iterator's, when it is dropped), the iterating task is cancelled, which the sequence's
///   iterator sees: an `AsyncStream` ends, so a second run of the same stream finds it ended, and elements read
///   ahead and not taken are dropped.
public struct AsyncSequenceSource<Base: AsyncSequence & Sendable>: PipelineSource where Base.Element: Sendable {
    /// The sequence's element.
    public typealias Element = Base.Element

    let base: Base
    /// The most elements read ahead of the pipeline.
    public let capacity: Int
    var pump: AsyncSequencePump<Base>?

    /// Creates a source over `base` that reads at most `capacity` elements ahead.
    /// - Precondition: `capacity > 0`.
    public init(_ base: Base, capacity: Int = 1_024) {
        precondition(capacity > 0, "capacity must be positive")
        self.base = base
        self.capacity = capacity
    }

    /// Not supported: traps, since the sequence can only be awaited (use `readAsync`).
    public func read(into buffer: inout [Element], maxCount: Int) throws -> Bool {
        preconditionFailure("an AsyncSequenceSource must run under ConcurrentEngine.run or SyncEngine.runAsync")
    }

    /// Takes up to `maxCount` elements the iterating task has buffered, suspending only while there is none and
    /// the sequence has not ended (the first call starts that task); `false` once the sequence ended and every
    /// element was taken. Throws the sequence's error after the elements before it, or `CancellationError` when
    /// the run is cancelled while waiting.
    public mutating func readAsync(into buffer: inout [Element], maxCount: Int) async throws -> Bool {
        // The channel looks at cancellation only when it would suspend; a producer faster than the pipeline keeps
        // it non-empty, so a cancelled run would read on.
        try Task.checkCancellation()
        let pump: AsyncSequencePump<Base>
        if let started = self.pump {
            pump = started
        } else {
            pump = AsyncSequencePump(base, capacity: capacity)
            self.pump = pump
        }
        return try await pump.channel.receive(into: &buffer, maxCount: maxCount) > 0
    }
}

/// The task that iterates a source's sequence into its bounded channel, cancelled when the source's run lets go
/// of it (the last copy of the source that started it is gone).
final class AsyncSequencePump<Base: AsyncSequence & Sendable>: Sendable where Base.Element: Sendable {
    let channel: BoundedChannel<Base.Element>
    private let task: Task<Void, Never>

    init(_ base: Base, capacity: Int) {
        let channel = BoundedChannel<Base.Element>(
            capacity: .bounded(capacity), name: "async-sequence", clock: nil)
        self.channel = channel
        task = Task {
            do {
                for try await element in base { try await channel.send(element) }
                channel.finish()
            } catch {
                channel.fail(error)
            }
        }
    }

    deinit { task.cancel() }
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
