import Sluice
import Synchronization

/// Checkpointing for a pipeline run by either engine, `SyncEngine` or `ConcurrentEngine`: source → keyed-state
/// stage → sink, with barriers travelling as `StreamElement.barrier` through the engine's own chain (and, on the
/// concurrent engine, through its bounded channels, which keep them in order with the records).
///
/// Several sources: make the session with `init(sources:stage:sink:checkpoints:)` and build a `PipelineGraph`
/// whose sources are `makeSources()`, merged (`addMerge`) before the stage. Each source injects the same barriers
/// (by its own count of records under `everyRecords`); the merge aligns them (`BarrierAligner`), so the stage
/// snapshots once per checkpoint, with every record before the barrier on every input and none after. A source
/// that reaches its end is recorded at its final position in every later checkpoint.
///
/// Parallel keyed stages: `makeKeyedCheckpoints(stage:keyGroups:as:)` makes one a participant too (its state per key
/// group in every checkpoint, restored on any worker count).
///
/// Build the engine pipeline from the three adapters, `makeSource()`, `makeOperator()` and `makeSink()`
/// (in that order in the chain), after `recover()`. With `CheckpointConfiguration.incrementalSnapshots` set, the
/// stage's state is written as incremental snapshots (only the key groups that changed) instead of into each
/// checkpoint file:
///
/// ```swift
/// let session = EngineCheckpointSession(
///     source: source, stage: stage, sink: sink,
///     checkpoints: CheckpointConfiguration(catalog: catalog, policy: .everyRecords(1000)))
/// try session.recover()
/// let pipeline = Pipeline.source(session.makeSource()).stage("aggregate", session.makeOperator()).sink(session.makeSink())
/// try SyncEngine().run(pipeline)                 // or: try await ConcurrentEngine().run(pipeline)
/// ```
///
/// The source adapter injects a barrier when the policy says so (and one at the end of the input); the
/// operator snapshots the stage's state when the barrier reaches it; the sink adapter closes the output
/// epoch; the `CheckpointCoordinatorStateMachine` assembles the parts and the background writer persists
/// them. A record the stage throws on is routed to the engine's dead-letter sink and counts as handled.
///
/// Threading: each adapter may be made once (a precondition enforces it), so each source, the stage and the sink
/// are each touched by the one engine task (or thread) that runs their adapter; the coordinator, the report and
/// the barrier timings they share are behind a `Mutex`. That makes the session safe on both engines.
/// Backpressure: with `everyRecords` the source waits (blocking its task) while two checkpoints are being
/// written; with `interval` a due barrier is postponed instead. `waitUntilCheckpointsAreDurable` and the sink's
/// `finish` block their caller until the writer is idle.
// @unchecked Sendable: each of `sources`, `stage` and `sink` is confined to the task running their adapter (each
// adapter is made once, enforced); everything shared between the adapters is in `shared` (a Mutex); `writer` is
// Sendable.
public final class EngineCheckpointSession<Stage: KeyedStateStage>: @unchecked Sendable {
    struct Shared {
        var coordinator: CheckpointCoordinatorStateMachine?
        var barrierStart: [UInt64: UInt64] = [:]
        var report = PipelineRunReport()
        var made: Set<String> = []
        var startTime: UInt64 = 0
        /// The restored checkpoint's stage states, for stages that join later (`makeKeyedCheckpoints`).
        var restoredStages: [String: [UInt8]] = [:]
    }

    let sources: [any ReplayableSource]
    let stage: Stage
    let sink: any CheckpointedSink
    let checkpoints: CheckpointConfiguration
    let writer: SnapshotWriter
    private let shared = Mutex(Shared())

    /// Wires the session; call `recover()` before building the engine pipeline.
    public convenience init(
        source: any ReplayableSource, stage: Stage, sink: any CheckpointedSink, checkpoints: CheckpointConfiguration
    ) {
        self.init(sources: [source], stage: stage, sink: sink, checkpoints: checkpoints)
    }

    /// Wires a session over several sources (merged before the stage in a `PipelineGraph`); call `recover()`
    /// before building the graph.
    /// - Precondition: at least one source, and the sources' names are distinct.
    public init(
        sources: [any ReplayableSource], stage: Stage, sink: any CheckpointedSink, checkpoints: CheckpointConfiguration
    ) {
        precondition(!sources.isEmpty, "a session has at least one source")
        precondition(Set(sources.map(\.name)).count == sources.count, "source names must be distinct")
        self.sources = sources
        self.stage = stage
        self.sink = sink
        self.checkpoints = checkpoints
        writer = SnapshotWriter(catalog: checkpoints.catalog, journal: checkpoints.journal, clock: checkpoints.clock)
    }

    /// What the run did so far (checkpoints, their durations and pauses).
    public var report: PipelineRunReport { shared.withLock { $0.report } }

    /// Restores the newest good checkpoint, exactly as `CheckpointedPipeline.recover()` does.
    @discardableResult
    public func recover() throws -> (report: RecoveryReport, sinkNotes: [String]) {
        precondition(shared.withLock { $0.coordinator == nil }, "recover() runs once")
        let (restored, report, notes, stages) = try CheckpointRecovery.restore(
            catalog: checkpoints.catalog, journal: checkpoints.journal, sources: sources, stage: stage, sink: sink,
            incremental: checkpoints.incrementalSnapshots)
        let machine = CheckpointCoordinatorStateMachine(
            sourceNames: Set(sources.map(\.name)), stageNames: [stage.name], lastCheckpointID: restored, metadata: checkpoints.metadata)
        let now = checkpoints.clock.nowNanoseconds()
        shared.withLock {
            $0.coordinator = machine
            $0.startTime = now
            $0.restoredStages = stages
        }
        return (report, notes)
    }

    /// The engine source: the replayable source's records, with barriers injected. Made once per session.
    /// - Precondition: the session has one source (with several, use `makeSources()`).
    public func makeSource() -> CheckpointedEngineSource<Stage> {
        precondition(sources.count == 1, "the session has \(sources.count) sources: use makeSources()")
        return makeSources()[0]
    }

    /// One engine source per replayable source, in the order given, each injecting the same barriers. Made once
    /// per session; connect them to one merge (`PipelineGraph.addMerge`) before the stage.
    public func makeSources() -> [CheckpointedEngineSource<Stage>] {
        claim("makeSource")
        let (start, next) = withMachine { machine, state in (state.startTime, machine.nextCheckpointID) }
        return sources.indices.map {
            CheckpointedEngineSource(session: self, sourceIndex: $0, lastBarrierTime: start, nextBarrierID: next)
        }
    }

    /// The engine stage operator: runs the keyed stage and snapshots its state at barriers. Made once per session.
    public func makeOperator() -> CheckpointedStageOperator<Stage> {
        claim("makeOperator")
        return CheckpointedStageOperator(session: self)
    }

    /// The engine sink: writes records to the checkpointed sink and closes an epoch at each barrier. Made once per
    /// session. `onProgress(recordsWritten, lastCompletedCheckpoint)` runs on the sink's task after every
    /// `progressEvery` records (0: never); it may block, which pauses the sink and, through backpressure, the run.
    public func makeSink(
        progressEvery: UInt64 = 0, onProgress: @escaping @Sendable (UInt64, UInt64?) -> Void = { _, _ in }
    ) -> CheckpointedEngineSink<Stage> {
        claim("makeSink")
        return CheckpointedEngineSink(session: self, progressEvery: progressEvery, onProgress: onProgress)
    }

    /// Makes a parallel keyed stage (`PipelineBuilder.parallel(_:_:_:checkpoints:)`, placed between the source and
    /// the session's stage) a participant of the session's checkpoints: every checkpoint then also holds its state
    /// per key group (`KeyGroupSnapshotCoding`, encoded on the checkpoint writer), and the returned configuration
    /// restores the groups of the checkpoint `recover()` restored, on whatever number of workers this run has.
    /// Call after `recover()` and before the run, once per keyed stage.
    /// - Precondition: `name` is unique among the session's stages.
    /// - Throws: `corruptSnapshot` when the restored checkpoint's state for `name` does not decode (another
    ///   key-group count, damaged bytes).
    public func makeKeyedCheckpoints<Key: StateCodable & Hashable & StableHashable, State: StateCodable>(
        stage name: String, keyGroups: KeyGroups, as types: (Key.Type, State.Type)
    ) throws -> KeyedStateCheckpoints<Key, State> {
        precondition(name != stage.name, "the keyed stage needs a name of its own")
        claim("keyed " + name)
        let restored = withMachine { machine, state in
            machine.addStage(name)
            return state.restoredStages[name]
        }
        let restoring = try restored.map {
            try KeyGroupSnapshotCoding.decode($0, keyGroups: keyGroups, as: types, path: checkpoints.catalog.directory)
        }
        return KeyedStateCheckpoints(restoring: restoring ?? [:]) { [self] barrier, groups in
            // The size is known only once the writer encodes it.
            let capture = StageStateCapture(
                name: name, encode: { writer in writer.writeRaw(KeyGroupSnapshotCoding.encode(groups, keyGroups: keyGroups)) },
                stateSizeBytes: 0)
            withMachine { machine, _ in machine.stageSnapshotted(barrier, capture: capture) }
        }
    }

    private func claim(_ adapter: String) {
        let isNew = shared.withLock { $0.made.insert(adapter).inserted }
        precondition(isNew, "\(adapter)() runs once per session: its adapter owns a part of the pipeline")
    }

    /// Blocks the caller until every checkpoint taken so far is durable (or has failed).
    public func waitUntilCheckpointsAreDurable() {
        writer.waitUntilIdle()
        collect()
    }

    /// Runs `body` on the coordinator, under the lock.
    private func withMachine<T>(_ body: (inout CheckpointCoordinatorStateMachine, inout Shared) -> T) -> T {
        shared.withLock { state in
            guard var machine = state.coordinator else { preconditionFailure("call recover() before running the pipeline") }
            defer { state.coordinator = machine }
            return body(&machine, &state)
        }
    }

    /// Source side: source `index` emits barrier `id` with its current position.
    func emitBarrier(_ id: UInt64, source index: Int) -> CheckpointBarrier {
        let now = checkpoints.clock.nowNanoseconds()
        let position = sources[index].position
        let barrier = CheckpointBarrier(id: id)
        withMachine { machine, state in
            if state.barrierStart[barrier.id] == nil { state.barrierStart[barrier.id] = now }
            machine.sourceEmitted(barrier, position: position)
        }
        return barrier
    }

    /// Source side, before this run emitted any barrier: whether the catalog holds no checkpoint (then the end of
    /// an empty input still takes one).
    var hasNoCheckpoint: Bool {
        withMachine { machine, state in state.report.completedCheckpoints.isEmpty && machine.nextCheckpointID == 1 }
    }

    /// Stage side.
    func stageReached(_ barrier: CheckpointBarrier) throws {
        let capture: StageStateCapture
        if let store = checkpoints.incrementalSnapshots {
            // `captureState` first: a stage may write what it keeps elsewhere into `state` there (windows do).
            let full = try stage.captureState()
            let snapshot = try stage.state.makeSnapshot()
            let changes = try (stage.state as? ChangeTrackingStateBackend<Stage.Value>)?.takeChanges()
            var incremental = StageStateCapture(name: stage.name, encode: { _ in }, stateSizeBytes: full.stateSizeBytes)
            incremental.writeIncremental = { id in
                try store.write(id: id, snapshot: snapshot, changes: changes).bytesWritten
            }
            capture = incremental
        } else {
            capture = try stage.captureState()
        }
        withMachine { machine, _ in machine.stageSnapshotted(barrier, capture: capture) }
    }

    /// Sink side.
    func sinkReached(_ barrier: CheckpointBarrier) throws {
        let commit = try sink.barrier(barrier.id)
        let now = checkpoints.clock.nowNanoseconds()
        let action = withMachine { machine, state in
            // In the engine a barrier's pause is spread over the chain: time from injection to the sink's hand-off.
            if let start = state.barrierStart.removeValue(forKey: barrier.id) {
                state.report.pauseDurationsNanoseconds.append(now &- start)
            }
            return machine.sinkPrepared(barrier, commit: commit)
        }
        switch action {
        case .persist(let capture, let commit): writer.submit(capture, sinkCommit: commit)
        }
        collect()
    }

    /// Source side: source `index`'s input ended after `records` records in this run.
    func sourceFinished(_ index: Int, records: UInt64) {
        let position = sources[index].position
        withMachine { machine, state in
            state.report.recordsProcessed += records
            machine.sourceFinished(at: position)
        }
    }

    func sinkFinished() throws {
        writer.waitUntilIdle()
        collect()
        if let failure = writer.failure { throw failure }
        try sink.finish()
        // The sources finished before their last batches reached the sink (the channels order the two), so reading
        // their positions here does not race with them.
        let position = sources[0].position
        shared.withLock { $0.report.finalPosition = position }
    }

    /// The newest checkpoint completed so far.
    var lastCompleted: UInt64? { shared.withLock { $0.report.completedCheckpoints.last } }

    /// Moves the writer's finished checkpoints into the report (never blocks).
    func collect() {
        let completions = writer.takeCompletions()
        guard !completions.isEmpty else { return }
        shared.withLock { state in
            for completion in completions {
                state.report.completedCheckpoints.append(completion.id)
                state.report.snapshotDurationsNanoseconds.append(completion.durationNanoseconds)
                state.report.snapshotCPUNanoseconds.append(completion.cpuNanoseconds)
            }
        }
    }
}
