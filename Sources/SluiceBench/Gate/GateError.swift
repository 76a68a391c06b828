/// An error from the gate, the baseline store or the report writer: what went wrong, in which file or field.
///
/// Each code maps to one of the harness's exit codes (see `GateError.Code`).
public struct GateError: Error, CustomStringConvertible, Sendable {
    /// What kind of error this is. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case badInput = "bad input"
            case missingBaseline = "missing baseline"
            case incomparableEnvironment = "incomparable environment"
            case expiredWaiver = "expired waiver"
            case ioFailure = "I/O failure"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A file is damaged, truncated, of the wrong schema version, or a value in it is invalid.
        public static let badInput = Code(.badInput)
        /// No baseline exists where the gate looked.
        public static let missingBaseline = Code(.missingBaseline)
        /// Baseline and candidate come from environments that cannot be compared.
        public static let incomparableEnvironment = Code(.incomparableEnvironment)
        /// A waiver in the suite file is past its expiry date (a kind of bad input).
        public static let expiredWaiver = Code(.expiredWaiver)
        /// Reading or writing a file failed for a reason other than its content (permissions, disk full).
        public static let ioFailure = Code(.ioFailure)

        public var description: String { base.rawValue }
    }

    /// The kind of error.
    public var code: Code
    /// A message that says what is wrong and how to fix it.
    public var message: String
    /// The file concerned, when there is one.
    public var file: String?
    /// The field or JSON path concerned, when there is one.
    public var field: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, file: String? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.field = field
    }

    /// The exit code this error maps to.
    public var exitCode: HarnessExitCode {
        switch code {
        case .missingBaseline: .missingBaseline
        case .incomparableEnvironment: .incomparableEnvironment
        case .badInput, .expiredWaiver: .badInput
        default: .harnessError
        }
    }

    public var description: String {
        var text = "\(code): "
        if let file { text += "\(file): " }
        if let field { text += "field '\(field)': " }
        return text + message
    }
}
