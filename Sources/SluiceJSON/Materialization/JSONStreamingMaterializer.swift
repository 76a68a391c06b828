/// Turns a stream of framed JSON documents into `JSONValue`s, incrementally.
///
/// A framer (`JSONFramingAssembler` for newline-delimited or concatenated documents,
/// `JSONLengthPrefixedReader` for length-prefixed frames) finds each document's boundaries as chunks
/// arrive; when a document is complete, its bytes are parsed whole by `JSONDocumentParser` (strict
/// RFC 8259, UTF-8 validated) and the value is handed to `onValue` with its frame. The bytes of a
/// document are gathered only when it spans chunks (see `JSONFrameBuffer`); the chunks stay the caller's.
///
/// Errors, framing or parsing, are `JSONParseError`s located in the whole stream: the absolute offset,
/// and the line and column counted from the stream's first byte. After an error the materializer is
/// failed: every later call throws the same error. After `finalize()` feeding is a programmer error.
public struct JSONStreamingMaterializer<Framer: JSONFraming>: Sendable {
    private var buffer: JSONFrameBuffer<Framer>
    private var failure: JSONParseError?
    /// The limits each document is parsed under.
    public let limits: JSONLimits

    /// Materializes the documents that `framer` (not yet fed) finds, parsing each under `limits`.
    public init(framer: Framer, limits: JSONLimits = .default) {
        self.buffer = JSONFrameBuffer(framer)
        self.limits = limits
    }

    /// The number of bytes fed so far.
    public var bytesConsumed: Int { buffer.framer.bytesConsumed }

    /// Feeds `chunk`, calling `onValue` for each document completed by it, in order.
    ///
    /// O(n) in the chunk length for framing plus O(document size) to parse each completed document.
    /// If `onValue` throws, its error propagates and the materializer must not be fed again.
    public mutating func feed(
        _ chunk: UnsafeRawBufferPointer, onValue: (JSONValue, JSONFrame) throws -> Void
    ) throws {
        if let failure { throw failure }
        let limits = limits
        do {
            try buffer.feed(chunk) { frame, bytes in
                try onValue(try Self.parse(bytes, frame: frame, limits: limits), frame)
            }
        } catch let error as JSONParseError {
            failure = error
            throw error
        }
    }

    /// Feeds the bytes of `chunk`; see `feed(_:onValue:)`.
    public mutating func feed(_ chunk: [UInt8], onValue: (JSONValue, JSONFrame) throws -> Void) throws {
        try chunk.withUnsafeBytes { try feed($0, onValue: onValue) }
    }

    /// Ends the stream: materializes a document that ends with it (a top-level scalar), or throws
    /// `unexpectedEndOfInput` when the stream stopped inside a document.
    public mutating func finalize(onValue: (JSONValue, JSONFrame) throws -> Void) throws {
        if let failure { throw failure }
        let limits = limits
        do {
            try buffer.finalize { frame, bytes in
                try onValue(try Self.parse(bytes, frame: frame, limits: limits), frame)
            }
        } catch let error as JSONParseError {
            failure = error
            throw error
        }
    }

    /// Parses one document, moving the error's position from the document to the stream.
    private static func parse(_ bytes: UnsafeRawBufferPointer, frame: JSONFrame, limits: JSONLimits) throws(JSONParseError) -> JSONValue {
        try JSONDocumentParser.parse(bytes, frame: frame, limits: limits)
    }
}

extension JSONStreamingMaterializer where Framer == JSONFramingAssembler {
    /// Materializes newline-delimited or concatenated documents; framing and parsing share `limits`.
    public init(mode: JSONFramingAssembler.Mode, limits: JSONLimits = .default) {
        self.init(framer: JSONFramingAssembler(mode: mode, limits: limits), limits: limits)
    }
}

extension JSONStreamingMaterializer where Framer == JSONLengthPrefixedReader {
    /// Materializes length-prefixed documents; framing and parsing share `limits`.
    public init(prefix: JSONLengthPrefixedReader.Prefix, limits: JSONLimits = .default) {
        self.init(framer: JSONLengthPrefixedReader(prefix: prefix, limits: limits), limits: limits)
    }
}
