/// Frames newline-delimited or concatenated JSON documents and parses them into `JSONValue`s in one pass over
/// their bytes: the framing and the parsing that `JSONStreamingMaterializer` does one after the other.
///
/// Feed the stream in chunks of any size. A document that starts in a chunk and ends in it (an object, an array or
/// a string) is parsed where it starts by the one-pass parser (`JSONProjectingParser.parsePrefix`), which also
/// tells the framer where it ends, so its bytes are read once; the chunks stay the caller's and nothing is copied.
/// A document that spans chunks, a top-level scalar, and a document that does not parse are framed by the
/// assembler's own scan (bytes gathered only for a spanning document) and parsed by `JSONDocumentParser`.
///
/// Frames, values and errors are those of `JSONStreamingMaterializer` over the same stream (the tests hold it to
/// that at every chunking), with one difference: a document that frames but does not parse is reported to
/// `onInvalid` with its located error and the stream goes on with the next document, where the streaming
/// materializer stops. Framing errors (a byte that cannot start a document, a broken line, a limit) are sticky
/// and thrown, as there. Short keys' `String`s are made once per stream (`JSONKeyCache`).
public struct JSONOnePassMaterializer: Sendable {
    private var assembler: JSONFramingAssembler
    private var pending = JSONPendingFrameBytes()
    private var keys = JSONKeyCache()
    /// The limits documents are framed and parsed under.
    public let limits: JSONLimits

    /// Materializes the documents of a stream laid out as `mode`.
    public init(mode: JSONFramingAssembler.Mode, limits: JSONLimits = .default) {
        assembler = JSONFramingAssembler(mode: mode, limits: limits)
        self.limits = limits
    }

    /// The layout of the stream.
    public var mode: JSONFramingAssembler.Mode { assembler.mode }

    /// The number of bytes fed so far.
    public var bytesConsumed: Int { assembler.bytesConsumed }

    /// The absolute offset where the document still open at the end of the last chunk began (nil between documents).
    public var openFrameOffset: Int? { assembler.openFrameOffset }

    /// The bytes received so far of the document still open (empty between documents). O(those bytes): a copy.
    public var openFrameBytes: [UInt8] { assembler.openFrameOffset == nil ? [] : pending.keptBytes }

    /// Feeds `chunk`: `onValue` gets each document completed by it that parses, `onInvalid` each one that does not
    /// (its error located in the whole stream, its frame, its bytes, valid during the call), in stream order.
    ///
    /// O(chunk length + spanning documents' lengths). Throws the first framing error, and keeps throwing it. If a
    /// callback throws, its error propagates and the materializer must not be fed again.
    public mutating func feed(
        _ chunk: UnsafeRawBufferPointer, onValue: (JSONValue, JSONFrame) throws -> Void,
        onInvalid: (JSONParseError, JSONFrame, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let base = assembler.bytesConsumed
        let limits = limits
        try withParts { assembler, keys, pending in
            let parser = JSONProjectingParser(selection: .whole, limits: limits)
            try assembler.feed(
                chunk, parseDocument: { parser.parsePrefix($0, keys: &keys) }, onParsed: onValue,
                onFrame: { frame in
                    try pending.deliver(frame, chunk: chunk, chunkBase: base) { bytes in
                        try Self.parse(bytes, frame: frame, limits: limits, keys: &keys, onValue, onInvalid)
                    }
                })
            pending.keep(openFrameAt: assembler.openFrameOffset, chunk: chunk, chunkBase: base)
        }
    }

    /// Runs `body` with the assembler, the key cache and the pending bytes moved into variables of their own, so
    /// that the closures handed to the assembler can use the other two while it runs.
    private mutating func withParts(
        _ body: (inout JSONFramingAssembler, inout JSONKeyCache, inout JSONPendingFrameBytes) throws -> Void
    ) rethrows {
        var keys = JSONKeyCache.placeholder  // shared: parking it here allocates nothing
        var pending = JSONPendingFrameBytes()
        swap(&keys, &self.keys)
        swap(&pending, &self.pending)
        defer {
            swap(&keys, &self.keys)
            swap(&pending, &self.pending)
        }
        try body(&assembler, &keys, &pending)
    }

    /// Feeds the bytes of `chunk`; see `feed(_:onValue:onInvalid:)`.
    public mutating func feed(
        _ chunk: [UInt8], onValue: (JSONValue, JSONFrame) throws -> Void,
        onInvalid: (JSONParseError, JSONFrame, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try chunk.withUnsafeBytes { try feed($0, onValue: onValue, onInvalid: onInvalid) }
    }

    /// Ends the stream: reports a document that ends with it (a top-level scalar), or throws
    /// `unexpectedEndOfInput` when the stream stopped inside a document.
    public mutating func finalize(
        onValue: (JSONValue, JSONFrame) throws -> Void,
        onInvalid: (JSONParseError, JSONFrame, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let limits = limits
        try withParts { assembler, keys, pending in
            try assembler.finalize { frame in
                try pending.deliverKept { bytes in
                    try Self.parse(bytes, frame: frame, limits: limits, keys: &keys, onValue, onInvalid)
                }
            }
        }
    }

    /// One framed document the long way: its value to `onValue`, or its located error to `onInvalid`.
    private static func parse(
        _ bytes: UnsafeRawBufferPointer, frame: JSONFrame, limits: JSONLimits, keys: inout JSONKeyCache,
        _ onValue: (JSONValue, JSONFrame) throws -> Void,
        _ onInvalid: (JSONParseError, JSONFrame, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let outcome = Result { () throws(JSONParseError) in
            try JSONDocumentParser.parse(bytes, frame: frame, limits: limits, keys: &keys)
        }
        switch outcome {
        case .success(let value): try onValue(value, frame)
        case .failure(let error): try onInvalid(error, frame, bytes)
        }
    }
}
