/// One document found by a framer: where its bytes lie in the stream.
///
/// Offsets are absolute: counted from the first byte ever fed to the framer that reported the frame,
/// so they stay meaningful however the stream was split into chunks.
public struct JSONFrame: Hashable, Sendable {
    /// The 0-based position of this document among the documents of the stream.
    public var index: Int
    /// The absolute offset of the document's first byte.
    public var offset: Int
    /// The document's length in bytes.
    public var length: Int
    /// The 1-based line of the document's first byte (lines end at `\n`).
    public var line: Int
    /// The 1-based column, in bytes, of the document's first byte.
    public var column: Int

    /// The absolute offset just past the document's last byte.
    public var endOffset: Int { offset + length }

    /// Creates a frame.
    public init(index: Int, offset: Int, length: Int, line: Int = 1, column: Int = 1) {
        self.index = index
        self.offset = offset
        self.length = length
        self.line = line
        self.column = column
    }
}

/// An error thrown by a caller's `onFrame`, wrapped so that a framer passes it through untouched
/// instead of taking it for one of its own parse errors.
struct FrameCallbackError: Error {
    var underlying: any Error

    @inline(__always)
    static func call(_ onFrame: (JSONFrame) throws -> Void, _ frame: JSONFrame) throws {
        do {
            try onFrame(frame)
        } catch {
            throw FrameCallbackError(underlying: error)
        }
    }
}
