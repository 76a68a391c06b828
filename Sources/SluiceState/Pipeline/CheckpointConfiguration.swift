import Sluice

/// Where and when a checkpointed runner takes checkpoints: the catalog, the replay journal, the trigger
/// policy, the clock it is measured on, and metadata stored with every checkpoint.
public struct CheckpointConfiguration {
    /// The catalog checkpoints are committed to and recovered from.
    public var catalog: CheckpointCatalog
    /// The replay journal appended at every completed checkpoint, if any.
    public var journal: ReplayJournal?
    /// When checkpoints are taken.
    public var policy: CheckpointPolicy
    /// The clock for the interval policy and the duration figures.
    public var clock: any MonotonicClock
    /// Stored in every checkpoint (engine version, pipeline name).
    public var metadata: [String: String]
    /// Where an `EngineCheckpointSession` writes the stage's state, when set: incremental snapshots (only the key
    /// groups that changed since the previous checkpoint, when the stage's state is a `ChangeTrackingStateBackend`;
    /// every group otherwise), committed before the checkpoint file that names them. Nil (the default): the whole
    /// state goes into each checkpoint file. Recovery reads the state from wherever the checkpoint says it is.
    public var incrementalSnapshots: IncrementalSnapshotStore?

    /// Creates a configuration.
    public init(
        catalog: CheckpointCatalog, journal: ReplayJournal? = nil, policy: CheckpointPolicy,
        clock: any MonotonicClock = SystemMonotonicClock(), metadata: [String: String] = [:],
        incrementalSnapshots: IncrementalSnapshotStore? = nil
    ) {
        self.incrementalSnapshots = incrementalSnapshots
        self.catalog = catalog
        self.journal = journal
        self.policy = policy
        self.clock = clock
        self.metadata = metadata
    }
}
