/// The recovery steps every checkpointed runner shares.
enum CheckpointRecovery {
    /// Restores the newest good checkpoint into `stage` and `source`, trims the journal past it, and aligns
    /// the sink's output with it. Returns the restored id (nil: fresh start), the report and the sink's notes.
    static func restore<Stage: KeyedStateStage>(
        catalog: CheckpointCatalog, journal: ReplayJournal?, source: any ReplayableSource, stage: Stage,
        sink: any CheckpointedSink
    ) throws -> (restored: UInt64?, report: RecoveryReport, sinkNotes: [String]) {
        let restored = try restore(catalog: catalog, journal: journal, sources: [source], stage: stage, sink: sink)
        return (restored.restored, restored.report, restored.sinkNotes)
    }

    /// As above, for several sources, each restored to its own position. With `incremental`, a stage whose state
    /// a checkpoint keeps there is restored from the store's snapshot of the same id; a checkpoint whose snapshot
    /// is damaged is skipped like a damaged checkpoint file, and the previous complete one is restored.
    static func restore<Stage: KeyedStateStage>(
        catalog: CheckpointCatalog, journal: ReplayJournal?, sources: [any ReplayableSource], stage: Stage,
        sink: any CheckpointedSink, incremental: IncrementalSnapshotStore? = nil
    ) throws -> (restored: UInt64?, report: RecoveryReport, sinkNotes: [String], stages: [String: [UInt8]]) {
        var incrementalEntries: [(key: String, value: Stage.Value)]?
        let (image, report) = try catalog.recover { image in
            incrementalEntries = nil
            guard image.keepsIncrementalState(ofStage: stage.name) else { return }
            guard let incremental else {
                throw StateError(
                    code: .corruptSnapshot,
                    message: "checkpoint \(image.id) keeps stage \(stage.name)'s state in an incremental snapshot store, and none is configured",
                    path: catalog.directory)
            }
            incrementalEntries = try incremental.recover(id: image.id, as: Stage.Value.self)
        }
        // The next incremental snapshot is a delta on the restored state only when that state came from the store.
        if incrementalEntries == nil { incremental?.discardSnapshotsAsBase() }
        try stage.state.removeAll()
        if let image {
            try stage.state.restore(try incrementalEntries ?? image.entries(forStage: stage.name, as: Stage.Value.self))
            for source in sources {
                guard let position = image.position(ofSource: source.name) else {
                    throw StateError(
                        code: .corruptSnapshot, message: "checkpoint \(image.id) has no position for source \(source.name)",
                        path: catalog.directory)
                }
                try source.seek(to: position)
            }
        }
        try journal?.truncate(after: image?.id ?? 0)
        let notes = try sink.recover(restoredCheckpointID: image?.id, nextCheckpointID: (image?.id ?? 0) + 1)
        return (image?.id, report, notes, image?.stages ?? [:])
    }
}
