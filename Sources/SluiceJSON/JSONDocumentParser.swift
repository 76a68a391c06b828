/// Parses one whole JSON document held in memory into a `JSONValue`, through `JSONTokenReader`.
///
/// This is the entry point for callers that already hold a complete document (for example a framing
/// assembler that found its boundaries). O(document size); strict RFC 8259 with UTF-8 validation.
public enum JSONDocumentParser {
    /// Parses exactly one document from `bytes` (surrounding whitespace allowed).
    ///
    /// - Parameter baseOffset: added to error offsets, so that errors name the position in a larger stream.
    /// - Throws: `JSONParseError` for invalid, truncated or trailing input, or a limit exceeded.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: JSONLimits = .default, baseOffset: Int = 0
    ) throws(JSONParseError) -> JSONValue {
        var reader = JSONTokenReader(limits: limits)
        reader.feed(bytes)
        var materializer = JSONTokenMaterializer()
        var result: JSONValue?
        var outcome: JSONParseError?
        withUnsafeTemporaryAllocation(of: JSONToken.self, capacity: 512) { tokens in
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
        if var outcome {
            outcome.offset &+= baseOffset
            throw outcome
        }
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
