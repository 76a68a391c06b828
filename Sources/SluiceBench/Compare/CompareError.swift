/// Why a commit comparison stopped before any verdict: no partial verdict is ever reported.
public struct CompareError: Error, Sendable, CustomStringConvertible {
    /// What kind of error this is. New codes may be added; switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case notARepository, unknownRevision, dirtyWorkTree, checkoutFailed, buildFailed, workerFailed
            case badSuite, benchmarkFailed
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The folder is not a git work tree.
        public static let notARepository = Code(.notARepository)
        /// A revision does not name a commit.
        public static let unknownRevision = Code(.unknownRevision)
        /// The work tree has uncommitted changes and `--allow-dirty` was not given.
        public static let dirtyWorkTree = Code(.dirtyWorkTree)
        /// Exporting a revision's tree failed.
        public static let checkoutFailed = Code(.checkoutFailed)
        /// Building a revision failed; the message ends with the build log's tail.
        public static let buildFailed = Code(.buildFailed)
        /// A worker process could not be started, died, or broke the protocol.
        public static let workerFailed = Code(.workerFailed)
        /// One benchmark failed on one side (a Functional Fail for it); the comparison goes on.
        public static let benchmarkFailed = Code(.benchmarkFailed)
        /// The suite file is missing or damaged.
        public static let badSuite = Code(.badSuite)

        public var description: String { value.rawValue }
    }

    public var code: Code
    /// What is wrong and how to fix it.
    public var message: String
    /// Which side (`A` or `B`) the error concerns, when one does.
    public var side: String?

    /// Creates an error.
    public init(code: Code, message: String, side: String? = nil) {
        self.code = code
        self.message = message
        self.side = side
    }

    public var description: String {
        side.map { "revision \($0): \(message)" } ?? message
    }

    /// The exit code: bad input for a wrong revision, a dirty tree or a bad suite; harness error otherwise.
    public var exitCode: HarnessExitCode {
        switch code {
        case .unknownRevision, .dirtyWorkTree, .badSuite, .notARepository: .badInput
        default: .harnessError
        }
    }
}
