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

    /// The absolute offset just past the document's last byte.
    public var endOffset: Int { offset + length }

    /// Creates a frame.
    public init(index: Int, offset: Int, length: Int) {
        self.index = index
        self.offset = offset
        self.length = length
    }
}
