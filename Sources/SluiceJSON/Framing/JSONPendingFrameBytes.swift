/// The bytes of a frame that began in an earlier chunk, kept until the frame completes.
///
/// Only the open frame's bytes are kept, never whole chunks. The storage keeps its capacity between
/// frames, so a steady stream of frames that span chunks allocates only when a frame is larger than
/// every frame before it.
struct JSONPendingFrameBytes: Sendable {
    private var storage: [UInt8] = []
    /// Absolute offset of `storage[0]`.
    private var start = 0

    /// Hands `frame`'s bytes to `body`: a slice of `chunk` when the frame lies in it, else the
    /// kept bytes completed from `chunk`. `chunkBase` is the chunk's absolute offset. O(frame length)
    /// when the frame spans chunks, O(1) otherwise.
    mutating func deliver<Result>(
        _ frame: JSONFrame, chunk: UnsafeRawBufferPointer, chunkBase: Int,
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        if frame.offset >= chunkBase {
            let lower = frame.offset - chunkBase
            return try body(UnsafeRawBufferPointer(rebasing: chunk[lower..<lower + frame.length]))
        }
        precondition(start == frame.offset && storage.count == chunkBase - start, "pending bytes out of step")
        append(UnsafeRawBufferPointer(rebasing: chunk[0..<frame.endOffset - chunkBase]))
        defer { storage.removeAll(keepingCapacity: true) }
        return try storage.withUnsafeBytes(body)
    }

    /// After a chunk: keeps the bytes of the frame still open at `openOffset` (if any). O(kept bytes).
    mutating func keep(openFrameAt openOffset: Int?, chunk: UnsafeRawBufferPointer, chunkBase: Int) {
        guard let openOffset else {
            storage.removeAll(keepingCapacity: true)
            return
        }
        if openOffset >= chunkBase {
            storage.removeAll(keepingCapacity: true)
            start = openOffset
            append(UnsafeRawBufferPointer(rebasing: chunk[(openOffset - chunkBase)...]))
        } else {
            append(chunk)
        }
    }

    /// Hands the kept bytes (a frame that ends exactly where the stream ends) to `body`.
    mutating func deliverKept<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        defer { storage.removeAll(keepingCapacity: true) }
        return try storage.withUnsafeBytes(body)
    }

    /// The bytes kept for the open frame so far.
    var keptBytes: [UInt8] { storage }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        storage.append(contentsOf: bytes)
    }
}
