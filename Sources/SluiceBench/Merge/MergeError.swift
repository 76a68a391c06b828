/// Why shard results could not be merged: it names the file(s) concerned.
public struct MergeError: Error, Sendable, CustomStringConvertible {
    /// What kind of error this is. New codes may be added; switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case noInput, notAShard, invalidShard, shardCountMismatch, suiteMismatch, environmentMismatch
            case duplicateBenchmark, incompatibleMetrics
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// No results files were given.
        public static let noInput = Code(.noInput)
        /// A file has no `shard` field: it is a whole run, not a shard.
        public static let notAShard = Code(.notAShard)
        /// A file's `shard` is not `K/N` with 1 ≤ K ≤ N.
        public static let invalidShard = Code(.invalidShard)
        /// Shards of different splits (`1/3` with `2/4`).
        public static let shardCountMismatch = Code(.shardCountMismatch)
        /// Shards of different suites.
        public static let suiteMismatch = Code(.suiteMismatch)
        /// Fingerprints differ in a field other than the shard: the parts were not measured alike.
        public static let environmentMismatch = Code(.environmentMismatch)
        /// The same benchmark is in two different shards: the split was not the same.
        public static let duplicateBenchmark = Code(.duplicateBenchmark)
        /// Two runs of one shard recorded a metric in ways that cannot be combined.
        public static let incompatibleMetrics = Code(.incompatibleMetrics)

        public var description: String { value.rawValue }
    }

    public var code: Code
    /// What is wrong and how to fix it.
    public var message: String
    /// The files concerned, as given.
    public var files: [String]

    /// Creates an error.
    public init(code: Code, message: String, files: [String] = []) {
        self.code = code
        self.message = message
        self.files = files
    }

    /// `files: message`.
    public var description: String {
        files.isEmpty ? message : "\(files.joined(separator: ", ")): \(message)"
    }
}

extension MergeError {
    /// The exit code this error maps to: incomparable environment for differing fingerprints, else bad input.
    public var exitCode: HarnessExitCode {
        code == .environmentMismatch ? .incomparableEnvironment : .badInput
    }
}
