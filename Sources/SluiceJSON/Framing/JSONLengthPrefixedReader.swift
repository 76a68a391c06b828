/// Reads length-prefixed JSON frames (the design document's "LengthGate"), incrementally.
///
/// ## Format
/// A stream is a sequence of frames, each a length prefix followed by exactly that many payload bytes,
/// with nothing between frames. Two prefixes are supported:
/// - `.bigEndianUInt32`: 4 bytes, an unsigned 32-bit payload length, most significant byte first.
/// - `.asciiDecimalLine`: one or more ASCII digits `0`–`9` (no sign, no spaces; leading zeros allowed)
///   followed by a single `\n` (no `\r`). The payload starts right after the `\n`.
///
/// The payload must be exactly one JSON document, optionally surrounded by JSON whitespace; its length
/// must be at least 1 and at most `JSONLimits.maxDocumentSize`. The stream may end only between frames.
///
/// ## Errors, at the frame that causes them
/// - a declared length above `maxDocumentSize`: `documentTooLarge` at the prefix's offset, as soon as the
///   prefix shows it (before any payload is read);
/// - a malformed decimal prefix: `invalidFrame` at the offending byte;
/// - a payload that is empty, holds a second document, or ends inside its document:
///   `frameLengthMismatch` at the second document's start or at the payload's end;
/// - bytes that cannot start a document, nesting deeper than `maxDepth` and the other framing errors of
///   `JSONFramingAssembler`, at the offending byte;
/// - input that ends inside a prefix or a payload: `unexpectedEndOfInput` from `finalize()`.
///
/// The payload check is the assembler's cheap boundary scan, not full validation: a frame whose single
/// document is malformed inside (`{"a":tru}`) passes here and is rejected when it is parsed.
/// Errors are sticky: after one, every `feed` and `finalize` throws it again.
public struct JSONLengthPrefixedReader: JSONFraming {
    /// How each frame's payload length is written.
    public enum Prefix: Hashable, Sendable {
        /// A 4-byte unsigned big-endian length.
        case bigEndianUInt32
        /// ASCII decimal digits, then `\n`.
        case asciiDecimalLine
    }

    enum Phase: Sendable {
        case header
        case payload
        case failed
        case finished
    }

    /// The prefix this reader expects.
    public let prefix: Prefix
    /// The limits it enforces (`maxDocumentSize` bounds each payload).
    public let limits: JSONLimits

    private var phase = Phase.header
    private var headerStart = 0
    private var headerLength = 0
    private var declaredLength = 0
    private var payloadStart = 0
    private var documentsInPayload = 0
    private var scanner: JSONFramingAssembler
    private var consumed = 0
    private var frameCount = 0
    private var lines = JSONLineTracker()
    private var payloadLocation = (line: 1, column: 1)
    private var headerLocation = (line: 1, column: 1)
    private var failure: JSONParseError?

    /// Creates a reader for frames with `prefix`, enforcing `limits`.
    public init(prefix: Prefix, limits: JSONLimits = .default) {
        self.prefix = prefix
        self.limits = limits
        self.scanner = JSONFramingAssembler(mode: .concatenated, limits: limits)
    }

    /// The number of bytes fed so far: the absolute offset the next chunk starts at.
    public var bytesConsumed: Int { consumed }

    /// The number of frames reported so far.
    public var framesEmitted: Int { frameCount }

    /// Reads `chunk`, calling `onFrame` with each frame's payload range as soon as its last byte arrives.
    ///
    /// O(n) in the chunk length; allocation-free. Throws the first error (and stays failed). If `onFrame`
    /// throws, its error propagates and the reader must not be fed again.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, onFrame: (JSONFrame) throws -> Void) throws {
        if let failure { throw failure }
        precondition(phase != .finished, "JSONLengthPrefixedReader.feed called after finalize()")
        guard let pointer = chunk.baseAddress, !chunk.isEmpty else { return }
        do {
            var index = 0
            while index < chunk.count {
                switch phase {
                case .header:
                    index = try readHeader(pointer, index, chunk.count)
                case .payload:
                    let payloadEnd = payloadStart + declaredLength
                    let take = min(chunk.count - index, payloadEnd - (consumed + index))
                    try scanPayload(UnsafeRawBufferPointer(start: pointer + index, count: take))
                    index += take
                    if consumed + index == payloadEnd { try finishFrame(onFrame) }
                case .failed, .finished:
                    preconditionFailure("JSONLengthPrefixedReader fed again after its onFrame threw")
                }
            }
        } catch let error as JSONParseError {
            // Errors at a frame's prefix or payload start carry the location recorded there.
            let located = error.line > 0 ? error : lines.located(error, in: chunk, base: consumed)
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

    /// The absolute offset of the payload still being read, or `nil` between frames.
    public var openFrameOffset: Int? { phase == .payload ? payloadStart : nil }

    /// Ends the stream. Throws `unexpectedEndOfInput` if it ended inside a prefix or a payload; never
    /// calls `onFrame` (a frame is complete when its declared length has arrived).
    /// Afterwards the reader is finished; calling `finalize()` again does nothing (or rethrows).
    public mutating func finalize(onFrame: (JSONFrame) throws -> Void) throws {
        if let failure { throw failure }
        let message: String? =
            switch phase {
            case .header where headerLength > 0:
                "input ended inside the length prefix that starts at offset \(headerStart)"
            case .payload:
                "input ended after \(consumed - payloadStart) of the \(declaredLength) payload bytes "
                    + "declared by the frame at offset \(headerStart)"
            case .header, .failed, .finished: nil
            }
        if let message {
            let (line, column) = lines.location
            let error = JSONParseError(
                code: .unexpectedEndOfInput, message: message, offset: consumed, line: line, column: column)
            phase = .failed
            failure = error
            throw error
        }
        phase = .finished
    }

    // MARK: - Prefix

    private mutating func readHeader(_ pointer: UnsafeRawPointer, _ start: Int, _ count: Int) throws -> Int {
        var index = start
        while index < count {
            let byte = pointer.load(fromByteOffset: index, as: UInt8.self)
            let offset = consumed + index
            if headerLength == 0 {
                headerStart = offset
                declaredLength = 0
                // Header errors point at its start, which a later chunk can no longer locate.
                lines.advance(to: offset, in: UnsafeRawBufferPointer(start: pointer, count: count), base: consumed)
                headerLocation = lines.location
            }
            index += 1
            headerLength += 1
            switch prefix {
            case .bigEndianUInt32:
                declaredLength = declaredLength << 8 | Int(byte)
                if headerLength == 4 {
                    try startPayload(at: offset + 1, in: UnsafeRawBufferPointer(start: pointer, count: count))
                    return index
                }
            case .asciiDecimalLine:
                if byte == UInt8(ascii: "\n") {
                    guard headerLength > 1 else {
                        throw frameError(.invalidFrame, at: offset, "expected a decimal length before the newline")
                    }
                    try startPayload(at: offset + 1, in: UnsafeRawBufferPointer(start: pointer, count: count))
                    return index
                }
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else {
                    throw frameError(
                        .invalidFrame, at: offset,
                        "expected an ASCII digit or a newline in the length prefix, found \(describe(byte))")
                }
                let digit = Int(byte - UInt8(ascii: "0"))
                guard declaredLength <= (limits.maxDocumentSize - digit) / 10 else { throw tooLarge(nil) }
                declaredLength = declaredLength * 10 + digit
            }
        }
        return index
    }

    private mutating func startPayload(at offset: Int, in chunk: UnsafeRawBufferPointer) throws {
        headerLength = 0
        guard declaredLength <= limits.maxDocumentSize else { throw tooLarge(declaredLength) }
        guard declaredLength > 0 else {
            throw frameError(.frameLengthMismatch, at: headerStart, "the frame declares 0 bytes: it holds no document")
        }
        payloadStart = offset
        lines.advance(to: offset, in: chunk, base: consumed)
        payloadLocation = lines.location
        documentsInPayload = 0
        scanner.restart(atOffset: offset)
        phase = .payload
    }

    // MARK: - Payload

    private mutating func scanPayload(_ bytes: UnsafeRawBufferPointer) throws {
        var documents = documentsInPayload
        defer { documentsInPayload = documents }
        let secondDocument = secondDocument(at:)
        do {
            try scanner.feed(bytes) { frame in
                documents += 1
                if documents > 1 { throw secondDocument(frame.offset) }
            }
        } catch var error as JSONParseError {
            // The scanner counts lines from the payload's start; `feed` locates the error in the stream.
            (error.line, error.column) = (0, 0)
            throw error
        }
        if documents > 0, let second = scanner.openFrameOffset { throw secondDocument(second) }
    }

    private mutating func finishFrame(_ onFrame: (JSONFrame) throws -> Void) throws {
        let payloadEnd = payloadStart + declaredLength
        var documents = documentsInPayload
        let secondDocument = secondDocument(at:)
        do {
            try scanner.finalize { frame in
                documents += 1
                if documents > 1 { throw secondDocument(frame.offset) }
            }
        } catch let error as JSONParseError where error.code == .unexpectedEndOfInput {
            throw frameError(
                .frameLengthMismatch, at: payloadEnd,
                "the declared length \(declaredLength) ends inside the document that starts at offset "
                    + "\(scanner.openFrameOffset ?? payloadStart)")
        }
        guard documents == 1 else {
            throw frameError(
                .frameLengthMismatch, at: payloadStart,
                "the frame's \(declaredLength) bytes hold only whitespace, not a document")
        }
        let frame = JSONFrame(
            index: frameCount, offset: payloadStart, length: declaredLength,
            line: payloadLocation.line, column: payloadLocation.column)
        frameCount += 1
        phase = .header
        try FrameCallbackError.call(onFrame, frame)
    }

    // MARK: - Errors (`feed` fills in line and column)

    private func secondDocument(at offset: Int) -> JSONParseError {
        frameError(
            .frameLengthMismatch, at: offset,
            "a second document starts inside the \(declaredLength)-byte frame at offset \(headerStart)")
    }

    private func tooLarge(_ length: Int?) -> JSONParseError {
        let declared = length.map { "\($0) bytes" } ?? "a length"
        return frameError(
            .documentTooLarge, at: headerStart,
            "the frame declares \(declared), above the limit of \(limits.maxDocumentSize) bytes")
    }

    private func frameError(_ code: JSONParseError.Code, at offset: Int, _ message: String) -> JSONParseError {
        let (line, column) =
            switch offset {
            case headerStart: headerLocation
            case payloadStart where phase == .payload: payloadLocation
            default: (0, 0)
            }
        return JSONParseError(code: code, message: message, offset: offset, line: line, column: column)
    }
}
