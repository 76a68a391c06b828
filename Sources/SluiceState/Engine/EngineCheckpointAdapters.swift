import Sluice

/// The engine source of an `EngineCheckpointSession`: records from the replayable source, with barriers.
///
/// Runs on the engine's source task (or the `SyncEngine`'s thread); owns the session's source there.
public struct CheckpointedEngineSource<Stage: KeyedStateStage>: PipelineSource {
    /// A source record, or a checkpoint barrier.
    public typealias Element = StreamElement<SourceRecord>
    let session: EngineCheckpointSession<Stage>
    let sourceIndex: Int
    private var isFinished = false
    private var recordsSinceBarrier: UInt64 = 0
    private var recordsRead: UInt64 = 0
    private var hasEmitted = false
    private var lastBarrierTime: UInt64
    private var nextBarrierID: UInt64

    init(session: EngineCheckpointSession<Stage>, sourceIndex: Int, lastBarrierTime: UInt64, nextBarrierID: UInt64) {
        self.session = session
        self.sourceIndex = sourceIndex
        self.lastBarrierTime = lastBarrierTime
        self.nextBarrierID = nextBarrierID
    }

    private var source: any ReplayableSource { session.sources[sourceIndex] }

    /// Appends up to `maxCount` records; a batch ends early after a barrier. Returns false at the end.
    /// With `everyRecords`, blocks while two checkpoints are being written (backpressure on the source).
    ///
    /// The writer's state (a lock) and, under `interval`, the clock are looked at before and after each batch, not
    /// per record: an interval barrier is at most one batch late. Under `everyRecords` the batch stops at the
    /// barrier's record count, so the barrier follows exactly that many records, as a per-record check would.
    public mutating func read(into buffer: inout [Element], maxCount: Int) throws -> Bool {
        guard !isFinished else { return false }
        if try barrierDue() {
            buffer.append(.barrier(emitBarrier()))
            return true
        }
        var limit = maxCount
        if case .records(let count) = session.checkpoints.policy.trigger {
            // `barrierDue()` said no, so fewer than `count` records have passed since the last barrier.
            limit = min(maxCount, Int(clamping: count - recordsSinceBarrier))
        }
        let source = source
        for _ in 0..<limit {
            guard let record = try source.next() else {
                let wantsFinal = session.checkpoints.policy != .disabled
                if wantsFinal && (recordsSinceBarrier > 0 || (!hasEmitted && session.hasNoCheckpoint)) { buffer.append(.barrier(emitBarrier())) }
                isFinished = true
                session.sourceFinished(sourceIndex, records: recordsRead)
                return false
            }
            recordsSinceBarrier += 1
            recordsRead += 1
            buffer.append(.record(record))
        }
        if try barrierDue() { buffer.append(.barrier(emitBarrier())) }
        return true
    }

    private mutating func barrierDue() throws -> Bool {
        let writer = session.writer
        if let failure = writer.failure { throw failure }
        switch session.checkpoints.policy.trigger {
        case .never, .disabled:
            return false
        case .records(let count):
            guard recordsSinceBarrier >= count else { return false }
            while writer.inFlight >= 2 && writer.failure == nil { writer.waitUntilIdle() }
            return true
        case .interval(let nanoseconds):
            return session.checkpoints.clock.nowNanoseconds() &- lastBarrierTime >= nanoseconds && writer.inFlight < 2
        }
    }

    private mutating func emitBarrier() -> CheckpointBarrier {
        recordsSinceBarrier = 0
        hasEmitted = true
        lastBarrierTime = session.checkpoints.clock.nowNanoseconds()
        defer { nextBarrierID += 1 }
        return session.emitBarrier(nextBarrierID, source: sourceIndex)
    }
}

/// The engine stage of an `EngineCheckpointSession`: runs the keyed stage, snapshots it at barriers.
/// Runs on the one task (or thread) of its segment; owns the session's stage there.
public struct CheckpointedStageOperator<Stage: KeyedStateStage>: StageOperator {
    /// Source records and checkpoint barriers.
    public typealias Input = StreamElement<SourceRecord>
    /// The stage's output records as bytes, and the barriers, passed on after the stage's state is captured.
    public typealias Output = StreamElement<[UInt8]>
    let session: EngineCheckpointSession<Stage>

    init(session: EngineCheckpointSession<Stage>) { self.session = session }

    /// Stateful: never fused, never pure.
    public var isPure: Bool { false }
    /// Always `.stateful`.
    public var kind: StageKind { .stateful }

    /// Runs a record through the keyed stage, emitting its outputs; at a barrier, captures the stage's state
    /// (incrementally when the session has a snapshot store), then forwards the barrier.
    public mutating func process(_ input: Input, emit: (Output) -> Void) throws {
        switch input {
        case .record(let record):
            try session.stage.process(record) { bytes in emit(.record(Array(bytes))) }
        case .barrier(let barrier):
            try session.stageReached(barrier)
            emit(.barrier(barrier))
        }
    }
}

/// The engine sink of an `EngineCheckpointSession`: writes records, closes an epoch at each barrier, and
/// on `finish()` waits (blocking its task) for the checkpoints to be durable. Owns the session's sink.
public struct CheckpointedEngineSink<Stage: KeyedStateStage>: PipelineSink {
    /// Output records as bytes, and checkpoint barriers.
    public typealias Input = StreamElement<[UInt8]>
    let session: EngineCheckpointSession<Stage>
    let progressEvery: UInt64
    let onProgress: @Sendable (UInt64, UInt64?) -> Void
    private var written: UInt64 = 0

    init(session: EngineCheckpointSession<Stage>, progressEvery: UInt64, onProgress: @escaping @Sendable (UInt64, UInt64?) -> Void) {
        self.session = session
        self.progressEvery = progressEvery
        self.onProgress = onProgress
    }

    /// Writes each record to the session's sink (reporting progress every `progressEvery` records); at a barrier,
    /// closes the sink's epoch and queues the checkpoint for the background writer without waiting for it.
    public mutating func consume(_ batch: [Input]) throws {
        for element in batch {
            switch element {
            case .record(let bytes):
                try bytes.withUnsafeBytes { try session.sink.write($0) }
                written += 1
                if progressEvery > 0 && written % progressEvery == 0 {
                    session.collect()
                    onProgress(written, session.lastCompleted)
                }
            case .barrier(let barrier): try session.sinkReached(barrier)
            }
        }
    }

    /// Flushes the sink and blocks until every checkpoint is durable.
    public mutating func finish() throws { try session.sinkFinished() }
}
