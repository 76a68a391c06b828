extension PipelineStatistics {
    /// Builds a run's statistics from the chain's per-stage counters, adding the source and sink entries and
    /// deriving each stage's `emitted` from what the next stage processed. O(stages).
    @usableFromInline
    static func assemble<Source, Chain, Sink>(
        pipeline: RunnablePipeline<Source, Chain, Sink>, engine: String, fusion: FusionMode,
        chainStages: [StageStatistics], sourceCount: Int, sinkCount: Int, deadLetters: DeadLetterSummary,
        activeWorkers: Int, elapsedNanoseconds: UInt64
    ) -> PipelineStatistics {
        var stages = [
            StageStatistics(
                name: pipeline.sourceName, kind: .source, isPure: false, index: 0, segment: -1, processed: 0,
                emitted: sourceCount, errors: 0)
        ]
        stages += chainStages.sorted { $0.index < $1.index }
        stages.append(
            StageStatistics(
                name: pipeline.sinkName, kind: .sink, isPure: false, index: stages.count, segment: -1,
                processed: sinkCount, emitted: 0, errors: 0))
        for position in 1..<(stages.count - 1) {
            stages[position].emitted = stages[position + 1].processed
        }
        return PipelineStatistics(
            pipelineName: pipeline.name, engine: engine, fusion: fusion, stages: stages, deadLetters: deadLetters,
            activeWorkers: activeWorkers, elapsedNanoseconds: elapsedNanoseconds)
    }
}
