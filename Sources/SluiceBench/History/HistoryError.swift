/// An error reading or writing a history store: it names the file and, for a damaged line, its line number.
public struct HistoryError: Error, Sendable, CustomStringConvertible {
    /// What kind of error this is. New codes may be added; switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case damagedLine, unsupportedSchemaVersion, io
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A line is not a complete, valid history entry (truncated, edited, not JSON, missing a field).
        public static let damagedLine = Code(.damagedLine)
        /// A line was written by a schema version this harness does not read.
        public static let unsupportedSchemaVersion = Code(.unsupportedSchemaVersion)
        /// Reading, locking or writing the file failed.
        public static let io = Code(.io)

        public var description: String { value.rawValue }
    }

    /// The kind of error.
    public var code: Code
    /// What is wrong and what was expected.
    public var message: String
    /// The history file, as given.
    public var file: String
    /// The 1-based line number, for errors about one line.
    public var line: Int?

    /// Creates an error.
    public init(code: Code, message: String, file: String, line: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// `file:line: message`, like a compiler diagnostic.
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

extension HistoryError {
    /// The exit code this error maps to: bad input for a damaged or unsupported store, else harness error.
    public var exitCode: HarnessExitCode {
        code == .io ? .harnessError : .badInput
    }
}
