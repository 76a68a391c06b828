/// A framer: something that splits a byte stream into JSON documents, incrementally.
///
/// `JSONFramingAssembler` (newline-delimited or concatenated documents) and `JSONLengthPrefixedReader`
/// (length-prefixed frames) conform. Feed chunks of any size; each frame is reported, by absolute offset
/// and length, as soon as its last byte arrives; `finalize()` ends the stream. The framer never copies
/// the input: wrap it in a `JSONFrameBuffer` to have each frame's bytes handed out.
public protocol JSONFraming: Sendable {
    /// The number of bytes fed so far: the absolute offset the next chunk starts at.
    var bytesConsumed: Int { get }
    /// The number of frames reported so far.
    var framesEmitted: Int { get }
    /// The absolute offset where the frame still open at the end of the last chunk began, or `nil` when
    /// the stream is between frames. A frame's bytes from this offset on are needed to hand it out whole.
    var openFrameOffset: Int? { get }

    /// Scans `chunk`, calling `onFrame` for every frame that ends in it, in order. O(n), allocation-free.
    ///
    /// Throws the first `JSONParseError` and stays failed: later calls throw it again. If `onFrame`
    /// throws, its error propagates and the framer must not be fed again.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, onFrame: (JSONFrame) throws -> Void) throws

    /// Ends the stream: reports a frame that ends with it, or throws `unexpectedEndOfInput` when the
    /// stream stopped inside a frame. Afterwards feeding is a programmer error.
    mutating func finalize(onFrame: (JSONFrame) throws -> Void) throws
}

extension JSONFraming {
    /// Scans the bytes of `chunk`; see `feed(_:onFrame:)`.
    public mutating func feed(_ chunk: [UInt8], onFrame: (JSONFrame) throws -> Void) throws {
        try chunk.withUnsafeBytes { try feed($0, onFrame: onFrame) }
    }

    /// Ends the stream, ignoring a final frame; see `finalize(onFrame:)`.
    public mutating func finalize() throws {
        try finalize(onFrame: { _ in })
    }
}
