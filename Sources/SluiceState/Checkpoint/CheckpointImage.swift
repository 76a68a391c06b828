/// A decoded checkpoint: source positions, each stage's state entries (still encoded), and metadata.
public struct CheckpointImage: Sendable {
    /// The checkpoint id.
    public var id: UInt64
    /// The checkpoint this one follows in the chain, or nil for the first.
    public var parentID: UInt64?
    /// Where each source resumes.
    public var sources: [SourcePosition]
    /// Each stage's state, as `StateSnapshot.encodeEntries(into:)` wrote it; decode with `entries(forStage:as:)`.
    public var stages: [String: [UInt8]]
    /// Free-form metadata (engine version, pipeline name).
    public var metadata: [String: String]

    /// Creates an image.
    public init(
        id: UInt64, parentID: UInt64?, sources: [SourcePosition], stages: [String: [UInt8]],
        metadata: [String: String] = [:]
    ) {
        self.id = id
        self.parentID = parentID
        self.sources = sources
        self.stages = stages
        self.metadata = metadata
    }

    /// The metadata key that marks `stage`'s state as kept in an incremental snapshot store (under this
    /// checkpoint's id) rather than in the checkpoint file.
    public static func incrementalStateKey(forStage stage: String) -> String { "incremental-state:" + stage }

    /// Whether `stage`'s state lives in an incremental snapshot store, in the snapshot with this checkpoint's id.
    public func keepsIncrementalState(ofStage stage: String) -> Bool {
        metadata[Self.incrementalStateKey(forStage: stage)] != nil
    }

    /// The position of the source named `name`, if the checkpoint holds one.
    public func position(ofSource name: String) -> SourcePosition? { sources.first { $0.source == name } }

    /// The decoded state entries of `stage` (empty when the checkpoint has no state for it). O(entries).
    public func entries<Value: StateCodable>(forStage stage: String, as type: Value.Type) throws -> [(
        key: String, value: Value
    )] {
        guard let blob = stages[stage] else { return [] }
        var reader = BinaryReader(blob, errorCode: .corruptSnapshot)
        let entries = try StateSnapshot<Value>.decodeEntries(from: &reader)
        if !reader.isAtEnd { throw reader.fail("stage \(stage) state has trailing bytes") }
        return entries
    }
}

/// What a barrier captured, still to be serialized: positions now, stage state as snapshots to encode later.
public struct CheckpointCapture: Sendable {
    /// The checkpoint id.
    public var id: UInt64
    /// The previous checkpoint in the chain.
    public var parentID: UInt64?
    /// Where each source resumes.
    public var sources: [SourcePosition]
    /// Each stage's name and a function that encodes its captured state entries (run off the hot path).
    public var stages: [(name: String, encode: @Sendable (inout BinaryWriter) throws -> Void)]
    /// Free-form metadata.
    public var metadata: [String: String]
    /// Stages whose state goes to an incremental snapshot store: each writes the snapshot with the checkpoint's
    /// id (durably, before the checkpoint file commits) and returns the bytes it wrote.
    public var incrementalStages: [(name: String, write: @Sendable (_ checkpointID: UInt64) throws -> Int)] = []

    /// Creates a capture.
    public init(
        id: UInt64, parentID: UInt64?, sources: [SourcePosition],
        stages: [(name: String, encode: @Sendable (inout BinaryWriter) throws -> Void)], metadata: [String: String] = [:]
    ) {
        self.id = id
        self.parentID = parentID
        self.sources = sources
        self.stages = stages
        self.metadata = metadata
    }

    /// A stage entry that encodes `snapshot`'s entries.
    public static func stage<Value>(_ name: String, _ snapshot: StateSnapshot<Value>) -> (
        name: String, encode: @Sendable (inout BinaryWriter) throws -> Void
    ) {
        (name: name, encode: { writer in try snapshot.encodeEntries(into: &writer) })
    }
}
