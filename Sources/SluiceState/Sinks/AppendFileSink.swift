/// An at-least-once file sink: one NDJSON file, appended to.
///
/// At a barrier the buffered output reaches the kernel, and before the checkpoint commits the file is
/// `fsync`ed, so output up to a completed checkpoint is never lost. After a crash, the records replayed
/// since the restored checkpoint are appended again: duplicates are possible, losses are not. A torn last
/// line (the process died mid-write) is cut off at recovery; its record is replayed.
public final class AppendFileSink: CheckpointedSink {
    /// The output file.
    public let path: String
    private let fileSystem: any FileSystem
    private var writer: (any FileWriter)?
    private var buffer: RecordBuffer

    /// Creates a sink that appends to `path`; `bufferLimit` bytes are buffered between writes.
    public init(path: String, fileSystem: any FileSystem = PosixFileSystem(), bufferLimit: Int = 1 << 16) {
        self.path = path
        self.fileSystem = fileSystem
        buffer = RecordBuffer(limit: bufferLimit)
    }

    /// `.atLeastOnce`: records replayed after a crash are appended again.
    public var deliveryGuarantee: DeliveryGuarantee { .atLeastOnce }

    /// Cuts a torn last line (bytes after the last newline) from an existing file, then opens it for appending;
    /// the checkpoint IDs are not used. Returns a note when it cut something.
    public func recover(restoredCheckpointID: UInt64?, nextCheckpointID: UInt64) throws -> [String] {
        var notes: [String] = []
        if fileSystem.itemExists(at: path) {
            let size = try fileSystem.fileSize(at: path)
            // Scan back from the end for the last newline, one chunk at a time: O(last line), not O(file).
            var end = size
            var keep = 0
            while end > 0 {
                let start = max(0, end - 1 << 16)
                let chunk = try fileSystem.readFile(at: path, offset: start, count: end - start)
                if let newline = chunk.lastIndex(of: UInt8(ascii: "\n")) {
                    keep = start + newline + 1
                    break
                }
                end = start
            }
            if keep < size {
                try fileSystem.truncateFile(at: path, to: keep)
                notes.append("cut a torn last line of \(size - keep) bytes from \(path)")
            }
        }
        writer = try fileSystem.makeDurableWriter(at: path, truncate: false)
        return notes
    }

    /// Buffers the record and a newline; writes the buffer to the file once it reaches `bufferLimit` bytes.
    public func write(_ record: UnsafeRawBufferPointer) throws {
        if buffer.append(record) { try flush() }
    }

    private func flush() throws {
        try buffer.flush(to: writer)
    }

    /// Writes the buffer to the file and returns a commit whose `makeDurable` `fsync`s it; `commit` does nothing.
    public func barrier(_ checkpointID: UInt64) throws -> SinkEpochCommit {
        try flush()
        guard let writer else { preconditionFailure("barrier before recover(restoredCheckpointID:nextCheckpointID:)") }
        let handle = try writer.makeSyncHandle()
        return SinkEpochCommit(makeDurable: { try handle.sync() }, commit: {})
    }

    /// Writes the buffer to the file and closes it, without an `fsync`.
    public func finish() throws {
        try flush()
        try writer?.close()
        writer = nil
    }
}
