import Sluice

/// A pipeline's outputs as an `AsyncSequence`, pulled through a `PipelineCursor`: no task or channel of its own,
/// and the source is read only when the consumer asks for more than is buffered (the deterministic `SyncEngine`
/// path; an `AsyncSequenceSource` iterates its sequence in a task of its own, up to its `capacity` ahead).
///
/// Each iterator runs the pipeline from the start. Suspends only inside the source's `readAsync`, so the source may
/// be a bridge end or an `AsyncSequenceSource`. Breaking out of the loop stops reading the source (an
/// `AsyncSequenceSource` has then read at most its `capacity` ahead, and its iteration is cancelled once the
/// iterator is gone); stop hooks run
/// at the end of a run, or when `next()` finds the consuming task cancelled (it then returns `nil`).
public struct PipelineOutputs<Source: PipelineSource, Chain: StageChain>: AsyncSequence, Sendable
where Chain.Input == Source.Element {
    /// The pipeline's output (its chain's output type).
    public typealias Element = Chain.Output

    let builder: PipelineBuilder<Source, Chain>
    let fusion: FusionMode
    let batchSize: Int

    /// The iterator: a cursor and the batch it hands out from.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var cursor: PipelineCursor<Source, Chain>
        var batch: [Chain.Output] = []
        var position = 0
        var isDone = false
        let batchSize: Int

        /// The next output; `nil` at the end, or when the consuming task is cancelled.
        /// - Throws: the source's error.
        public mutating func next() async throws -> Chain.Output? {
            if position < batch.count {
                defer { position += 1 }
                return batch[position]
            }
            guard !isDone else { return nil }
            if Task.isCancelled {
                cursor.cancel()
                isDone = true
                return nil
            }
            batch.removeAll(keepingCapacity: true)
            position = 0
            isDone = !(try await cursor.nextAsync(into: &batch, maxCount: batchSize))
            guard !batch.isEmpty else { return nil }
            position = 1
            return batch[0]
        }
    }

    /// A new iterator on a new cursor: the pipeline runs from the start, and nothing is read before `next()`.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(cursor: builder.cursor(fusion: fusion, batchSize: batchSize), batchSize: batchSize)
    }
}

extension PipelineBuilder {
    /// This pipeline's outputs as an `AsyncSequence` pulled on demand; see `PipelineOutputs`.
    ///
    /// - Parameter batchSize: outputs pulled per turn; 1 reads the source one element per output.
    public func outputs(fusion: FusionMode = .enabled, batchSize: Int = 256) -> PipelineOutputs<Source, Chain> {
        precondition(batchSize > 0, "batchSize must be positive")
        return PipelineOutputs(builder: self, fusion: fusion, batchSize: batchSize)
    }

    /// Runs this pipeline on `engine` and hands its outputs to `body` as an `AsyncSequence`, through a bridge of
    /// `capacity` elements.
    ///
    /// The pipeline runs concurrently with `body`, in a child task. Backpressure: while `body` does not iterate,
    /// the bridge fills up and the pipeline suspends. When `body` returns, a run that has not ended is cancelled
    /// (`body` stopped early), and `withOutputs` returns `body`'s result. If the run fails, iterating throws its
    /// error. Cancelling the calling task cancels both.
    public func withOutputs<Result: Sendable>(
        engine: ConcurrentEngine = ConcurrentEngine(), capacity: Int = 4_096,
        _ body: (BoundedChannel<Chain.Output>) async throws -> Result
    ) async throws -> Result {
        let bridge = Bridge<Chain.Output>(capacity: capacity, name: "outputs")
        let pipeline = self.sink("outputs", bridge.sink)
        return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
            group.addTask {
                do {
                    _ = try await engine.run(pipeline)
                } catch {
                    bridge.fail(error)
                }
            }
            let result: Result
            do {
                result = try await body(bridge.channel)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
            try await group.waitForAll()
            return result
        }
    }
}
