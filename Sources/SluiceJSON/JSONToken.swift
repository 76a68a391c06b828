/// One token of a JSON stream (the design document's "PStream").
///
/// String, key and number tokens do not copy their bytes: they carry a `JSONSpan`, a range of the
/// input that the reader which produced them can decode on demand (unescaped string, `Int64`,
/// `Double` or exact text). A span stays valid until the next call that feeds the reader.
public enum JSONToken: Hashable, Sendable {
    case beginObject
    case endObject
    case beginArray
    case endArray
    /// An object member's name. The span covers the characters between the quotes.
    case key(JSONSpan)
    /// A string value. The span covers the characters between the quotes.
    case string(JSONSpan)
    /// A number value. The span covers its text.
    case number(JSONSpan)
    case `true`
    case `false`
    case null
    /// The end of one complete top-level document.
    case endOfDocument
}

/// A range of bytes in the input stream, by absolute offset, with what the scanner learned about it.
public struct JSONSpan: Hashable, Sendable {
    /// Absolute offset of the first byte in the stream (for strings and keys, the byte after the opening quote).
    public var offset: Int
    /// Length in bytes.
    public var length: Int
    /// For strings and keys: the span contains at least one backslash escape, so decoding must unescape.
    /// For numbers: the text has a fraction or an exponent.
    public var flag: Bool

    /// Creates a span.
    public init(offset: Int, length: Int, flag: Bool = false) {
        self.offset = offset
        self.length = length
        self.flag = flag
    }
}
