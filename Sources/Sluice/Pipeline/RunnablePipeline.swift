/// A complete linear pipeline (source, stages, sink), ready for `SyncEngine.run` or `ConcurrentEngine.run`.
///
/// It is a description: each run works on its own copy of the source, stages and sink, so running it twice runs
/// it from the start twice (shared things such as an `OutputCollector` or a `StagePool` are shared by reference).
public struct RunnablePipeline<Source: PipelineSource, Chain: StageChain, Sink: PipelineSink>: Sendable
where Chain.Input == Source.Element, Sink.Input == Chain.Output {
    /// The pipeline's name.
    public let name: String
    @usableFromInline let sourceName: String
    @usableFromInline let source: Source
    @usableFromInline let chain: Chain
    @usableFromInline let sinkName: String
    @usableFromInline let sink: Sink
    /// Every stage name, source first, sink last.
    public let stageNames: [String]
    @usableFromInline let deadLetterPolicy: DeadLetterPolicy

    @inlinable
    init(
        name: String, sourceName: String, source: Source, chain: Chain, sinkName: String, sink: Sink,
        stageNames: [String], deadLetterPolicy: DeadLetterPolicy
    ) {
        self.name = name
        self.sourceName = sourceName
        self.source = source
        self.chain = chain
        self.sinkName = sinkName
        self.sink = sink
        self.stageNames = stageNames
        self.deadLetterPolicy = deadLetterPolicy
    }

    /// Checks what the compiler could not: that stage names are unique.
    /// - Throws: `PipelineError` with code `duplicateStageName`, naming the stage.
    public func validate() throws(PipelineError) {
        var seen = Set<String>()
        for name in stageNames where !seen.insert(name).inserted {
            throw PipelineError(.duplicateStageName, "two stages are named '\(name)'", stages: [name])
        }
    }

    /// The chain planned for `fusion`: stage indices, segments and cuts assigned. O(stages).
    @inlinable
    func plannedChain(fusion: FusionMode) -> Chain {
        var planned = chain
        var state = _ChainPlanState(fusion: fusion, firstIndex: 1)
        planned._plan(&state)
        return planned
    }
}
