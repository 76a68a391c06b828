/// Finds document boundaries in a stream of concatenated or newline-delimited JSON documents.
///
/// Feed the stream in chunks of any size; a chunk may end anywhere, even inside a string or an escape.
/// The assembler reports each complete document as a `JSONFrame` (absolute offset and length) as soon
/// as its last byte arrives. It never copies the input: between chunks it keeps a few integers
/// (depth, whether it is inside a string or an escape, where the open document began), so the caller
/// owns the bytes. Wrap it in a `JSONFrameBuffer` to have each frame's bytes handed out too,
/// gathered only when a frame spans chunks.
///
/// This is a light scanner, not a validator: it follows strings, backslash escapes and bracket depth,
/// which is all that boundaries need, and leaves strict RFC 8259 validation to the token reader.
/// It does reject what makes framing impossible: a byte that cannot start a document, a closing bracket
/// with nothing open, nesting deeper than `JSONLimits.maxDepth`, a document larger than
/// `JSONLimits.maxDocumentSize`, a string or top-level scalar longer than `JSONLimits.maxTokenLength`,
/// and, in newline-delimited mode, a document that does not end on its line or a line holding more
/// than one document. Any byte preceded by an odd run of backslashes is escaped and is neither a quote
/// nor a bracket, inside strings or not (invalid JSON outside strings anyway).
///
/// Top-level scalars (`42`, `true`) end at the first whitespace or structural byte after them, or at
/// `finalize()`, so a stream that ends in a scalar reports it only when finalized.
///
/// Errors are `JSONParseError`s with the absolute offset, line and column of the offending byte.
/// After an error the assembler is failed: every later `feed` or `finalize` throws the same error.
/// After `finalize()` the assembler is finished; feeding it again is a programmer error (precondition).
public struct JSONFramingAssembler: JSONFraming {
    /// How documents are laid out in the stream.
    public enum Mode: Hashable, Sendable {
        /// One document per line (NDJSON / JSON Lines). Blank lines and whitespace around a document
        /// are allowed; a document must end on the line where it starts, and a line holds at most one.
        case newlineDelimited
        /// Documents one after another, separated by optional whitespace (`{"a":1}{"b":2} 3 4`).
        case concatenated
    }

    enum Phase: Sendable {
        /// Between documents, waiting for one to start.
        case between
        /// Inside an array or object.
        case container
        /// Inside a top-level string.
        case topString
        /// Inside a top-level number or literal.
        case topScalar
        /// Newline-delimited only: a document ended, only whitespace may follow until the newline.
        case afterDocument
        case failed
        case finished
    }

    /// The layout this assembler frames.
    public let mode: Mode
    /// The limits it enforces.
    public let limits: JSONLimits

    var phase: Phase = .between
    var depth = 0
    var isInString = false
    var isEscaped = false
    var documentStart = 0
    var stringStart = 0
    /// The absolute offset of the next byte to be fed.
    var consumed = 0
    var frameCount = 0
    var lines = JSONLineTracker()
    var documentLocation = (line: 1, column: 1)
    var failure: JSONParseError?
    /// Bulk scanning is exact only when no string limit can fall inside a 64-byte block it starts in.
    let usesBlocks: Bool

    /// Creates an assembler for `mode` that enforces `limits`.
    public init(mode: Mode, limits: JSONLimits = .default) {
        self.mode = mode
        self.limits = limits
        self.usesBlocks = limits.maxTokenLength >= 64
    }

    /// The number of bytes fed so far: the absolute offset the next chunk starts at.
    public var bytesConsumed: Int { consumed }

    /// The number of documents reported so far.
    public var framesEmitted: Int { frameCount }

    /// The absolute offset where the document still open at the end of the last chunk began, or `nil`
    /// when the stream is between documents.
    public var openFrameOffset: Int? {
        switch phase {
        case .container, .topString, .topScalar: documentStart
        case .between, .afterDocument, .failed, .finished: nil
        }
    }

    /// Scans `chunk`, calling `onFrame` for every document that ends in it, in order.
    ///
    /// O(n) in the chunk length; allocation-free. Throws the first framing error (and stays failed).
    /// If `onFrame` throws, its error propagates and the assembler must not be fed again.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, onFrame: (JSONFrame) throws -> Void) throws {
        if let failure { throw failure }
        precondition(phase != .finished, "JSONFramingAssembler.feed called after finalize()")
        guard let pointer = chunk.baseAddress, !chunk.isEmpty else { return }
        try scanning(chunk) { assembler in
            var index = 0
            while index < chunk.count {
                index = try assembler.step(pointer, index, chunk.count, onFrame)
            }
        }
    }

    /// Runs `scan` over `chunk`, then counts the chunk's lines and moves past it. A framing error thrown by the
    /// scan is located (line and column) and makes the assembler failed; a callback's error propagates unwrapped.
    @inline(__always)
    mutating func scanning(_ chunk: UnsafeRawBufferPointer, _ scan: (inout Self) throws -> Void) throws {
        do {
            try scan(&self)
        } catch let error as JSONParseError {
            let located = lines.located(error, in: chunk, base: consumed)
            phase = .failed
            failure = located
            throw located
        } catch let error as FrameCallbackError {
            phase = .failed
            throw error.underlying
        }
        lines.advance(to: consumed + chunk.count, in: chunk, base: consumed)
        consumed += chunk.count
    }

    /// Ends the stream: reports a top-level scalar that was still open, or throws
    /// `unexpectedEndOfInput` if the stream ended inside a document.
    ///
    /// Afterwards the assembler is finished. Calling `finalize()` again does nothing (or rethrows).
    public mutating func finalize(onFrame: (JSONFrame) throws -> Void) throws {
        if let failure { throw failure }
        switch phase {
        case .between, .afterDocument, .finished:
            break
        case .topScalar:
            do {
                try emit(endingAt: consumed, onFrame)
            } catch let error as FrameCallbackError {
                phase = .failed
                throw error.underlying
            }
        case .container, .topString:
            let (line, column) = lines.location
            let what = phase == .topString || isInString ? "a string" : "an array or object"
            let error = JSONParseError(
                code: .unexpectedEndOfInput,
                message: "input ended inside \(what) of the document that starts at offset \(documentStart)",
                offset: consumed, line: line, column: column)
            phase = .failed
            failure = error
            throw error
        case .failed:
            break
        }
        phase = .finished
    }

    /// Forgets everything and starts a new stream whose first byte has absolute offset `offset`.
    mutating func restart(atOffset offset: Int) {
        self = JSONFramingAssembler(mode: mode, limits: limits)
        consumed = offset
        lines = JSONLineTracker(startingAt: offset)
    }

    // MARK: - Scanning

    /// Handles the bytes from `index` in the current phase; returns where the next phase starts.
    @inline(__always)
    mutating func step(
        _ pointer: UnsafeRawPointer, _ index: Int, _ count: Int, _ onFrame: (JSONFrame) throws -> Void
    ) throws -> Int {
        switch phase {
        case .container:
            return try scanContainer(pointer, index, count, onFrame)
        case .between:
            return try scanBetween(pointer, index, count)
        case .topString:
            return try scanTopString(pointer, index, count, onFrame)
        case .topScalar:
            return try scanTopScalar(pointer, index, count, onFrame)
        case .afterDocument:
            return try scanAfterDocument(pointer, index, count)
        case .failed, .finished:
            preconditionFailure("JSONFramingAssembler fed again after its onFrame threw")
        }
    }

    private mutating func scanBetween(_ pointer: UnsafeRawPointer, _ start: Int, _ count: Int) throws -> Int {
        var index = start
        while index < count {
            let byte = pointer.load(fromByteOffset: index, as: UInt8.self)
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                index += 1
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                phase = .container
                depth = 1
                if depth > limits.maxDepth { throw limitError(.depthLimitExceeded, at: consumed + index) }
            case UInt8(ascii: "\""):
                phase = .topString
                stringStart = consumed + index
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "t"), UInt8(ascii: "f"),
                UInt8(ascii: "n"):
                phase = .topScalar
            default:
                throw error(
                    .unexpectedByte, at: consumed + index,
                    "expected the start of a JSON document, found \(describe(byte))")
            }
            documentStart = consumed + index
            lines.advance(to: documentStart, in: UnsafeRawBufferPointer(start: pointer, count: count), base: consumed)
            documentLocation = lines.location
            isInString = false
            isEscaped = false
            return index + 1
        }
        return index
    }

    private mutating func scanAfterDocument(_ pointer: UnsafeRawPointer, _ start: Int, _ count: Int) throws -> Int {
        var index = start
        while index < count {
            switch pointer.load(fromByteOffset: index, as: UInt8.self) {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "\n"):
                phase = .between
                return index + 1
            case let byte:
                throw error(
                    .trailingContent, at: consumed + index,
                    "expected a newline after the document, found \(describe(byte)) (one document per line)")
            }
        }
        return index
    }

    private mutating func scanTopString(
        _ pointer: UnsafeRawPointer, _ start: Int, _ count: Int, _ onFrame: (JSONFrame) throws -> Void
    ) throws -> Int {
        var index = start
        while index < count {
            let offset = consumed + index
            let byte = pointer.load(fromByteOffset: index, as: UInt8.self)
            try checkDocumentSize(at: offset)
            let isClosingQuote = byte == UInt8(ascii: "\"") && !isEscaped
            if offset - stringStart - 1 >= limits.maxTokenLength && !isClosingQuote {
                throw limitError(.tokenTooLarge, at: offset)
            }
            if mode == .newlineDelimited && byte == UInt8(ascii: "\n") { throw lineEndedError(at: offset) }
            index += 1
            if isEscaped {
                isEscaped = false
            } else if byte == UInt8(ascii: "\\") {
                isEscaped = true
            } else if isClosingQuote {
                try emit(endingAt: offset + 1, onFrame)
                return index
            }
        }
        return index
    }

    private mutating func scanTopScalar(
        _ pointer: UnsafeRawPointer, _ start: Int, _ count: Int, _ onFrame: (JSONFrame) throws -> Void
    ) throws -> Int {
        var index = start
        while index < count {
            let offset = consumed + index
            switch pointer.load(fromByteOffset: index, as: UInt8.self) {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"),
                UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"),
                UInt8(ascii: "\""), UInt8(ascii: ","), UInt8(ascii: ":"):
                try emit(endingAt: offset, onFrame)
                return index  // the delimiter belongs to what comes next
            default:
                try checkDocumentSize(at: offset)
                if offset - documentStart >= limits.maxTokenLength { throw limitError(.tokenTooLarge, at: offset) }
                index += 1
            }
        }
        return index
    }

    /// The hot loop: inside an array or object, 64 bytes at a time where no limit can trip.
    private mutating func scanContainer(
        _ pointer: UnsafeRawPointer, _ start: Int, _ count: Int, _ onFrame: (JSONFrame) throws -> Void
    ) throws -> Int {
        var index = start
        // Index (in this chunk) of the first byte that would make the document too large.
        let documentLimit = saturatingSum(documentStart - consumed, limits.maxDocumentSize)
        while index < count {
            if usesBlocks && count - index >= 64 && index + 64 <= documentLimit
                && (!isInString || saturatingSum(stringStart + 1, limits.maxTokenLength) >= consumed + index + 64)
            {
                if let end = try scanBlock(pointer + index, at: consumed + index) {
                    try emit(endingAt: end + 1, onFrame)
                    return end + 1 - consumed
                }
                index += 64
                continue
            }
            if let end = try scanByte(pointer.load(fromByteOffset: index, as: UInt8.self), at: consumed + index) {
                try emit(endingAt: end + 1, onFrame)
                return index + 1
            }
            index += 1
        }
        return index
    }

    /// One byte inside a container: the scalar definition that `scanBlock` must match exactly.
    /// Returns `offset` when this byte closes the document.
    @inline(__always)
    private mutating func scanByte(_ byte: UInt8, at offset: Int) throws -> Int? {
        try checkDocumentSize(at: offset)
        if isInString && offset - stringStart - 1 >= limits.maxTokenLength
            && !(byte == UInt8(ascii: "\"") && !isEscaped)
        {
            throw limitError(.tokenTooLarge, at: offset)
        }
        if mode == .newlineDelimited && byte == UInt8(ascii: "\n") { throw lineEndedError(at: offset) }
        if isEscaped {
            isEscaped = false
            return nil
        }
        switch byte {
        case UInt8(ascii: "\\"):
            isEscaped = true
        case UInt8(ascii: "\""):
            isInString.toggle()
            if isInString { stringStart = offset }
        case _ where isInString:
            break
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
            if depth > limits.maxDepth { throw limitError(.depthLimitExceeded, at: offset) }
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            depth -= 1
            if depth == 0 { return offset }
        default:
            break
        }
        return nil
    }

    /// 64 bytes inside a container at absolute `offset`, with the same result as 64 `scanByte` calls.
    /// The caller guarantees that no size limit falls inside the block.
    @inline(__always)
    private mutating func scanBlock(_ pointer: UnsafeRawPointer, at offset: Int) throws -> Int? {
        let block = JSONByteClasses.block(pointer)
        let escaped = JSONByteClasses.escaped(block.backslashes, carry: &isEscaped)
        let quotes = block.quotes & ~escaped
        let inString = JSONByteClasses.prefixXor(quotes) ^ (isInString ? ~0 : 0)
        var structurals = (block.opens | block.closes) & ~inString & ~escaped
        var newlineLimit: UInt64 = ~0
        if mode == .newlineDelimited {
            let newlines = JSONByteClasses.mask(pointer, equalTo: UInt8(ascii: "\n"))
            if newlines != 0 {
                // Only brackets before the first newline count; the newline itself is an error.
                newlineLimit = (UInt64(1) << UInt64(newlines.trailingZeroBitCount)) &- 1
                structurals &= newlineLimit
            }
        }
        while structurals != 0 {
            let bit = structurals.trailingZeroBitCount
            structurals &= structurals &- 1
            if block.opens & (1 << UInt64(bit)) != 0 {
                depth += 1
                if depth > limits.maxDepth { throw limitError(.depthLimitExceeded, at: offset + bit) }
            } else {
                depth -= 1
                if depth == 0 {
                    isInString = false
                    isEscaped = false
                    return offset + bit
                }
            }
        }
        if newlineLimit != ~0 { throw lineEndedError(at: offset + newlineLimit.nonzeroBitCount) }
        isInString = inString >> 63 != 0
        if isInString && quotes != 0 { stringStart = offset + 63 - quotes.leadingZeroBitCount }
        return nil
    }

    // MARK: - Frames and errors

    private mutating func emit(endingAt end: Int, _ onFrame: (JSONFrame) throws -> Void) throws {
        let frame = JSONFrame(
            index: frameCount, offset: documentStart, length: end - documentStart,
            line: documentLocation.line, column: documentLocation.column)
        frameCount += 1
        phase = mode == .newlineDelimited ? .afterDocument : .between
        try FrameCallbackError.call(onFrame, frame)
    }

    @inline(__always)
    private func checkDocumentSize(at offset: Int) throws {
        if offset - documentStart >= limits.maxDocumentSize { throw limitError(.documentTooLarge, at: offset) }
    }

    private func limitError(_ code: JSONParseError.Code, at offset: Int) -> JSONParseError {
        let message =
            switch code {
            case .depthLimitExceeded: "nesting deeper than the limit of \(limits.maxDepth)"
            case .tokenTooLarge: "string or scalar longer than the limit of \(limits.maxTokenLength) bytes"
            default:
                "document starting at offset \(documentStart) is larger than the limit of \(limits.maxDocumentSize) bytes"
            }
        return error(code, at: offset, message)
    }

    private func lineEndedError(at offset: Int) -> JSONParseError {
        error(
            .unexpectedEndOfInput, at: offset,
            "the line ended inside the document that starts at offset \(documentStart) (one document per line)")
    }

    /// An error at `offset`; `feed` fills in the line and column.
    private func error(_ code: JSONParseError.Code, at offset: Int, _ message: String) -> JSONParseError {
        JSONParseError(code: code, message: message, offset: offset, line: 0, column: 0)
    }
}

/// `a + b`, or `Int.max` where that overflows (limits may be `Int.max`).
@inline(__always)
func saturatingSum(_ a: Int, _ b: Int) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int.max : sum
}
