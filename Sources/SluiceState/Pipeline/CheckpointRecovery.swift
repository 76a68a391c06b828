/// The recovery steps every checkpointed runner shares.
enum CheckpointRecovery {
    /// Restores the newest good checkpoint into `stage` and `source`, trims the journal past it, and aligns
    /// the sink's output with it. Returns the restored id (nil: fresh start), the report and the sink's notes.
    static func restore<Stage: KeyedStateStage>(
        catalog: CheckpointCatalog, journal: ReplayJournal?, source: any ReplayableSource, stage: Stage,
        sink: any CheckpointedSink
    ) throws -> (restored: UInt64?, report: RecoveryReport, sinkNotes: [String]) {
        let (image, report) = try catalog.recover()
        try stage.state.removeAll()
        if let image {
            try stage.state.restore(try image.entries(forStage: stage.name, as: Stage.Value.self))
            guard let position = image.position(ofSource: source.name) else {
                throw StateError(
                    code: .corruptSnapshot, message: "checkpoint \(image.id) has no position for source \(source.name)",
                    path: catalog.directory)
            }
            try source.seek(to: position)
        }
        try journal?.truncate(after: image?.id ?? 0)
        let notes = try sink.recover(restoredCheckpointID: image?.id, nextCheckpointID: (image?.id ?? 0) + 1)
        return (image?.id, report, notes)
    }
}
