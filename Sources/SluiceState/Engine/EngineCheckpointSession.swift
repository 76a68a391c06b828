import Sluice
import Synchronization

/// Checkpointing for a pipeline run by the engine's `SyncEngine`: source → keyed-state stage → sink, with
/// barriers travelling as `StreamElement.barrier` through the engine's own chain.
///
/// Build the engine pipeline from the three adapters, `makeSource()`, `makeOperator()` and `makeSink()`
/// (in that order in the chain), after `recover()`:
///
/// ```swift
/// let session = EngineCheckpointSession(
///     source: source, stage: stage, sink: sink,
///     checkpoints: CheckpointConfiguration(catalog: catalog, policy: .everyRecords(1000)))
/// try session.recover()
/// let pipeline = Pipeline.source(session.makeSource()).stage("aggregate", session.makeOperator()).sink(session.makeSink())
/// try SyncEngine().run(pipeline)
/// ```
///
/// The source adapter injects a barrier when the policy says so (and one at the end of the input); the
/// operator snapshots the stage's state when the barrier reaches it; the sink adapter closes the output
/// epoch; the `CheckpointCoordinatorStateMachine` assembles the parts and the background writer persists
/// them. A record the stage throws on is routed to the engine's dead-letter sink and counts as handled.
///
/// Confinement: the session and its adapters must run on one thread at a time, which `SyncEngine` does
/// (the engine requires `Sendable` adapters, hence `@unchecked Sendable` below); running them on the
/// concurrent engine is not supported yet.
// @unchecked Sendable: confined to the SyncEngine run thread (see above); the writer is itself Sendable.
public final class EngineCheckpointSession<Stage: KeyedStateStage>: @unchecked Sendable {
    let source: any ReplayableSource
    let stage: Stage
    let sink: any CheckpointedSink
    private let checkpoints: CheckpointConfiguration
    private let writer: SnapshotWriter
    private var coordinator: CheckpointCoordinatorStateMachine?
    private var recordsSinceBarrier: UInt64 = 0
    private var lastBarrierTime: UInt64 = 0
    private var barrierStart: [UInt64: UInt64] = [:]
    /// What the run did so far (checkpoints, their durations and pauses).
    public private(set) var report = PipelineRunReport()

    /// Wires the session; call `recover()` before building the engine pipeline.
    public init(
        source: any ReplayableSource, stage: Stage, sink: any CheckpointedSink, checkpoints: CheckpointConfiguration
    ) {
        self.source = source
        self.stage = stage
        self.sink = sink
        self.checkpoints = checkpoints
        writer = SnapshotWriter(catalog: checkpoints.catalog, journal: checkpoints.journal, clock: checkpoints.clock)
    }

    /// Restores the newest good checkpoint, exactly as `CheckpointedPipeline.recover()` does.
    @discardableResult
    public func recover() throws -> (report: RecoveryReport, sinkNotes: [String]) {
        precondition(coordinator == nil, "recover() runs once")
        let (restored, report, notes) = try CheckpointRecovery.restore(
            catalog: checkpoints.catalog, journal: checkpoints.journal, source: source, stage: stage, sink: sink)
        coordinator = CheckpointCoordinatorStateMachine(
            sourceNames: [source.name], stageNames: [stage.name], lastCheckpointID: restored, metadata: checkpoints.metadata)
        lastBarrierTime = checkpoints.clock.nowNanoseconds()
        return (report, notes)
    }

    /// The engine source: the replayable source's records, with barriers injected.
    public func makeSource() -> CheckpointedEngineSource<Stage> { CheckpointedEngineSource(session: self) }
    /// The engine stage operator: runs the keyed stage and snapshots its state at barriers.
    public func makeOperator() -> CheckpointedStageOperator<Stage> { CheckpointedStageOperator(session: self) }
    /// The engine sink: writes records to the checkpointed sink and closes an epoch at each barrier.
    public func makeSink() -> CheckpointedEngineSink<Stage> { CheckpointedEngineSink(session: self) }

    /// Blocks the caller until every checkpoint taken so far is durable (or has failed).
    public func waitUntilCheckpointsAreDurable() {
        writer.waitUntilIdle()
        collect()
    }

    private var machine: CheckpointCoordinatorStateMachine {
        get {
            guard let coordinator else { preconditionFailure("call recover() before running the pipeline") }
            return coordinator
        }
        set { coordinator = newValue }
    }

    /// Source side: whether a barrier is due before the next record.
    func barrierDue() throws -> CheckpointBarrier? {
        if let failure = writer.failure { throw failure }
        let due: Bool
        switch checkpoints.policy.trigger {
        case .never: due = false
        case .records(let count):
            due = recordsSinceBarrier >= count
            if due { while writer.inFlight >= 2 && writer.failure == nil { writer.waitUntilIdle() } }
        case .interval(let nanoseconds):
            let now = checkpoints.clock.nowNanoseconds()
            due = now &- lastBarrierTime >= nanoseconds && writer.inFlight < 2
        }
        return due ? emitBarrier() : nil
    }

    /// Source side: the final barrier at the end of the input, if records followed the last one.
    func finalBarrier() -> CheckpointBarrier? {
        recordsSinceBarrier > 0 || report.completedCheckpoints.isEmpty && machine.nextCheckpointID == 1
            ? emitBarrier() : nil
    }

    private func emitBarrier() -> CheckpointBarrier {
        let barrier = CheckpointBarrier(id: machine.nextCheckpointID + UInt64(machine.openCount))
        let now = checkpoints.clock.nowNanoseconds()
        barrierStart[barrier.id] = now
        lastBarrierTime = now
        recordsSinceBarrier = 0
        machine.sourceEmitted(barrier, position: source.position)
        return barrier
    }

    func recordRead() { recordsSinceBarrier += 1 }

    /// Stage side.
    func stageReached(_ barrier: CheckpointBarrier) throws {
        machine.stageSnapshotted(barrier, capture: try stage.captureState())
    }

    /// Sink side.
    func sinkReached(_ barrier: CheckpointBarrier) throws {
        let commit = try sink.barrier(barrier.id)
        switch machine.sinkPrepared(barrier, commit: commit) {
        case .persist(let capture, let commit): writer.submit(capture, sinkCommit: commit)
        }
        // In the engine a barrier's pause is spread over the chain: time from injection to the sink's hand-off.
        if let start = barrierStart.removeValue(forKey: barrier.id) {
            report.pauseDurationsNanoseconds.append(checkpoints.clock.nowNanoseconds() &- start)
        }
        collect()
    }

    func sinkFinished() throws {
        writer.waitUntilIdle()
        collect()
        if let failure = writer.failure { throw failure }
        try sink.finish()
        report.finalPosition = source.position
    }

    private func collect() {
        for completion in writer.takeCompletions() {
            report.completedCheckpoints.append(completion.id)
            report.snapshotDurationsNanoseconds.append(completion.durationNanoseconds)
            report.snapshotCPUNanoseconds.append(completion.cpuNanoseconds)
        }
    }
}
