/// A snapshot of one run: per-stage counts, fusion layout, channels and dead letters. The harness reads it directly.
public struct PipelineStatistics: Sendable, Hashable {
    /// The pipeline's name (the `pipeline` dimension of its metrics).
    public var pipelineName: String
    /// The engine that ran it: `sync` or `concurrent`.
    public var engine: String
    /// The fusion mode it ran with.
    public var fusion: FusionMode
    /// One entry per stage, source first and sink last, in pipeline order.
    public var stages: [StageStatistics]
    /// Channels between segments, source first (empty under the `SyncEngine`).
    public var channels: [ChannelStatistics] = []
    /// What the dead-letter router did.
    public var deadLetters: DeadLetterSummary
    /// Tasks the engine ran for the pipeline (1 under the `SyncEngine`): `active_workers`.
    public var activeWorkers: Int
    /// Wall time of the run in nanoseconds, read from the engine's clock.
    public var elapsedNanoseconds: UInt64

    /// Creates a snapshot.
    public init(
        pipelineName: String, engine: String, fusion: FusionMode, stages: [StageStatistics],
        deadLetters: DeadLetterSummary = DeadLetterSummary(),
        activeWorkers: Int = 1, elapsedNanoseconds: UInt64 = 0
    ) {
        self.pipelineName = pipelineName
        self.engine = engine
        self.fusion = fusion
        self.stages = stages
        self.deadLetters = deadLetters
        self.activeWorkers = activeWorkers
        self.elapsedNanoseconds = elapsedNanoseconds
    }

    /// Elements the source produced: `pipeline_docs_total` counts what the sink consumed, see `sinkCount`.
    public var sourceCount: Int { stages.first { $0.kind == .source }?.emitted ?? 0 }
    /// Elements the sink consumed.
    public var sinkCount: Int { stages.last { $0.kind == .sink }?.processed ?? 0 }

    /// The transform and stateful stages grouped by segment: stages in one group ran as one fused loop.
    public var segments: [[String]] {
        var groups: [Int: [String]] = [:]
        for stage in stages where stage.kind != .source && stage.kind != .sink {
            groups[stage.segment, default: []].append(stage.name)
        }
        return groups.keys.sorted().compactMap { groups[$0] }
    }

    /// Fused segments (two or more stages run as one loop): `fused_stage_count`.
    public var fusedStageCount: Int { segments.count { $0.count > 1 } }

    /// Average number of operators per fused segment: `fused_ops_per_stage_avg`; `nil` when nothing was fused.
    public var fusedOpsPerStageAverage: Double? {
        let fused = segments.filter { $0.count > 1 }
        guard !fused.isEmpty else { return nil }
        return Double(fused.reduce(0) { $0 + $1.count }) / Double(fused.count)
    }

    /// Tokens emitted by the token stages: `tokens_emitted_total`; `nil` when the pipeline has none.
    public var tokensEmittedTotal: Int? {
        let counts = stages.compactMap(\.tokensEmitted)
        return counts.isEmpty ? nil : counts.reduce(0, +)
    }

    /// Tokens per tokenized document: `tokens_per_doc_avg`; `nil` when no document was tokenized.
    public var tokensPerDocumentAverage: Double? {
        let documents = stages.compactMap(\.tokenizedDocuments).reduce(0, +)
        guard documents > 0, let tokens = tokensEmittedTotal else { return nil }
        return Double(tokens) / Double(documents)
    }

    /// The statistics of the stage named `name`. O(stages).
    public subscript(stage name: String) -> StageStatistics? { stages.first { $0.name == name } }
}

/// Counts for one stage in one run.
public struct StageStatistics: Sendable, Hashable {
    /// The stage's name.
    public var name: String
    /// What kind of stage it is.
    public var kind: StageKind
    /// Its lifecycle mode.
    public var lifecycle: StageLifecycle
    /// Whether it declared itself pure (fusable).
    public var isPure: Bool
    /// Its position among the pipeline's transform and stateful stages.
    public var index: Int
    /// The segment it ran in; stages sharing a segment were fused.
    public var segment: Int
    /// Elements it received.
    public var processed: Int
    /// Elements it emitted downstream.
    public var emitted: Int
    /// Elements it failed on (each routed to the dead-letter sink or suppressed): `stage_error_total`.
    public var errors: Int
    /// For token stages: tokens emitted (`tokens_emitted_total`); `nil` for other stages.
    public var tokensEmitted: Int?
    /// For token stages: documents tokenized; `nil` for other stages.
    public var tokenizedDocuments: Int?

    /// Creates an entry.
    public init(
        name: String, kind: StageKind, lifecycle: StageLifecycle = .onDemand, isPure: Bool, index: Int,
        segment: Int, processed: Int, emitted: Int, errors: Int, tokensEmitted: Int? = nil,
        tokenizedDocuments: Int? = nil
    ) {
        self.name = name
        self.kind = kind
        self.lifecycle = lifecycle
        self.isPure = isPure
        self.index = index
        self.segment = segment
        self.processed = processed
        self.emitted = emitted
        self.errors = errors
        self.tokensEmitted = tokensEmitted
        self.tokenizedDocuments = tokenizedDocuments
    }
}
