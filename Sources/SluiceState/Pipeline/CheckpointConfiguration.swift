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

    /// Creates a configuration.
    public init(
        catalog: CheckpointCatalog, journal: ReplayJournal? = nil, policy: CheckpointPolicy,
        clock: any MonotonicClock = SystemMonotonicClock(), metadata: [String: String] = [:]
    ) {
        self.catalog = catalog
        self.journal = journal
        self.policy = policy
        self.clock = clock
        self.metadata = metadata
    }
}
