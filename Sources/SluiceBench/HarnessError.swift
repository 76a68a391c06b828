/// The harness's one error type: what went wrong, in which file and field, with the error underneath.
///
/// Every part of the harness throws it: suite and results files, the gate, baselines, reports, history,
/// shard merging, commit comparison and worker processes. Each code maps to one exit code (`exitCode`), so the
/// CLI maps errors to exit codes in one place (`HarnessExitCode(error:)`). The description reads like a
/// compiler diagnostic: `suites/pr.json: benchmarks[3].settings.minRounds: expected an integer, found "five"`.
public struct HarnessError: Error, Sendable, CustomStringConvertible {
    /// What kind of error this is. New codes may be added; switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            // Files and arguments (exit 6).
            case invalidSuite, unknownSuite, unknownBenchmark, invalidResults, invalidArgument, badInput
            case expiredWaiver, missingBase, unknownRevision, dirtyWorkTree, notARepository
            case damagedLine, unsupportedSchemaVersion
            case noInput, notAShard, invalidShard, shardCountMismatch, suiteMismatch, duplicateBenchmark
            case incompatibleMetrics
            // Baselines and environments (exits 4 and 5).
            case missingBaseline, incomparableEnvironment, environmentMismatch
            // The harness itself (exit 7).
            case io, worker, benchmarkSetup, checkoutFailed, buildFailed, benchmarkFailed
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
        /// A file is damaged, truncated, of the wrong schema version, or a value in it is invalid.
        public static let badInput = Code(.badInput)
        /// A waiver in the suite file is past its expiry date.
        public static let expiredWaiver = Code(.expiredWaiver)
        /// The gate found no base revision to judge the work tree against (never a silent pass).
        public static let missingBase = Code(.missingBase)
        /// A revision does not name a commit.
        public static let unknownRevision = Code(.unknownRevision)
        /// The work tree has uncommitted changes and they were not allowed.
        public static let dirtyWorkTree = Code(.dirtyWorkTree)
        /// The folder is not a git work tree.
        public static let notARepository = Code(.notARepository)
        /// A history line is not a complete, valid entry.
        public static let damagedLine = Code(.damagedLine)
        /// A history line was written by a schema version this harness does not read.
        public static let unsupportedSchemaVersion = Code(.unsupportedSchemaVersion)
        /// Merging: no results files were given.
        public static let noInput = Code(.noInput)
        /// Merging: a file is a whole run, not a shard.
        public static let notAShard = Code(.notAShard)
        /// Merging: a file's `shard` is not `K/N` with 1 ≤ K ≤ N.
        public static let invalidShard = Code(.invalidShard)
        /// Merging: shards of different splits.
        public static let shardCountMismatch = Code(.shardCountMismatch)
        /// Merging: shards of different suites.
        public static let suiteMismatch = Code(.suiteMismatch)
        /// Merging: the same benchmark is in two different shards.
        public static let duplicateBenchmark = Code(.duplicateBenchmark)
        /// Merging: two runs of one shard recorded a metric in ways that cannot be combined.
        public static let incompatibleMetrics = Code(.incompatibleMetrics)
        /// No baseline exists where the gate looked.
        public static let missingBaseline = Code(.missingBaseline)
        /// Baseline and candidate come from environments that cannot be compared.
        public static let incomparableEnvironment = Code(.incomparableEnvironment)
        /// Merging: fingerprints differ in a field other than the shard.
        public static let environmentMismatch = Code(.environmentMismatch)
        /// Reading or writing a file failed for a reason other than its content.
        public static let io = Code(.io)
        /// A worker process could not start, died, or broke the protocol.
        public static let worker = Code(.worker)
        /// A benchmark's setup failed (e.g. a missing corpus file).
        public static let benchmarkSetup = Code(.benchmarkSetup)
        /// Exporting a revision's tree failed.
        public static let checkoutFailed = Code(.checkoutFailed)
        /// Building a revision failed; the message ends with the build log's tail.
        public static let buildFailed = Code(.buildFailed)
        /// One benchmark failed on one side of a comparison (a Functional Fail for it); the comparison goes on.
        public static let benchmarkFailed = Code(.benchmarkFailed)

        /// Old names of codes that were merged (the gate's `ioFailure`, the comparison's `workerFailed` and
        /// `badSuite`).
        public static let ioFailure = io
        /// The comparison's old name for `worker`.
        public static let workerFailed = worker
        /// The comparison's old name for `invalidSuite`.
        public static let badSuite = invalidSuite

        /// The code's name, e.g. `invalidSuite`.
        public var description: String { value.rawValue }

        /// The exit code of this kind of error.
        public var exitCode: HarnessExitCode {
            switch value {
            case .missingBaseline: .missingBaseline
            case .incomparableEnvironment, .environmentMismatch: .incomparableEnvironment
            case .io, .worker, .benchmarkSetup, .checkoutFailed, .buildFailed, .benchmarkFailed: .harnessError
            default: .badInput
            }
        }
    }

    /// The kind of error.
    public var code: Code
    /// What is wrong and, where possible, what was expected and how to fix it.
    public var message: String
    /// The file concerned, as the user named it (several joined with ", ").
    public var file: String?
    /// The field path inside the file (`benchmarks[3].settings.minRounds`), a line (`line 12`), a
    /// command-line option (`--base`) or a side of a comparison (`revision A`).
    public var field: String?
    /// The error underneath, when this one wraps another (a decoding error, a Foundation file error), kept as
    /// it was thrown so callers can inspect it; `description` ends with its description.
    public var cause: (any Error)?

    /// Creates an error.
    public init(code: Code, message: String, file: String? = nil, field: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.field = field
        self.cause = cause
    }

    /// Creates an error (the gate's short form).
    public init(_ code: Code, _ message: String, file: String? = nil, field: String? = nil) {
        self.init(code: code, message: message, file: file, field: field)
    }

    /// An error about one side of a commit comparison (`A` or `B`).
    public init(code: Code, message: String, side: String?) {
        self.init(code: code, message: message, field: side.map { "revision \($0)" })
    }

    /// An error about one line of a file (history stores).
    public init(code: Code, message: String, file: String, line: Int?) {
        self.init(code: code, message: message, file: file, field: line.map { "line \($0)" })
    }

    /// An error about several files (shard merging).
    public init(code: Code, message: String, files: [String]) {
        self.init(code: code, message: message, file: files.isEmpty ? nil : files.joined(separator: ", "))
    }

    /// `file: field: message (cause: …)`, leaving out what is absent.
    public var description: String {
        [file, field, message].compactMap { $0 }.joined(separator: ": ")
            + (causeDescription.map { " (cause: \($0))" } ?? "")
    }

    /// The description of the error underneath, if any.
    public var causeDescription: String? {
        cause.map { String(describing: $0) }
    }

    /// The exit code this error maps to.
    public var exitCode: HarnessExitCode { code.exitCode }
}

/// Old names of `HarnessError`, from when the gate, the comparison, the history and the merger each had their
/// own error type. They are the same type now.
public typealias GateError = HarnessError
/// The commit comparison's old error type.
public typealias CompareError = HarnessError
/// The history store's old error type.
public typealias HistoryError = HarnessError
/// The shard merger's old error type.
public typealias MergeError = HarnessError
