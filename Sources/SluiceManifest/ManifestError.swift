/// A manifest that cannot run, located: the file, the line and column, the field, what was found and what was
/// expected, and close matches for a misspelled name.
///
/// Its description is one line, compiler-style:
/// `pipeline.yaml:7:13: error: stages[1].filtr: unknown operator 'filtr'; expected one of filter, project, …;
/// did you mean 'filter'?`
public struct ManifestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable classification.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's text, e.g. `unknown operator`.
        public let description: String

        /// The file could not be read.
        public static let unreadable = Code(description: "unreadable")
        /// The text is not valid YAML or JSON.
        public static let syntax = Code(description: "syntax")
        /// A required field is missing.
        public static let missingField = Code(description: "missing field")
        /// A field the manifest format does not have.
        public static let unknownField = Code(description: "unknown field")
        /// A stage names no built-in operator.
        public static let unknownOperator = Code(description: "unknown operator")
        /// A value of the wrong type or out of range.
        public static let invalidValue = Code(description: "invalid value")
        /// A predicate or field path that does not parse.
        public static let invalidExpression = Code(description: "invalid expression")
        /// Two stages that do not fit together.
        public static let typeMismatch = Code(description: "type mismatch")
        /// A connector URI or option the registry rejects.
        public static let connector = Code(description: "connector")
    }

    /// What went wrong.
    public var code: Code
    /// The manifest's path as given.
    public var file: String
    /// 1-based line (0 when the whole file is concerned).
    public var line: Int
    /// 1-based column (0 when the whole file is concerned).
    public var column: Int
    /// The field, as a path: `stages[1].filter`, `source.uri`.
    public var field: String
    /// What is wrong.
    public var message: String
    /// What would have been accepted.
    public var expected: String?
    /// Close matches for a misspelled name.
    public var suggestions: [String]
    /// The underlying error's text, if any.
    public var cause: String?

    /// Creates an error.
    public init(
        code: Code, file: String, line: Int, column: Int, field: String, message: String, expected: String? = nil,
        suggestions: [String] = [], cause: String? = nil
    ) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
        self.expected = expected
        self.suggestions = suggestions
        self.cause = cause
    }

    /// `FILE:LINE:COLUMN: error: FIELD: MESSAGE; expected …; did you mean …?`
    public var description: String {
        var text = "\(file):\(line):\(column): error: \(field.isEmpty ? "" : field + ": ")\(message)"
        if let expected { text += "; expected \(expected)" }
        if !suggestions.isEmpty {
            text += "; did you mean " + suggestions.map { "'\($0)'" }.joined(separator: " or ") + "?"
        }
        if let cause { text += " (\(cause))" }
        return text
    }
}
