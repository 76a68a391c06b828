import Dispatch
import SluiceConnectors

/// Where a manifest run's output lines go: a connector's byte sink, or a checkpointed file sink through a
/// `CheckpointCoordinator`. Used from the sink stage's thread or task only (the engines call a sink from one at
/// a time), hence `@unchecked Sendable`.
///
/// With an acknowledged source (a Redis stream), every sink batch is made durable (flushed, and `fsync`ed for a
/// file) and then acknowledged through the end of its last record; a `RecordSinkConnection` (a Redis stream
/// sink) does both in its `commit`. `durable` counts the records whose output is durable, for the source's
/// drained check.
final class RecordOutput: @unchecked Sendable {
    private let plain: (any ByteSink)?
    private let records: (any RecordSinkConnection)?
    private let coordinator: CheckpointCoordinator?
    private let acknowledged: (any AcknowledgedSource)?
    /// Called before any acknowledgement: flushes the dead-letter sink.
    private let beforeAcknowledging: () throws -> Void
    /// Records whose output is durable (counted only with an acknowledged source).
    let durable = ByteCounter()
    /// Where the sink stage writes when writing waits on a server (a record sink or acknowledgements); nil: the
    /// sink writes on its own thread.
    let blockingQueue: DispatchQueue?

    init(plain: any ByteSink, acknowledged: (any AcknowledgedSource)? = nil, beforeAcknowledging: @escaping () throws -> Void = {}) {
        self.plain = plain
        records = plain as? any RecordSinkConnection
        coordinator = nil
        self.acknowledged = acknowledged
        self.beforeAcknowledging = beforeAcknowledging
        blockingQueue = records != nil || acknowledged != nil ? DispatchQueue(label: "sluice.sink") : nil
    }

    init(checkpointed coordinator: CheckpointCoordinator) {
        plain = nil
        records = nil
        self.coordinator = coordinator
        acknowledged = nil
        beforeAcknowledging = {}
        blockingQueue = nil
    }

    /// Whether records must be written one at a time (checkpointed sinks frame records themselves; record sinks
    /// take each record's key and input offset).
    var wantsRecords: Bool { coordinator != nil || records != nil }

    /// Whether `writeRecord` needs the record's key.
    var wantsKeys: Bool { records != nil }

    /// Writes a batch of newline-terminated lines (plain) .
    func writeLines(_ bytes: UnsafeRawBufferPointer) throws { try plain?.write(bytes) }

    /// Writes one record without its newline (checkpointed, or a record sink).
    func writeRecord(_ bytes: UnsafeRawBufferPointer, key: [UInt8]?, inputOffset: Int) throws {
        if let records {
            try records.write(record: bytes, key: key, inputOffset: inputOffset)
        } else {
            try coordinator?.write(bytes)
        }
    }

    /// Counts a written batch; checkpoints when due; with an acknowledged source, makes the batch durable and
    /// acknowledges its input.
    func didWrite(count: Int, lastEnd: Int) throws {
        try coordinator?.didWrite(count: count, lastEnd: lastEnd)
        guard acknowledged != nil || records != nil else { return }
        try commit(through: lastEnd)
        durable.add(count)
    }

    private func commit(through end: Int) throws {
        if acknowledged != nil { try beforeAcknowledging() }
        if let records {
            try records.commit(acknowledging: acknowledged, through: end)
            return
        }
        guard let plain, let acknowledged else { return }
        if let file = plain as? FileByteSink { try file.synchronize() } else { try plain.flush() }
        try acknowledged.acknowledge(through: end)
    }

    /// Flushes what is buffered.
    func flush() throws { try plain?.flush() }

    /// The last checkpoint taken.
    var checkpoint: ManifestCheckpoint? { coordinator?.last }

    /// Flushes and closes; takes the final checkpoint (`complete` when the input ended). With an acknowledged
    /// source and a run that handled everything it read (`drained`: ended or stopped cleanly, framing intact),
    /// acknowledges everything handed out first; then closes the source.
    func close(complete: Bool, drained: Bool) throws {
        defer { acknowledged?.close() }
        if drained && (acknowledged != nil || records != nil) { try commit(through: .max) }
        try plain?.close()
        try coordinator?.finish(complete: complete)
    }
}
