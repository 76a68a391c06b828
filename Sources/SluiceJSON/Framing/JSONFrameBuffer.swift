/// Wraps a framer and hands out each frame's bytes along with its range.
///
/// A frame that lies inside the chunk being fed is handed out in place, with no copy. A frame that began
/// in an earlier chunk is handed out from an internal buffer that holds only that frame's bytes; the
/// buffer keeps its capacity, so steady-state framing allocates only when a frame is larger than every
/// spanning frame before it. The bytes passed to `onFrame` are valid only during that call.
public struct JSONFrameBuffer<Framer: JSONFraming>: Sendable {
    /// The wrapped framer (read its counters here; feed through the buffer).
    public private(set) var framer: Framer
    private var pending = JSONPendingFrameBytes()

    /// Wraps `framer`, which must not have been fed yet.
    public init(_ framer: Framer) {
        precondition(framer.bytesConsumed == 0, "JSONFrameBuffer needs a fresh framer")
        self.framer = framer
    }

    /// Scans `chunk`, calling `onFrame` with each complete frame and its bytes.
    /// O(n) in the chunk length plus O(frame length) for frames that span chunks.
    /// Errors and their stickiness are the framer's.
    // Specialized here for the two framers of the library, so that callers in other modules (the manifest's decode
    // stage) run specialized code rather than the generic entry point, which looks up metadata on every frame.
    @_specialize(exported: true, where Framer == JSONFramingAssembler)
    @_specialize(exported: true, where Framer == JSONLengthPrefixedReader)
    public mutating func feed(
        _ chunk: UnsafeRawBufferPointer, onFrame: (JSONFrame, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let base = framer.bytesConsumed
        try framer.feed(chunk) { frame in
            try pending.deliver(frame, chunk: chunk, chunkBase: base) { bytes in try onFrame(frame, bytes) }
        }
        pending.keep(openFrameAt: framer.openFrameOffset, chunk: chunk, chunkBase: base)
    }

    /// Scans the bytes of `chunk`; see `feed(_:onFrame:)`.
    public mutating func feed(_ chunk: [UInt8], onFrame: (JSONFrame, UnsafeRawBufferPointer) throws -> Void) throws {
        try chunk.withUnsafeBytes { try feed($0, onFrame: onFrame) }
    }

    /// Scans `chunk`, calling `onFrame` with each complete frame's bytes as a slice that owns its storage: a frame
    /// inside the chunk is a slice of `chunk` itself (no copy; it keeps the chunk's storage alive while it lives), a
    /// frame that began in an earlier chunk is copied into an array of its own. Indices of the slice are those of
    /// `chunk` (use `startIndex`, not 0). O(n) in the chunk length plus O(frame length) for frames that span chunks.
    @_specialize(exported: true, where Framer == JSONFramingAssembler)
    @_specialize(exported: true, where Framer == JSONLengthPrefixedReader)
    public mutating func feed(
        sharing chunk: [UInt8], onFrame: (JSONFrame, ArraySlice<UInt8>) throws -> Void
    ) throws {
        let base = framer.bytesConsumed
        try chunk.withUnsafeBytes { raw in
            try framer.feed(raw) { frame in
                if frame.offset >= base {
                    let lower = frame.offset - base
                    try onFrame(frame, chunk[lower..<lower + frame.length])
                } else {
                    try pending.deliver(frame, chunk: raw, chunkBase: base) { bytes in
                        try onFrame(frame, ArraySlice(bytes))
                    }
                }
            }
            pending.keep(openFrameAt: framer.openFrameOffset, chunk: raw, chunkBase: base)
        }
    }

    /// The bytes received so far of the frame still open (empty between frames). O(those bytes): a copy.
    public var openFrameBytes: [UInt8] { framer.openFrameOffset == nil ? [] : pending.keptBytes }

    /// Ends the stream; a frame that ends with it (a top-level scalar) is handed out with its bytes.
    @_specialize(exported: true, where Framer == JSONFramingAssembler)
    @_specialize(exported: true, where Framer == JSONLengthPrefixedReader)
    public mutating func finalize(onFrame: (JSONFrame, UnsafeRawBufferPointer) throws -> Void = { _, _ in }) throws {
        try framer.finalize { frame in
            try pending.deliverKept { bytes in try onFrame(frame, bytes) }
        }
    }
}
