/// An error from the measuring half of the harness: a bad suite or results file, an unknown benchmark,
/// a failed worker process.
///
/// Every error names the file (when there is one) and the field path inside it, e.g.
/// `suites/pr.json: benchmarks[3].settings.minRounds: expected an integer, found "five"`.
public struct HarnessError: Error, Sendable, CustomStringConvertible {
    /// What kind of error this is. New codes may be added; switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case invalidSuite, unknownSuite, unknownBenchmark, invalidResults, invalidArgument, io, worker
            case benchmarkSetup, missingBase
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A suite file is malformed: syntax, unknown field, wrong type, bad schema version.
        public static let invalidSuite = Code(.invalidSuite)
        /// No suite file of that name exists.
        public static let unknownSuite = Code(.unknownSuite)
        /// A benchmark name is not registered.
        public static let unknownBenchmark = Code(.unknownBenchmark)
        /// A results file is damaged, truncated or of an unknown schema version.
        public static let invalidResults = Code(.invalidResults)
        /// A command-line argument or run option is invalid.
        public static let invalidArgument = Code(.invalidArgument)
        /// Reading or writing a file failed.
        public static let io = Code(.io)
        /// A worker process failed or broke the protocol.
        public static let worker = Code(.worker)
        /// A benchmark's setup failed (e.g. a missing corpus file).
        public static let benchmarkSetup = Code(.benchmarkSetup)
        /// The gate found no base revision to judge the work tree against (exit 6, never a silent pass).
        public static let missingBase = Code(.missingBase)

        public var description: String { value.rawValue }
    }

    /// The kind of error.
    public var code: Code
    /// What is wrong and, where possible, what was expected.
    public var message: String
    /// The file concerned, as the user named it.
    public var file: String?
    /// The field path inside the file, e.g. `benchmarks[3].settings.minRounds`.
    public var field: String?
    /// The error underneath, when this one wraps another (a decoding error, an errno).
    public var cause: String?

    /// Creates an error.
    public init(code: Code, message: String, file: String? = nil, field: String? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.field = field
        self.cause = cause
    }

    /// `file: field: message (cause: …)`, leaving out what is absent.
    public var description: String {
        [file, field, message].compactMap { $0 }.joined(separator: ": ") + (cause.map { " (cause: \($0))" } ?? "")
    }

    /// The exit code this error maps to: bad input for bad files and arguments, else harness error.
    public var exitCode: HarnessExitCode {
        switch code {
        case .invalidSuite, .unknownSuite, .unknownBenchmark, .invalidResults, .invalidArgument, .missingBase: .badInput
        default: .harnessError
        }
    }
}
