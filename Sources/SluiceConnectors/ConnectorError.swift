/// A connector URI or option that cannot be used, or a connector that failed while running.
///
/// `field` names what was wrong (`uri`, or the option's name); `expected` says what would have been accepted;
/// `suggestions` holds close matches for a misspelled scheme or option.
public struct ConnectorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable classification.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's text, e.g. `unknown scheme`.
        public let description: String

        /// The URI names no registered scheme.
        public static let unknownScheme = Code(description: "unknown scheme")
        /// The URI is registered but cannot be used here (wrong role, bad target, not in this build).
        public static let invalidURI = Code(description: "invalid uri")
        /// An option the connector does not know.
        public static let unknownOption = Code(description: "unknown option")
        /// An option whose value has the wrong type or is out of range.
        public static let invalidOption = Code(description: "invalid option")
        /// The connector is registered but not available in this build.
        public static let unavailable = Code(description: "not available")
        /// Opening, reading or writing failed while running.
        public static let ioFailed = Code(description: "i/o failed")
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable message (without the field or the expectation).
    public var message: String
    /// What was wrong: `uri`, or an option's name.
    public var field: String
    /// What would have been accepted.
    public var expected: String?
    /// Close matches for a misspelled name.
    public var suggestions: [String]
    /// The underlying error, if any.
    public var cause: String?

    /// Creates an error.
    public init(
        code: Code, message: String, field: String, expected: String? = nil, suggestions: [String] = [],
        cause: String? = nil
    ) {
        self.code = code
        self.message = message
        self.field = field
        self.expected = expected
        self.suggestions = suggestions
        self.cause = cause
    }

    /// `field: message`, then `; expected …`, `; did you mean '…'?` and ` (cause)` for the parts that are set.
    public var description: String {
        var text = "\(field): \(message)"
        if let expected { text += "; expected \(expected)" }
        if !suggestions.isEmpty { text += "; did you mean " + suggestions.map { "'\($0)'" }.joined(separator: " or ") + "?" }
        if let cause { text += " (\(cause))" }
        return text
    }
}
