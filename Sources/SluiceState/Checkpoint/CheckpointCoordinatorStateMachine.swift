import Sluice

/// Collects the parts of each checkpoint as its barrier passes the participants: every source's position,
/// every stage's state snapshot, then the sink's epoch commit. A pure state machine: feed events, perform
/// the action it returns (`persist`), nothing else.
///
/// Barriers pass participants in pipeline order, so by the time the sink reports a barrier, every source
/// and stage before it has; a sink report that finds parts missing is a programmer error (a stage that
/// swallowed a barrier), caught by a precondition.
public struct CheckpointCoordinatorStateMachine: Sendable {
    /// What the owner must do.
    public enum Action: Sendable {
        /// Every part of the checkpoint is in: persist it, then run the sink's commit.
        case persist(CheckpointCapture, SinkEpochCommit)
    }

    struct Pending: Sendable {
        var sources: [SourcePosition] = []
        var stages: [(name: String, encode: @Sendable (inout BinaryWriter) throws -> Void)] = []
        var incremental: [(name: String, write: @Sendable (UInt64) throws -> Int)] = []
    }

    private let sourceNames: Set<String>
    private var stageNames: Set<String>
    private var pending: [UInt64: Pending] = [:]
    private var lastBarrierID: UInt64?
    private let metadata: [String: String]
    /// Sources that reached the end of their input, with their final position: they are in every later checkpoint.
    private var finishedSources: [String: SourcePosition] = [:]

    /// Expects a position from each source in `sourceNames` and a snapshot from each stage in `stageNames`.
    /// `lastCheckpointID` is the checkpoint recovery restored (the parent of the next one).
    public init(
        sourceNames: Set<String>, stageNames: Set<String>, lastCheckpointID: UInt64?, metadata: [String: String] = [:]
    ) {
        self.sourceNames = sourceNames
        self.stageNames = stageNames
        lastBarrierID = lastCheckpointID
        self.metadata = metadata
    }

    /// The id the next barrier must carry.
    public var nextCheckpointID: UInt64 { (lastBarrierID ?? 0) + 1 }

    /// Checkpoints whose barrier has started and not yet reached the sink.
    public var openCount: Int { pending.count }

    /// A source emitted `barrier` with its position just after the last record before it.
    public mutating func sourceEmitted(_ barrier: CheckpointBarrier, position: SourcePosition) {
        precondition(sourceNames.contains(position.source), "unknown source \(position.source)")
        if pending[barrier.id] == nil {
            precondition(barrier.id == nextCheckpointID + UInt64(pending.count), "barrier \(barrier.id) out of order")
        }
        pending[barrier.id, default: Pending()].sources.append(position)
    }

    /// Adds a stage whose snapshot every checkpoint needs (a parallel keyed stage, say).
    /// - Precondition: no barrier is open yet, and the name is new.
    public mutating func addStage(_ name: String) {
        precondition(pending.isEmpty, "stages join before the first barrier")
        precondition(stageNames.insert(name).inserted, "stage \(name) is already a participant")
    }

    /// A source reached the end of its input at `position` and emits no more barriers: every later checkpoint
    /// records it there (everything it read precedes those barriers at every stage, which align on its end).
    public mutating func sourceFinished(at position: SourcePosition) {
        precondition(sourceNames.contains(position.source), "unknown source \(position.source)")
        finishedSources[position.source] = position
    }

    /// A stage saw `barrier` on every input and captured its state.
    public mutating func stageSnapshotted(_ barrier: CheckpointBarrier, capture: StageStateCapture) {
        let stage = capture.name
        precondition(stageNames.contains(stage), "unknown stage \(stage)")
        precondition(pending[barrier.id] != nil, "stage \(stage) saw barrier \(barrier.id) before any source")
        if let write = capture.writeIncremental {
            pending[barrier.id]?.incremental.append((name: stage, write: write))
        } else {
            pending[barrier.id]?.stages.append((name: stage, encode: capture.encode))
        }
    }

    /// The sink closed epoch `barrier.id`: the checkpoint is complete and must be persisted.
    public mutating func sinkPrepared(_ barrier: CheckpointBarrier, commit: SinkEpochCommit) -> Action {
        guard var parts = pending.removeValue(forKey: barrier.id) else {
            preconditionFailure("the sink saw barrier \(barrier.id) that no source emitted")
        }
        for (name, position) in finishedSources where !parts.sources.contains(where: { $0.source == name }) {
            parts.sources.append(position)
        }
        precondition(Set(parts.sources.map(\.source)) == sourceNames, "barrier \(barrier.id) missed a source")
        precondition(
            Set(parts.stages.map(\.name) + parts.incremental.map(\.name)) == stageNames,
            "barrier \(barrier.id) missed a stage")
        var marked = metadata
        for stage in parts.incremental { marked[CheckpointImage.incrementalStateKey(forStage: stage.name)] = "1" }
        var capture = CheckpointCapture(
            id: barrier.id, parentID: lastBarrierID, sources: parts.sources, stages: parts.stages, metadata: marked)
        capture.incrementalStages = parts.incremental
        lastBarrierID = barrier.id
        return .persist(capture, commit)
    }
}
