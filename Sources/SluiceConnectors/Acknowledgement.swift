/// A source whose input is finished only when the pipeline's output for it is durable: a message queue whose
/// entries stay pending until they are acknowledged (Redis Streams' `XACK`).
///
/// The runner of a pipeline tells it how far the durable output reaches, in the source's own byte offsets (the
/// offsets the decode stage gives each document): `acknowledge(through:)` after each durable sink batch, and
/// `acknowledge(through: .max)` once the run has drained. `pipelineDrained` lets the source acknowledge documents
/// that produced no output (dropped by a filter, sent to the dead-letter sink) while it is idle.
public protocol AcknowledgedSource: AnyObject, Sendable {
    /// Acknowledges every entry handed out whose bytes end at or before `end`. Blocks the calling thread until
    /// the server confirms.
    /// - Throws: the connector's error naming the server and stream.
    func acknowledge(through end: Int) throws

    /// Installs the check the source calls while idle: true when every document handed out so far has reached
    /// durable output, or was dropped or rejected. Set once, before the run starts.
    func setPipelineDrainedCheck(_ check: @escaping @Sendable (_ delivered: Int) -> Bool)

    /// Ends the source's background work (leases, renewals) and gives up what it holds. Called once, after the
    /// last acknowledgement; a source whose process dies instead is covered by lease expiry.
    func close()
}

/// A sink that writes records one at a time, with their key and the offset of the input they came from, and
/// makes them durable in `commit`, acknowledging the source in the same step when it can (Redis to Redis: one
/// `MULTI`/`EXEC`).
public protocol RecordSinkConnection: ByteSink {
    /// Buffers one record (without a newline). `key` is the record's key as JSON (nil: no `key` stage ran);
    /// `inputOffset` is the source byte offset of the document it came from.
    func write(record: UnsafeRawBufferPointer, key: [UInt8]?, inputOffset: Int) throws

    /// Makes every buffered record durable; when `source` is given, acknowledges it through `end` as well,
    /// atomically with the records when the sink and the source allow it. Blocks until the server confirms.
    /// - Returns: how many buffered records it wrote (records whose input was taken over by another node are
    ///   left to that node).
    @discardableResult
    func commit(acknowledging source: (any AcknowledgedSource)?, through end: Int) throws -> Int
}
