/// A sink whose output is tied to checkpoints.
///
/// The pipeline driver calls, on one thread: `recover` once before any record, `write` per output record,
/// `barrier` when checkpoint barrier `id` reaches the sink (the output written since the previous barrier
/// forms epoch `id`), and `finish` at the end. `barrier` returns the work that completes the epoch off the
/// hot path: `makeDurable` runs before the checkpoint is committed, `commit` after.
public protocol CheckpointedSink: AnyObject {
    /// What the sink promises across crashes.
    var deliveryGuarantee: DeliveryGuarantee { get }
    /// Brings the output in line with the restored checkpoint (nil: none, a fresh start), and starts epoch
    /// `nextCheckpointID`. Returns what it did, for the recovery report.
    func recover(restoredCheckpointID: UInt64?, nextCheckpointID: UInt64) throws -> [String]
    /// Writes one output record (the sink adds the newline).
    func write(_ record: UnsafeRawBufferPointer) throws
    /// Closes epoch `checkpointID` (flushes buffered output to the kernel) and starts epoch `checkpointID + 1`.
    func barrier(_ checkpointID: UInt64) throws -> SinkEpochCommit
    /// Flushes what is buffered and closes files. Output after the last barrier is not committed.
    func finish() throws
}

/// The end of an epoch, run by the checkpoint writer thread.
public struct SinkEpochCommit: Sendable {
    /// Makes the epoch's output durable; runs before the checkpoint is added to the catalog.
    public var makeDurable: @Sendable () throws -> Void
    /// Publishes the epoch's output; runs after the checkpoint is durable in the catalog.
    public var commit: @Sendable () throws -> Void

    /// Creates the pair of steps.
    public init(makeDurable: @escaping @Sendable () throws -> Void, commit: @escaping @Sendable () throws -> Void) {
        self.makeDurable = makeDurable
        self.commit = commit
    }
}

/// What a sink promises across crashes and restarts.
public enum DeliveryGuarantee: String, Sendable, CaseIterable {
    /// Every record reaches the output at least once; after a crash, records since the restored checkpoint
    /// are written again (duplicates possible, losses not).
    case atLeastOnce = "at-least-once"
    /// Every record reaches the committed output exactly once, across any number of crashes.
    case exactlyOnce = "exactly-once"
}
