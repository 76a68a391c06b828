/// An error found in JSON input: what went wrong, and exactly where.
///
/// Every error carries the absolute byte offset in the stream (counted from the first byte ever fed),
/// the 1-based line and column of that byte, the JSON path where it is known (for example `$.users[3].name`),
/// and a message that says what was expected. The same input gives the same error at the same offset,
/// whatever the chunk boundaries were.
public struct JSONParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, extensible classification of parse errors.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: Hashable, Sendable {
            case unexpectedByte
            case unexpectedEndOfInput
            case invalidLiteral
            case invalidNumber
            case invalidString
            case invalidEscape
            case invalidUnicodeEscape
            case invalidUTF8
            case controlCharacterInString
            case trailingContent
            case depthLimitExceeded
            case tokenTooLarge
            case documentTooLarge
            case invalidFrame
            case frameLengthMismatch
        }

        let base: Base

        /// A byte that cannot appear at this position.
        public static let unexpectedByte = Code(base: .unexpectedByte)
        /// The input ended inside a value (reported by `finalize()` for truncated input).
        public static let unexpectedEndOfInput = Code(base: .unexpectedEndOfInput)
        /// A misspelled `true`, `false` or `null`.
        public static let invalidLiteral = Code(base: .invalidLiteral)
        /// A number that RFC 8259 does not allow, such as `01`, `1.` or `-`.
        public static let invalidNumber = Code(base: .invalidNumber)
        /// A malformed string.
        public static let invalidString = Code(base: .invalidString)
        /// A backslash escape that RFC 8259 does not define.
        public static let invalidEscape = Code(base: .invalidEscape)
        /// A bad `\u` escape: non-hex digits or an unpaired surrogate.
        public static let invalidUnicodeEscape = Code(base: .invalidUnicodeEscape)
        /// Bytes that are not well-formed UTF-8.
        public static let invalidUTF8 = Code(base: .invalidUTF8)
        /// An unescaped control character (U+0000 to U+001F) inside a string.
        public static let controlCharacterInString = Code(base: .controlCharacterInString)
        /// Non-whitespace after a complete document where only one document is allowed.
        public static let trailingContent = Code(base: .trailingContent)
        /// Nesting deeper than `JSONLimits.maxDepth`.
        public static let depthLimitExceeded = Code(base: .depthLimitExceeded)
        /// A string, key or number longer than `JSONLimits.maxTokenLength`.
        public static let tokenTooLarge = Code(base: .tokenTooLarge)
        /// A document larger than `JSONLimits.maxDocumentSize`.
        public static let documentTooLarge = Code(base: .documentTooLarge)
        /// A malformed frame header (for example a length prefix that is not a number).
        public static let invalidFrame = Code(base: .invalidFrame)
        /// A frame whose declared length disagrees with its content.
        public static let frameLengthMismatch = Code(base: .frameLengthMismatch)

        /// The code in words, e.g. `invalid number` (also the dead-letter `errorCode`).
        public var description: String {
            switch base {
            case .unexpectedByte: "unexpected byte"
            case .unexpectedEndOfInput: "unexpected end of input"
            case .invalidLiteral: "invalid literal"
            case .invalidNumber: "invalid number"
            case .invalidString: "invalid string"
            case .invalidEscape: "invalid escape"
            case .invalidUnicodeEscape: "invalid unicode escape"
            case .invalidUTF8: "invalid UTF-8"
            case .controlCharacterInString: "control character in string"
            case .trailingContent: "trailing content"
            case .depthLimitExceeded: "depth limit exceeded"
            case .tokenTooLarge: "token too large"
            case .documentTooLarge: "document too large"
            case .invalidFrame: "invalid frame"
            case .frameLengthMismatch: "frame length mismatch"
            }
        }
    }

    /// What kind of error this is.
    public var code: Code
    /// A human-readable message that says what was found and what was expected.
    public var message: String
    /// The absolute byte offset of the offending byte in the whole stream (0-based).
    public var offset: Int
    /// The 1-based line of the offending byte (lines end at `\n`).
    public var line: Int
    /// The 1-based column, in bytes, of the offending byte.
    public var column: Int
    /// The JSON path to the value being parsed, such as `$.a[2].b`, or `nil` where it is not known.
    public var path: String?

    /// Creates an error; parsers fill in every field.
    public init(code: Code, message: String, offset: Int, line: Int, column: Int, path: String? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
        self.path = path
    }

    /// `offset N (line L, column C): message [at path]`, the form the `sluice` tool prints after the file name.
    public var description: String {
        var text = "offset \(offset) (line \(line), column \(column)): \(message)"
        if let path { text += " at \(path)" }
        return text
    }
}

extension JSONParseError {
    /// This error, found in one framed document, moved to its position in the whole stream: the offset made
    /// absolute, and the line and column counted from the stream's first byte (a column on the document's first
    /// line is shifted by the frame's column). Used by every framed parse so they all report the same position.
    public func relocated(to frame: JSONFrame) -> JSONParseError {
        var error = self
        error.offset += frame.offset
        if error.line == 1 {
            error.column += frame.column - 1
        }
        error.line += frame.line - 1
        return error
    }
}
