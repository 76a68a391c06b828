/// How a gate session measured: which base, which candidate, how many processes and looks. Part of the report.
public struct GateSessionSummary: Codable, Sendable, Hashable {
    /// The base revision: commit, what named it, and the rule that chose it (`BaseResolver.Rule`).
    public var base: BaseResolver.Resolution?
    /// The candidate: `work tree` (with the HEAD commit) or a revision.
    public var candidate: String
    /// True when the candidate had uncommitted changes; the report says so.
    public var isCandidateDirty: Bool
    /// The uncommitted files, when dirty (at most 20).
    public var dirtyFiles: [String]
    /// Fresh worker processes per side and benchmark at the first look, and the most any benchmark got.
    public var processesPerSide: Int
    /// `processesPerSide` times the looks taken: what a benchmark measured again at every look got.
    public var maxProcessesPerSide: Int
    /// Timing rounds inside each process (their median is the process's value).
    public var roundsPerProcess: Int
    /// Looks taken (1 = no re-measurement was needed) and the cap.
    public var looksTaken: Int
    /// The most looks the session could take.
    public var maxLooks: Int
    /// Benchmarks re-measured at each later look, e.g. `["look 2: micro/materialize/twitter"]`.
    public var remeasured: [String]
    /// Seeds the alternating order (A B or B A per process pair); printed so a run can be replayed.
    public var seed: UInt64
    /// The stored baseline the deterministic lanes were also checked against, or why none was.
    public var storedBaseline: String?
    /// Seconds the measurement took (builds excluded).
    public var seconds: Double

    /// Creates a summary; every argument is stored as given.
    public init(
        base: BaseResolver.Resolution?, candidate: String, isCandidateDirty: Bool, dirtyFiles: [String],
        processesPerSide: Int, maxProcessesPerSide: Int, roundsPerProcess: Int, looksTaken: Int, maxLooks: Int,
        remeasured: [String], seed: UInt64, storedBaseline: String?, seconds: Double
    ) {
        self.base = base
        self.candidate = candidate
        self.isCandidateDirty = isCandidateDirty
        self.dirtyFiles = dirtyFiles
        self.processesPerSide = processesPerSide
        self.maxProcessesPerSide = maxProcessesPerSide
        self.roundsPerProcess = roundsPerProcess
        self.looksTaken = looksTaken
        self.maxLooks = maxLooks
        self.remeasured = remeasured
        self.seed = seed
        self.storedBaseline = storedBaseline
        self.seconds = seconds
    }
}
