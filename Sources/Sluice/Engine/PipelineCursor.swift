/// A pipeline run pulled by its consumer, one demand at a time: the deterministic `SyncEngine` path, driven from
/// the output end.
///
/// `next(into:maxCount:)` hands out buffered outputs first and reads the source only for what is still missing,
/// at most `min(batchSize, maxCount - buffered)` elements per read. That is credit-based upstream demand (the
/// design document's section 4.6): a consumer asking for one element makes the source produce about one, so a
/// `Subscribers.Demand` or an `AsyncSequence` pull maps straight onto source reads, with no unbounded buffer (a
/// source may still read ahead on its own, within its bound: an `AsyncSequenceSource` up to its `capacity`).
///
/// ```swift
/// var cursor = Pipeline.source(1...1_000).map { $0 * 2 }.cursor()
/// var out: [Int] = []
/// while try cursor.next(into: &out, maxCount: 16) { consume(out); out.removeAll(keepingCapacity: true) }
/// consume(out)
/// ```
///
/// Stage errors are routed to the dead-letter policy, as under the engines. Start hooks run on the first pull and
/// stop hooks when the run ends, fails or is cancelled. A cursor is a value: copies run independently only if the
/// source and stages are values (shared things such as an `OutputCollector` stay shared).
public struct PipelineCursor<Source: PipelineSource, Chain: StageChain>: Sendable
where Chain.Input == Source.Element {
    /// Where the run stands.
    @usableFromInline enum Phase: Sendable {
        case fresh, running, sourceDrained, finished
    }

    @usableFromInline var source: Source
    @usableFromInline var chain: Chain
    @usableFromInline let router: DeadLetterRouter
    @usableFromInline let batchSize: Int
    @usableFromInline var phase = Phase.fresh
    @usableFromInline var input: [Source.Element] = []
    /// Outputs produced but not yet handed out: `pending[pendingStart...]`.
    @usableFromInline var pending: [Chain.Output] = []
    @usableFromInline var pendingStart = 0
    /// Elements read from the source so far.
    public var sourceCount: Int { readCount }
    /// Outputs handed to the consumer so far.
    public var deliveredCount: Int { handedCount }
    @usableFromInline var readCount = 0
    @usableFromInline var handedCount = 0

    @inlinable
    init(source: Source, chain: Chain, deadLetterPolicy: DeadLetterPolicy, fusion: FusionMode, batchSize: Int) {
        precondition(batchSize > 0, "batchSize must be positive")
        self.source = source
        var planned = chain
        var state = _ChainPlanState(fusion: fusion, firstIndex: 1)
        planned._plan(&state)
        self.chain = planned
        self.router = DeadLetterRouter(policy: deadLetterPolicy)
        self.batchSize = batchSize
    }

    /// Whether the run has ended: everything was handed out, or it failed or was cancelled.
    public var isFinished: Bool { phase == .finished }

    /// Outputs produced and waiting for demand.
    public var bufferedCount: Int { pending.count - pendingStart }

    /// Appends at most `maxCount` outputs to `buffer`, reading the source only for what is not buffered yet.
    ///
    /// Complexity: O(outputs appended + elements read × stages).
    /// - Returns: `false` once the run has ended: no output will follow (those appended by this call still count).
    /// - Throws: the source's error; the run has then ended (stop hooks ran).
    /// - Precondition: `maxCount > 0`; the source does not need to suspend (use `nextAsync` for a bridge end).
    @inlinable
    public mutating func next(into buffer: inout [Chain.Output], maxCount: Int) throws -> Bool {
        precondition(maxCount > 0, "maxCount must be positive")
        var wanted = maxCount
        while true {
            switch step(into: &buffer, wanted: &wanted) {
            case .done(let hasMore):
                return hasMore
            case .read(let count):
                let hasMore: Bool
                do {
                    hasMore = try source.read(into: &input, maxCount: count)
                } catch {
                    end()
                    throw error
                }
                absorb(hasMore: hasMore)
            }
        }
    }

    /// Like `next(into:maxCount:)`, but awaits the source, so that it may be a bridge end or an async source.
    ///
    /// Suspends only inside the source's `readAsync`. Cancellation is the source's to observe: a bridge source
    /// throws when its task is cancelled, which ends the run.
    @inlinable
    public mutating func nextAsync(into buffer: inout [Chain.Output], maxCount: Int) async throws -> Bool {
        precondition(maxCount > 0, "maxCount must be positive")
        var wanted = maxCount
        while true {
            switch step(into: &buffer, wanted: &wanted) {
            case .done(let hasMore):
                return hasMore
            case .read(let count):
                let hasMore: Bool
                do {
                    hasMore = try await source.readAsync(into: &input, maxCount: count)
                } catch {
                    end()
                    throw error
                }
                absorb(hasMore: hasMore)
            }
        }
    }

    /// What a pull does next: stop (and whether outputs may follow), or read `count` source elements.
    @usableFromInline enum PullStep {
        case done(Bool)
        case read(Int)
    }

    /// Hands out what is buffered, then decides whether the pull is over or the source must be read: the part of
    /// `next` and `nextAsync` that does not depend on how the source is read.
    @inlinable
    mutating func step(into buffer: inout [Chain.Output], wanted: inout Int) -> PullStep {
        take(into: &buffer, wanted: &wanted)
        if wanted == 0 { return .done(!(phase == .finished || (phase == .sourceDrained && bufferedCount == 0))) }
        switch phase {
        case .finished:
            return .done(false)
        case .sourceDrained:
            finish()
            return .done(false)
        case .fresh, .running:
            if phase == .fresh { begin() }
            return .read(min(batchSize, wanted))
        }
    }

    /// Ends the run early: buffered outputs are dropped and stop hooks run. Further pulls return `false`.
    @inlinable
    public mutating func cancel() {
        guard phase != .finished else { return }
        pending.removeAll()
        pendingStart = 0
        end()
    }

    // MARK: Steps

    @inlinable
    mutating func begin() {
        chain._start()
        phase = .running
    }

    @inlinable
    mutating func end() {
        if phase == .running || phase == .sourceDrained { chain._stop() }
        phase = .finished
    }

    /// Moves buffered outputs to `buffer`, at most `wanted`.
    @inlinable
    mutating func take(into buffer: inout [Chain.Output], wanted: inout Int) {
        let available = pending.count - pendingStart
        guard available > 0, wanted > 0 else { return }
        let count = min(available, wanted)
        buffer.append(contentsOf: pending[pendingStart..<(pendingStart + count)])
        pendingStart += count
        wanted -= count
        handedCount += count
        if pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
        }
    }

    /// Runs what the source just produced through the chain; finishes the chain when the source is exhausted.
    @inlinable
    mutating func absorb(hasMore: Bool) {
        if !input.isEmpty {
            readCount += input.count
            chain._processBatch(input, router, into: &pending)
            input.removeAll(keepingCapacity: true)
        }
        if !hasMore {
            chain._finish(router) { pending.append($0) }
            phase = .sourceDrained
        }
    }

    /// Ends a run whose source is drained and whose outputs are all handed out.
    @inlinable
    mutating func finish() {
        end()
        router.deliverSummary()
    }
}

extension PipelineBuilder {
    /// A run of this pipeline pulled from its output end; see `PipelineCursor`.
    ///
    /// - Parameters:
    ///   - fusion: whether adjacent pure stages fuse, as for `SyncEngine`.
    ///   - batchSize: the most elements read from the source at once.
    @inlinable
    public func cursor(fusion: FusionMode = .enabled, batchSize: Int = 256) -> PipelineCursor<Source, Chain> {
        PipelineCursor(
            source: source, chain: chain, deadLetterPolicy: deadLetterPolicy, fusion: fusion, batchSize: batchSize)
    }
}
