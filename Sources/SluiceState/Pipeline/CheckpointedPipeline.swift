import Sluice
import Metrics

/// Runs a linear pipeline, source → keyed-state stage → sink, with aligned checkpoint barriers, recovery
/// and replay: the barrier-aware driver that stands in until the engines carry barriers themselves.
///
/// Barriers are injected at the source by the `CheckpointPolicy` and flow like records: the source's
/// position is taken, the stage snapshots its state (copy-on-write, O(1) for in-memory state), the sink
/// closes the epoch. That is the whole pause; serialization, `fsync`s, the catalog commit and the sink's
/// publish run on a background writer (`snapshot_duration_ms`). A final checkpoint is taken at the end of
/// the input. Guarantees: state is exactly-once (restored with the source position it matches); output is
/// what the sink's `deliveryGuarantee` says.
///
/// Synchronous: `run()` blocks the calling thread until the input ends; with the `interval` policy at most
/// two checkpoints are in flight, with `everyRecords` the driver waits when two are (backpressure).
public final class CheckpointedPipeline<Stage: KeyedStateStage> {
    private let source: any ReplayableSource
    private let stage: Stage
    private let sink: any CheckpointedSink
    private let checkpoints: CheckpointConfiguration
    private let writer: SnapshotWriter
    private let maxInFlight = 2
    private var nextCheckpointID: UInt64 = 1
    private var lastCheckpointID: UInt64?
    private var lastCompletedID: UInt64?
    private var isRecovered = false
    private let pauseRecorder = Recorder(label: "checkpoint_pause_ms")
    private let stateSizeGauge: Gauge

    /// Wires the pipeline; nothing runs until `recover()` and `run()`.
    public init(
        source: any ReplayableSource, stage: Stage, sink: any CheckpointedSink, checkpoints: CheckpointConfiguration
    ) {
        self.source = source
        self.stage = stage
        self.sink = sink
        self.checkpoints = checkpoints
        writer = SnapshotWriter(catalog: checkpoints.catalog, journal: checkpoints.journal, clock: checkpoints.clock)
        stateSizeGauge = Gauge(label: "state_size_bytes", dimensions: [("stage", stage.name)])
    }

    /// Restores the newest good checkpoint (state and source position), aligns the sink's output with it,
    /// and returns what happened. Call once, before `run()`. O(checkpoint size).
    ///
    /// Throws `noUsableSnapshot` when checkpoints exist but none is usable, and the sink's or the
    /// catalog's errors; nothing is deleted or overwritten when it throws (except quarantining a damaged
    /// snapshot as `*.corrupt`).
    @discardableResult
    public func recover() throws -> (report: RecoveryReport, sinkNotes: [String]) {
        precondition(!isRecovered, "recover() runs once")
        let (restored, report, notes) = try CheckpointRecovery.restore(
            catalog: checkpoints.catalog, journal: checkpoints.journal, source: source, stage: stage, sink: sink)
        lastCheckpointID = restored
        lastCompletedID = restored
        nextCheckpointID = (restored ?? 0) + 1
        stateSizeGauge.record(stage.state.stateSizeBytes)
        isRecovered = true
        return (report, notes)
    }

    /// Processes the source to its end, taking checkpoints per the policy and a final one, and waits for
    /// them to be durable. Blocks the calling thread.
    ///
    /// - Parameters:
    ///   - progressEvery: call `onProgress` after every this many records (0: never).
    ///   - onProgress: runs on the calling thread; it may block (the crash tests use that to pace the worker).
    /// - Throws: the first error of the source, stage, sink or checkpoint writer. Output and checkpoints that
    ///   were durable before the error stay intact; a restart recovers from them.
    public func run(
        progressEvery: UInt64 = 0, onProgress: (PipelineProgress) throws -> Void = { _ in }
    ) throws -> PipelineRunReport {
        precondition(isRecovered, "call recover() before run()")
        do {
            return try runToEnd(progressEvery: progressEvery, onProgress: onProgress)
        } catch {
            // Never leave a writer running behind a failed run: a restart would race it for the catalog.
            writer.waitUntilIdle()
            throw error
        }
    }

    /// Blocks the caller until every checkpoint taken so far is durable (or has failed).
    public func waitUntilCheckpointsAreDurable() { writer.waitUntilIdle() }

    private func runToEnd(
        progressEvery: UInt64, onProgress: (PipelineProgress) throws -> Void
    ) throws -> PipelineRunReport {
        var report = PipelineRunReport()
        var sinceCheckpoint: UInt64 = 0
        var lastTrigger = checkpoints.clock.nowNanoseconds()
        while true {
            if shouldTrigger(recordsSinceCheckpoint: sinceCheckpoint, lastTrigger: &lastTrigger, processed: report.recordsProcessed) {
                try handle(.barrier(CheckpointBarrier(id: nextCheckpointID)), report: &report)
                sinceCheckpoint = 0
            }
            guard let record = try source.next() else { break }
            try handle(.record(record), report: &report)
            sinceCheckpoint += 1
            if progressEvery > 0 && report.recordsProcessed % progressEvery == 0 {
                collect(into: &report)
                try onProgress(
                    PipelineProgress(
                        recordsProcessed: report.recordsProcessed, position: source.position,
                        lastCompletedCheckpoint: lastCompletedID))
            }
        }
        if checkpoints.policy != .disabled && (sinceCheckpoint > 0 || lastCheckpointID == nil) {
            try handle(.barrier(CheckpointBarrier(id: nextCheckpointID)), report: &report)
        }
        writer.waitUntilIdle()
        collect(into: &report)
        if let failure = writer.failure { throw failure }
        try sink.finish()
        report.finalPosition = source.position
        return report
    }

    private func shouldTrigger(recordsSinceCheckpoint: UInt64, lastTrigger: inout UInt64, processed: UInt64) -> Bool {
        switch checkpoints.policy.trigger {
        case .never, .disabled:
            return false
        case .records(let count):
            guard recordsSinceCheckpoint >= count else { return false }
            while writer.inFlight >= maxInFlight && writer.failure == nil { writer.waitUntilIdle() }
            return true
        case .interval(let nanoseconds):
            guard processed & 63 == 0 else { return false }
            let now = checkpoints.clock.nowNanoseconds()
            guard now &- lastTrigger >= nanoseconds, writer.inFlight < maxInFlight else { return false }
            lastTrigger = now
            return true
        }
    }

    private func handle(_ element: StreamElement<SourceRecord>, report: inout PipelineRunReport) throws {
        switch element {
        case .record(let record):
            let sink = self.sink
            try stage.process(record) { try sink.write($0) }
            report.recordsProcessed += 1
        case .barrier(let barrier):
            if let failure = writer.failure { throw failure }
            let start = checkpoints.clock.nowNanoseconds()
            let position = source.position
            let captured = try stage.captureState()
            let sinkCommit = try sink.barrier(barrier.id)
            let capture = CheckpointCapture(
                id: barrier.id, parentID: lastCheckpointID, sources: [position],
                stages: [(name: captured.name, encode: captured.encode)], metadata: checkpoints.metadata)
            writer.submit(capture, sinkCommit: sinkCommit)
            lastCheckpointID = barrier.id
            nextCheckpointID = barrier.id + 1
            let pause = checkpoints.clock.nowNanoseconds() &- start
            report.pauseDurationsNanoseconds.append(pause)
            pauseRecorder.record(Double(pause) / 1e6)
            stateSizeGauge.record(captured.stateSizeBytes)
            collect(into: &report)
        }
    }

    private func collect(into report: inout PipelineRunReport) {
        for completion in writer.takeCompletions() {
            report.completedCheckpoints.append(completion.id)
            report.snapshotDurationsNanoseconds.append(completion.durationNanoseconds)
            report.snapshotCPUNanoseconds.append(completion.cpuNanoseconds)
            lastCompletedID = completion.id
        }
    }
}
