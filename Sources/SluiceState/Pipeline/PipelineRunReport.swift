/// What a `CheckpointedPipeline.run()` did.
public struct PipelineRunReport: Sendable {
    /// Records read from the source in this run (replayed ones included).
    public var recordsProcessed: UInt64 = 0
    /// Checkpoints completed in this run, in order.
    public var completedCheckpoints: [UInt64] = []
    /// Each completed checkpoint's background persistence time (`snapshot_duration_ms`), in nanoseconds.
    public var snapshotDurationsNanoseconds: [UInt64] = []
    /// Each completed checkpoint's CPU time on the background writer thread, in nanoseconds.
    public var snapshotCPUNanoseconds: [UInt64] = []
    /// Each barrier's pause on the pipeline thread (capture state, positions and sink epoch), in nanoseconds.
    public var pauseDurationsNanoseconds: [UInt64] = []
    /// Where the source stood at the end.
    public var finalPosition: SourcePosition?
}

/// Progress reported while a pipeline runs.
public struct PipelineProgress: Sendable {
    /// Records processed so far in this run.
    public var recordsProcessed: UInt64
    /// The source position of the next record.
    public var position: SourcePosition
    /// The newest checkpoint completed so far (in this or an earlier run).
    public var lastCompletedCheckpoint: UInt64?
}
