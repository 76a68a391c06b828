/// Newline-terminated records buffered in memory and handed to a `FileWriter` in large writes: the buffering
/// shared by the file sinks.
struct RecordBuffer {
    private var bytes: [UInt8] = []
    /// Buffered bytes past which the owner should flush.
    let limit: Int

    init(limit: Int) {
        self.limit = limit
        bytes.reserveCapacity(limit + 256)
    }

    /// Appends `record` and a newline; returns true when the buffer has reached its limit and should be flushed.
    mutating func append(_ record: UnsafeRawBufferPointer) -> Bool {
        bytes.append(contentsOf: record)
        bytes.append(UInt8(ascii: "\n"))
        return bytes.count >= limit
    }

    /// Writes everything buffered to `writer` and empties the buffer (keeping its capacity).
    /// - Precondition: `writer` is open whenever something is buffered (the sink was recovered).
    mutating func flush(to writer: (any FileWriter)?) throws {
        guard !bytes.isEmpty else { return }
        guard let writer else { preconditionFailure("write before recover(restoredCheckpointID:nextCheckpointID:)") }
        try bytes.withUnsafeBytes { try writer.write($0) }
        bytes.removeAll(keepingCapacity: true)
    }
}
