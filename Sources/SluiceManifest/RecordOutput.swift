import SluiceConnectors

/// Where a manifest run's output lines go: a connector's byte sink, or a checkpointed file sink through a
/// `CheckpointCoordinator`. Used from the sink stage's thread or task only (the engines call a sink from one at
/// a time), hence `@unchecked Sendable`.
final class RecordOutput: @unchecked Sendable {
    private let plain: (any ByteSink)?
    private let coordinator: CheckpointCoordinator?

    init(plain: any ByteSink) {
        self.plain = plain
        coordinator = nil
    }

    init(checkpointed coordinator: CheckpointCoordinator) {
        plain = nil
        self.coordinator = coordinator
    }

    /// Whether records must be written one at a time (checkpointed sinks frame records themselves).
    var wantsRecords: Bool { coordinator != nil }

    /// Writes a batch of newline-terminated lines (plain) .
    func writeLines(_ bytes: UnsafeRawBufferPointer) throws { try plain?.write(bytes) }

    /// Writes one record without its newline (checkpointed).
    func writeRecord(_ bytes: UnsafeRawBufferPointer) throws { try coordinator?.write(bytes) }

    /// Counts a written batch; checkpoints when due.
    func didWrite(count: Int, lastEnd: Int) throws { try coordinator?.didWrite(count: count, lastEnd: lastEnd) }

    /// Flushes what is buffered.
    func flush() throws { try plain?.flush() }

    /// The last checkpoint taken.
    var checkpoint: ManifestCheckpoint? { coordinator?.last }

    /// Flushes and closes; takes the final checkpoint (`complete` when the input ended).
    func close(complete: Bool) throws {
        try plain?.close()
        try coordinator?.finish(complete: complete)
    }
}
