/// One framed JSON document: where it was in the stream, and its bytes.
public struct JSONDocumentBytes: Sendable, Hashable, CustomStringConvertible {
    /// The frame's position in the stream (index, offset, length, line, column).
    public var frame: JSONFrame
    /// The document's bytes. The `.frames()` stage hands out a slice of the chunk the document was found in (no
    /// copy), so indices start at `bytes.startIndex`, not 0, and the slice keeps that chunk's storage alive while it
    /// lives: copy it (`Array(bytes)`) to keep a document for long.
    public var bytes: ArraySlice<UInt8>

    /// Creates a document whose bytes are `bytes` (a slice of a larger buffer, shared, not copied).
    public init(frame: JSONFrame, sharing bytes: ArraySlice<UInt8>) {
        self.frame = frame
        self.bytes = bytes
    }

    /// Creates a document.
    public init(frame: JSONFrame, bytes: [UInt8]) {
        self.frame = frame
        self.bytes = bytes[...]
    }

    /// The bytes as text (invalid UTF-8 repaired), so dead-letter records and fingerprints show the document.
    public var description: String { String(decoding: bytes, as: UTF8.self) }
}

/// One document's tokens. Spans are offsets from the document's first byte (its bytes start at index 0 here); decode
/// them with a `JSONTokenReader` fed those bytes, or slice the bytes directly.
public struct JSONTokenizedDocument: Sendable, Hashable {
    /// The document.
    public var document: JSONDocumentBytes
    /// Its tokens, ending with `.endOfDocument`.
    public var tokens: [JSONToken]

    /// Creates a tokenized document.
    public init(document: JSONDocumentBytes, tokens: [JSONToken]) {
        self.document = document
        self.tokens = tokens
    }
}

/// Splits byte chunks into JSON documents with a `JSONFraming` framer (newline-delimited, concatenated or
/// length-prefixed). Stateful: a document may span chunks.
///
/// A framing error is sticky (the framer cannot find boundaries after it), so the chunk that caused it and every
/// later chunk go to the dead-letter sink with that error.
///
/// With an `idleTimeout`, an empty chunk is a tick from an idle source: when a document is open and no bytes came
/// for longer than the limit, the stage throws a `FramingTimeoutError` naming the document's offset, and either
/// stays failed (`.fail`) or drops the document to the dead-letter sink and frames the next bytes as a new stream
/// (`.deadLetter`; later frames and framing errors keep absolute offsets, their line and column count from the
/// restart).
public struct JSONFramingOperator<Framer: JSONFraming>: StageOperator {
    private var buffer: JSONFrameBuffer<Framer>
    private let fresh: Framer
    private var idleGuard: FramingIdleGuard?
    /// Absolute offset of the current stream's first byte (non-zero after a dead-lettered timeout).
    private var offsetBase = 0

    /// Frames with `framer`, which must not have been fed yet; `idleTimeout` guards against a source that stops
    /// inside a document (nil: no guard).
    public init(_ framer: Framer, idleTimeout: FramingIdleTimeout? = nil) {
        buffer = JSONFrameBuffer(framer)
        fresh = framer
        idleGuard = idleTimeout.map(FramingIdleGuard.init)
    }

    /// Never pure: the framer carries an open document from chunk to chunk.
    public var isPure: Bool { false }
    /// Stateful: a document may span chunks.
    public var kind: StageKind { .stateful }

    /// Frames one chunk, emitting each complete document (a slice of the chunk, or a copy when it spans chunks)
    /// with its offset absolute in the stream; with an idle guard, an empty chunk is a tick (see the type's summary).
    public mutating func process(_ input: [UInt8], emit: (JSONDocumentBytes) -> Void) throws {
        if try idleGuard?.isTick(input) == true {
            try checkIdle()
            return
        }
        let base = offsetBase
        do {
            try buffer.feed(sharing: input) { frame, bytes in
                var frame = frame
                frame.offset += base
                emit(JSONDocumentBytes(frame: frame, sharing: bytes))
            }
        } catch let error as JSONParseError {
            throw error.movedInStream(by: base)
        }
    }

    /// A tick: fails or dead-letters the open document when it has been idle past the limit.
    private mutating func checkIdle() throws {
        let open = buffer.framer.openFrameOffset.map { offsetBase + $0 }
        guard let error = idleGuard?.expire(openAt: open, bytes: buffer.openFrameBytes) else { return }
        if error.action == .deadLetter {
            offsetBase += buffer.framer.bytesConsumed
            buffer = JSONFrameBuffer(fresh)
        }
        throw error
    }

    /// Ends the stream: emits a document that ends with it (its bytes copied). Throws the sticky `.fail` timeout,
    /// or the framer's error (for example when the stream stopped inside a document).
    public mutating func finish(emit: (JSONDocumentBytes) -> Void) throws {
        if let failure = idleGuard?.failure { throw failure }
        let base = offsetBase
        do {
            try buffer.finalize { frame, bytes in
                var frame = frame
                frame.offset += base
                emit(JSONDocumentBytes(frame: frame, bytes: Array(bytes)))
            }
        } catch let error as JSONParseError {
            throw error.movedInStream(by: base)
        }
    }
}

/// Parses each document into a `JSONValue` (strict RFC 8259). Pure: documents are independent, so it fuses with
/// the transforms after it. The document's bytes are read in place, in the chunk the framing stage found them in:
/// nothing is copied between the source's chunk and the value. A document that does not parse goes to the
/// dead-letter sink with its `JSONParseError`, located in the whole stream: the same offset, line and column as
/// `JSONStreamingMaterializer` reports.
public struct JSONMaterializeOperator: StageOperator {
    /// The limits each document is parsed with.
    public let limits: JSONLimits
    /// The `String`s of the stream's short keys, made once instead of in every document.
    private var keys = JSONKeyCache()

    /// Creates the operator.
    public init(limits: JSONLimits = .default) {
        self.limits = limits
    }

    /// Pure: the key cache it keeps changes no output, only how often a key's `String` is built.
    public var isPure: Bool { true }

    /// Parses one document and emits its value; throws its `JSONParseError`, located in the whole stream.
    public mutating func process(_ input: JSONDocumentBytes, emit: (JSONValue) -> Void) throws {
        emit(try _processOne(input)!)
    }

    /// True: one value per document, so the stage fuses into closure-free loops.
    public static var _isSingleOutput: Bool { true }

    /// Parses the document's bytes in place (no copy); never nil: a document that does not parse throws.
    public mutating func _processOne(_ input: JSONDocumentBytes) throws -> JSONValue? {
        let limits = limits
        return try input.bytes.withUnsafeBytes { bytes throws(JSONParseError) in
            try JSONDocumentParser.parse(bytes, frame: input.frame, limits: limits, keys: &keys)
        }
    }
}

/// Tokenizes each document with a `JSONTokenReader` and counts the tokens (`tokens_emitted_total`,
/// `tokens_per_doc_avg`). The document's bytes are copied once, into an array the reader adopts.
/// A document that does not tokenize goes to the dead-letter sink with its `JSONParseError`, located in the
/// whole stream like the `.values()` stage's errors.
public struct JSONTokenizeOperator: StageOperator {
    /// The limits each document is read with.
    public let limits: JSONLimits
    /// Tokens emitted so far in this run.
    public private(set) var tokenCount = 0
    /// Documents tokenized so far in this run.
    public private(set) var documentCount = 0

    /// Creates the operator.
    public init(limits: JSONLimits = .default) {
        self.limits = limits
    }

    /// Pure in effect, but it keeps run totals, so it stays a segment of its own.
    public var isPure: Bool { false }

    /// Copies the document's bytes once, tokenizes them, adds to the run totals and emits the tokens; a
    /// `JSONParseError` is thrown relocated to the document's position in the stream.
    public mutating func process(_ input: JSONDocumentBytes, emit: (JSONTokenizedDocument) -> Void) throws {
        // The reader adopts an array of the document's own (the one copy on this path: the frame is a slice of its
        // chunk), and the output document holds that array, so token spans are offsets into its bytes from 0.
        let bytes = Array(input.bytes)
        var reader = JSONTokenReader(adopting: bytes, limits: limits)
        var tokens: [JSONToken] = []
        do {
            try reader.finalize(into: &tokens)
        } catch {
            throw error.relocated(to: input.frame)
        }
        tokenCount += tokens.count
        documentCount += 1
        emit(JSONTokenizedDocument(document: JSONDocumentBytes(frame: input.frame, bytes: bytes), tokens: tokens))
    }

    /// `tokenCount` and `documentCount`, reported in the stage's statistics.
    public var _tokenCounts: (tokens: Int, documents: Int)? { (tokenCount, documentCount) }
}

/// Frames newline-delimited or concatenated documents and parses each into a `JSONValue`, in one stage and one pass
/// over the bytes (`JSONOnePassMaterializer`): what `.frames(mode).values()` does in two stages and two scans.
/// Stateful: a document may span chunks.
///
/// A document that frames but does not parse goes to the dead-letter sink on its own, as a `JSONDocumentBytes` with
/// its `JSONParseError` located in the whole stream (the `.values()` stage's record and error), and the chunk's
/// other documents go on. A framing error is sticky, as in the framing stage: the chunk that caused it and every
/// later chunk go to the dead-letter sink with that error. `idleTimeout` works as in the framing stage.
public struct JSONFramedValuesOperator: StageOperator {
    private var materializer: JSONOnePassMaterializer
    private let fresh: JSONOnePassMaterializer
    private var idleGuard: FramingIdleGuard?
    /// Absolute offset of the current stream's first byte (non-zero after a dead-lettered timeout).
    private var offsetBase = 0

    /// Frames documents laid out as `mode` and parses them, both under `limits`; `idleTimeout` guards against a
    /// source that stops inside a document (nil: no guard).
    public init(mode: JSONFramingAssembler.Mode, limits: JSONLimits = .default, idleTimeout: FramingIdleTimeout? = nil) {
        materializer = JSONOnePassMaterializer(mode: mode, limits: limits)
        fresh = materializer
        idleGuard = idleTimeout.map(FramingIdleGuard.init)
    }

    /// Never pure: the materializer carries an open document from chunk to chunk.
    public var isPure: Bool { false }
    /// Stateful: a document may span chunks.
    public var kind: StageKind { .stateful }
    /// True: the engines pass `reject`, so a document that does not parse is dead-lettered on its own.
    public static var _rejectsRecords: Bool { true }

    /// Processes a chunk; a document that does not parse is rejected on its own (see the type's summary).
    public mutating func process(
        _ input: [UInt8], emit: (JSONValue) -> Void, reject: (any Sendable, any Error) -> Void
    ) throws {
        if try idleGuard?.isTick(input) == true {
            try checkIdle()
            return
        }
        let base = offsetBase
        do {
            try materializer.feed(input) { value, _ in
                emit(value)
            } onInvalid: { error, frame, bytes in
                reject(Self.record(frame, bytes, base: base), error.movedInStream(by: base))
            }
        } catch let error as JSONParseError {
            throw error.movedInStream(by: base)
        }
    }

    /// Without a way to reject one document (inside a wrapping operator), the chunk's valid documents are emitted and
    /// the first invalid one's error is thrown after them, so the chunk goes to the dead-letter sink.
    public mutating func process(_ input: [UInt8], emit: (JSONValue) -> Void) throws {
        var first: (any Error)?
        try process(input, emit: emit) { _, error in
            if first == nil { first = error }
        }
        if let first { throw first }
    }

    /// Ends the stream, emitting a last document that ends with it. Throws the sticky `.fail` timeout, the
    /// materializer's own error, or (after the valid documents) the first invalid document's `JSONParseError`.
    public mutating func finish(emit: (JSONValue) -> Void) throws {
        if let failure = idleGuard?.failure { throw failure }
        var first: (any Error)?
        let base = offsetBase
        do {
            try materializer.finalize { value, _ in
                emit(value)
            } onInvalid: { error, _, _ in
                if first == nil { first = error.movedInStream(by: base) }
            }
        } catch let error as JSONParseError {
            throw error.movedInStream(by: base)
        }
        if let first { throw first }
    }

    /// A tick: fails or dead-letters the open document when it has been idle past the limit.
    private mutating func checkIdle() throws {
        let open = materializer.openFrameOffset.map { offsetBase + $0 }
        guard let error = idleGuard?.expire(openAt: open, bytes: materializer.openFrameBytes) else { return }
        if error.action == .deadLetter {
            offsetBase += materializer.bytesConsumed
            materializer = fresh
        }
        throw error
    }

    /// The dead-letter record of a document that does not parse: a copy of its bytes (they are the chunk's).
    private static func record(_ frame: JSONFrame, _ bytes: UnsafeRawBufferPointer, base: Int) -> JSONDocumentBytes {
        var frame = frame
        frame.offset += base
        return JSONDocumentBytes(frame: frame, bytes: Array(bytes))
    }
}

extension JSONParseError {
    /// This error with its offset moved by `base`: the first byte of a stream the framing restarted after a
    /// dead-lettered timeout, so that errors keep absolute offsets as the frames do (line and column count from
    /// the restart).
    fileprivate func movedInStream(by base: Int) -> JSONParseError {
        guard base != 0 else { return self }
        var error = self
        error.offset += base
        return error
    }
}
