/// A manifest run that could not start or failed while running (the manifest itself was valid).
public struct ManifestRunError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable classification.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's text: `source`, `sink` or `checkpoint`.
        public let description: String

        /// The source could not be opened or read.
        public static let source = Code(description: "source")
        /// The sink or the dead-letter sink could not be opened or written.
        public static let sink = Code(description: "sink")
        /// The checkpoint folder holds a finished run, or an unreadable checkpoint.
        public static let checkpoint = Code(description: "checkpoint")
    }

    /// Which part failed, for code to match on.
    public var code: Code
    /// For people: names the endpoint, file or folder.
    public var message: String
    /// The underlying error, described, when there is one.
    public var cause: String?

    /// Creates an error.
    public init(code: Code, message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message, with the cause in parentheses.
    public var description: String { message + (cause.map { " (\($0))" } ?? "") }
}
