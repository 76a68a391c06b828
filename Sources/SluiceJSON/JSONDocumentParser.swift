/// Parses one whole JSON document held in memory into a `JSONValue`.
///
/// This is the entry point for callers that already hold a complete document (for example a framing
/// assembler that found its boundaries). O(document size); strict RFC 8259 with UTF-8 validation.
///
/// A whole buffer is first parsed in one recursive-descent pass (`JSONProjectingParser` with the whole
/// selection: the token reader's grammar, no token buffer, no copy). A document it does not accept (invalid, or
/// at a limit) is parsed again through `JSONTokenReader` and `JSONTokenMaterializer`, which report the error with
/// its offset, line and column; the value is the same either way (the tests hold both paths to it).
public enum JSONDocumentParser {
    /// Parses exactly one document from `bytes` (surrounding whitespace allowed).
    ///
    /// - Parameters:
    ///   - baseOffset: added to error offsets, so that errors name the position in a larger stream.
    ///   - scanPath: the token reader's scan path (same value and errors on both).
    /// - Throws: `JSONParseError` for invalid, truncated or trailing input, or a limit exceeded.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: JSONLimits = .default, baseOffset: Int = 0,
        scanPath: JSONScanPath = .preferred
    ) throws(JSONParseError) -> JSONValue {
        if let value = JSONProjectingParser(selection: .whole, limits: limits).parse(bytes) { return value }
        return try parseThroughTokens(bytes, limits: limits, baseOffset: baseOffset, scanPath: scanPath)
    }

    /// `parse(_:limits:baseOffset:scanPath:)` through the token reader and the materializer only: the path that
    /// reports errors, and the oracle of the one-pass parser in the tests.
    static func parseThroughTokens(
        _ bytes: UnsafeRawBufferPointer, limits: JSONLimits = .default, baseOffset: Int = 0,
        scanPath: JSONScanPath = .preferred
    ) throws(JSONParseError) -> JSONValue {
        var reader = JSONTokenReader(limits: limits, scanPath: scanPath)
        reader.feed(bytes)
        do {
            return try parse(&reader)
        } catch {
            var error = error
            error.offset &+= baseOffset
            throw error
        }
    }

    /// Parses one framed document from `bytes` (the frame's bytes, read in place: the array is adopted as the
    /// reader's window, not copied). Errors name the position in the whole stream: the absolute offset, and
    /// the line and column counted from the stream's first byte, exactly as `JSONStreamingMaterializer` does.
    public static func parse(
        _ bytes: [UInt8], frame: JSONFrame, limits: JSONLimits = .default
    ) throws(JSONParseError) -> JSONValue {
        let fast = bytes.withUnsafeBytes { JSONProjectingParser(selection: .whole, limits: limits).parse($0) }
        if let fast { return fast }
        var reader = JSONTokenReader(adopting: bytes, limits: limits)
        do {
            return try parse(&reader)
        } catch {
            throw error.relocated(to: frame)
        }
    }

    /// Parses one framed document whose bytes lie in the caller's buffer, taking the `String`s of short repeated
    /// keys from `keys` (see `JSONKeyCache`); otherwise as `parse(_:frame:limits:)`.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, frame: JSONFrame, limits: JSONLimits = .default, keys: inout JSONKeyCache
    ) throws(JSONParseError) -> JSONValue {
        if let value = JSONProjectingParser(selection: .whole, limits: limits).parse(bytes, keys: &keys) { return value }
        return try parseRefused(bytes, frame: frame, limits: limits)
    }

    /// Parses one framed document whose bytes lie in the caller's buffer; see `parse(_:frame:limits:)`.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, frame: JSONFrame, limits: JSONLimits = .default
    ) throws(JSONParseError) -> JSONValue {
        if let value = JSONProjectingParser(selection: .whole, limits: limits).parse(bytes) { return value }
        return try parseRefused(bytes, frame: frame, limits: limits)
    }

    /// A framed document the one-pass parser refused, through the token path: its value, or its error located in
    /// the whole stream.
    private static func parseRefused(
        _ bytes: UnsafeRawBufferPointer, frame: JSONFrame, limits: JSONLimits
    ) throws(JSONParseError) -> JSONValue {
        do {
            return try parseThroughTokens(bytes, limits: limits)
        } catch {
            throw error.relocated(to: frame)
        }
    }

    /// Reads every token of the one document `reader` holds (fed, not finalized) into a `JSONValue`.
    static func parse(_ reader: inout JSONTokenReader) throws(JSONParseError) -> JSONValue {
        var materializer = JSONTokenMaterializer()
        var result: JSONValue?
        var outcome: JSONParseError?
        withUnsafeTemporaryAllocation(of: JSONToken.self, capacity: StackScratch.capacity(of: JSONToken.self)) {
            tokens in
            do throws(JSONParseError) {
                var finalized = false
                while true {
                    let count = try reader.read(into: tokens)
                    if count == 0 {
                        if finalized { break }
                        try reader.finalize()
                        finalized = true
                        continue
                    }
                    materializer.consume(UnsafeBufferPointer(rebasing: tokens[..<count]), from: reader) { result = $0 }
                }
            } catch {
                outcome = error
            }
        }
        if let outcome { throw outcome }
        // The reader accepted exactly one document, so the materializer produced it.
        guard let result else { preconditionFailure("a finished document produced no value") }
        return result
    }

    /// Parses exactly one document from `bytes`; see `parse(_:limits:baseOffset:)`.
    public static func parse(
        _ bytes: some Collection<UInt8>, limits: JSONLimits = .default, baseOffset: Int = 0
    ) throws(JSONParseError) -> JSONValue {
        var outcome: Result<JSONValue, JSONParseError>?
        _ = bytes.withContiguousStorageIfAvailable { buffer in
            outcome = Result { () throws(JSONParseError) -> JSONValue in
                try parse(UnsafeRawBufferPointer(buffer), limits: limits, baseOffset: baseOffset)
            }
        }
        if outcome == nil {
            let copy = Array(bytes)
            outcome = copy.withUnsafeBytes { buffer in
                Result { () throws(JSONParseError) -> JSONValue in
                    try parse(buffer, limits: limits, baseOffset: baseOffset)
                }
            }
        }
        // One of the two branches above always sets it.
        return try outcome!.get()
    }
}

extension JSONValue {
    /// Parses exactly one JSON document from `bytes`. See `JSONDocumentParser.parse(_:limits:baseOffset:)`.
    public init(parsing bytes: some Collection<UInt8>, limits: JSONLimits = .default) throws(JSONParseError) {
        self = try JSONDocumentParser.parse(bytes, limits: limits)
    }
}
