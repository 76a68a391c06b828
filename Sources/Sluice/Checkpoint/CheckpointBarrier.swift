/// A checkpoint marker that flows through a pipeline between records.
///
/// The source emits a barrier right after the last record that belongs to checkpoint `id`; each stage, on
/// seeing it, captures its state (a copy-on-write snapshot, O(1)) and forwards it; the sink, on seeing it,
/// closes the output epoch `id`. Everything before the barrier is in the checkpoint, nothing after it is.
/// A stage with several inputs aligns them first (`BarrierAligner`).
public struct CheckpointBarrier: Hashable, Sendable {
    /// The checkpoint this barrier starts; ids increase by one within a run and never repeat in a catalog.
    public var id: UInt64

    /// Creates a barrier for checkpoint `id`.
    public init(id: UInt64) { self.id = id }
}

/// What travels on a barrier-aware edge: a record, or a barrier between records.
public enum StreamElement<Record> {
    /// A data record.
    case record(Record)
    /// A checkpoint barrier.
    case barrier(CheckpointBarrier)
}

extension StreamElement: Sendable where Record: Sendable {}

/// An element type that can carry a checkpoint barrier between records: what the graph runners look for so that
/// a merge aligns barriers and a partition broadcasts them (`StreamElement` is the one conformance). Not API.
public protocol _CheckpointBarrierCarrying {
    /// The barrier this element is, or nil for a record.
    var _checkpointBarrier: CheckpointBarrier? { get }
    /// The element that is `barrier`.
    static func _barrierElement(_ barrier: CheckpointBarrier) -> Self
}

extension StreamElement: _CheckpointBarrierCarrying {
    /// The barrier of a `.barrier` element; nil for a `.record`.
    @inlinable
    public var _checkpointBarrier: CheckpointBarrier? {
        if case .barrier(let barrier) = self { return barrier }
        return nil
    }

    /// Wraps `barrier` as `.barrier(barrier)`.
    @inlinable
    public static func _barrierElement(_ barrier: CheckpointBarrier) -> StreamElement { .barrier(barrier) }
}
