/// A stage that processes records with keyed state, the state a checkpoint captures.
///
/// `process` reads and writes `state` and calls `emit` for each output record; the driver forwards
/// them to the sink in order. Used from one thread.
public protocol KeyedStateStage: AnyObject {
    /// The state's value type.
    associatedtype Value: StateCodable
    /// The stage's name, unique within a pipeline; checkpoints store its state under it.
    var name: String { get }
    /// The stage's keyed state.
    var state: any StateBackend<Value> { get }
    /// Processes one record.
    func process(_ record: SourceRecord, emit: (UnsafeRawBufferPointer) throws -> Void) throws
    /// Captures the state at a barrier: a copy-on-write snapshot now, and a function that encodes it later on
    /// the checkpoint writer. The default implementation is right for every stage; it is a requirement so
    /// that the encoding is specialized for the stage's concrete value type (the conformance's witness is
    /// compiled where that type is known), which makes the background work several times cheaper.
    func captureState() throws -> StageStateCapture
}

/// A stage's state captured at a barrier.
public struct StageStateCapture: Sendable {
    /// The stage's name.
    public var name: String
    /// Encodes the captured entries (`StateSnapshot.encodeEntries(into:)`); runs on the checkpoint writer.
    public var encode: @Sendable (inout BinaryWriter) throws -> Void
    /// Live logical bytes captured (`state_size_bytes`).
    public var stateSizeBytes: Int
    /// Set when the state goes to an incremental snapshot store instead of the checkpoint file: writes the
    /// snapshot with the given checkpoint id on the checkpoint writer and returns the bytes written.
    public var writeIncremental: (@Sendable (_ checkpointID: UInt64) throws -> Int)?

    /// Creates a capture.
    public init(name: String, encode: @escaping @Sendable (inout BinaryWriter) throws -> Void, stateSizeBytes: Int) {
        self.name = name
        self.encode = encode
        self.stateSizeBytes = stateSizeBytes
    }
}

extension KeyedStateStage {
    /// Snapshots `state` (O(1) for in-memory state) and defers its encoding.
    @inlinable
    public func captureState() throws -> StageStateCapture {
        let snapshot = try state.makeSnapshot()
        return StageStateCapture(
            name: name, encode: { writer in try snapshot.encodeEntries(into: &writer) },
            stateSizeBytes: snapshot.stateSizeBytes)
    }
}

/// When the driver takes checkpoints.
public struct CheckpointPolicy: Sendable, Hashable {
    enum Trigger: Hashable, Sendable {
        case disabled
        case never
        case records(UInt64)
        case interval(UInt64)
    }

    let trigger: Trigger

    /// The interval of an `interval` policy, in nanoseconds; nil for the others.
    public var intervalNanoseconds: UInt64? {
        if case .interval(let nanoseconds) = trigger { return nanoseconds }
        return nil
    }

    /// No periodic checkpoints (the driver still takes one at the end of the input).
    public static let never = CheckpointPolicy(trigger: .never)

    /// No checkpoint at all, not even at the end of the input: the pipeline runs as if it were not checkpointed
    /// (output an exactly-once sink holds is never published). The baseline that checkpoint costs are measured
    /// against.
    public static let disabled = CheckpointPolicy(trigger: .disabled)

    /// A checkpoint after every `count` records: deterministic, for tests and crash injection.
    public static func everyRecords(_ count: UInt64) -> CheckpointPolicy {
        precondition(count > 0, "checkpoint interval must be positive")
        return CheckpointPolicy(trigger: .records(count))
    }

    /// A checkpoint every `nanoseconds` of the driver's clock (at most one in flight: when the writer is
    /// still busy with the previous one, the next one waits).
    public static func interval(nanoseconds: UInt64) -> CheckpointPolicy {
        precondition(nanoseconds > 0, "checkpoint interval must be positive")
        return CheckpointPolicy(trigger: .interval(nanoseconds))
    }
}
