import Sluice

/// The engine source of an `EngineCheckpointSession`: records from the replayable source, with barriers.
public struct CheckpointedEngineSource<Stage: KeyedStateStage>: PipelineSource {
    public typealias Element = StreamElement<SourceRecord>
    let session: EngineCheckpointSession<Stage>
    private var isFinished = false

    init(session: EngineCheckpointSession<Stage>) { self.session = session }

    /// Appends up to `maxCount` records; a batch ends early after a barrier. Returns false at the end.
    public mutating func read(into buffer: inout [Element], maxCount: Int) throws -> Bool {
        guard !isFinished else { return false }
        for _ in 0..<maxCount {
            if let barrier = try session.barrierDue() {
                buffer.append(.barrier(barrier))
                return true
            }
            guard let record = try session.source.next() else {
                if let barrier = session.finalBarrier() { buffer.append(.barrier(barrier)) }
                isFinished = true
                return false
            }
            session.recordRead()
            buffer.append(.record(record))
        }
        return true
    }
}

/// The engine stage of an `EngineCheckpointSession`: runs the keyed stage, snapshots it at barriers.
public struct CheckpointedStageOperator<Stage: KeyedStateStage>: StageOperator {
    public typealias Input = StreamElement<SourceRecord>
    public typealias Output = StreamElement<[UInt8]>
    let session: EngineCheckpointSession<Stage>

    init(session: EngineCheckpointSession<Stage>) { self.session = session }

    /// Stateful: never fused, never pure.
    public var isPure: Bool { false }
    public var kind: StageKind { .stateful }

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
/// on `finish()` waits for the checkpoints to be durable.
public struct CheckpointedEngineSink<Stage: KeyedStateStage>: PipelineSink {
    public typealias Input = StreamElement<[UInt8]>
    let session: EngineCheckpointSession<Stage>

    init(session: EngineCheckpointSession<Stage>) { self.session = session }

    public mutating func consume(_ batch: [Input]) throws {
        for element in batch {
            switch element {
            case .record(let bytes): try bytes.withUnsafeBytes { try session.sink.write($0) }
            case .barrier(let barrier): try session.sinkReached(barrier)
            }
        }
    }

    public mutating func finish() throws { try session.sinkFinished() }
}
