import Foundation

/// Everything a suite run needs besides the clock: the suite, the selection, the isolation and the policy.
public struct RunConfiguration: Sendable {
    /// Where the measuring happens.
    public enum Isolation: Sendable, Hashable {
        /// Everything in this process (tests; `processes` in the suite is then ignored and recorded as 1).
        case inProcess
        /// Timing rounds in this process when `processes` is 1, else spread over that many worker processes
        /// of `executable`; the allocation lane always in a worker of its own (started with
        /// `MALLOC_CONF=tcache:false`). `executable` is normally this binary, `/proc/self/exe`.
        case workers(executable: URL)
    }

    /// The suite to run: its benchmarks, settings and metrics.
    public var suite: SuiteFile
    /// A regular expression benchmark names must match (searched, not anchored); nil runs all.
    public var filter: String?
    /// Run only this shard of the selected benchmarks.
    public var shard: BenchmarkShard?
    /// Where the measuring happens; `.inProcess` by default.
    public var isolation: Isolation
    /// Whether to run the allocation lane when the suite asks for allocation metrics.
    public var capturesAllocations: Bool
    /// How samples, warm-up and rounds are sized and judged; `sluice-bench run`'s defaults unless given.
    public var policy: MeasurementPolicy
    /// The run's id; nil makes one from the time and suite (`20261129T080102Z-pr-3f2a`).
    public var runID: String?
    /// Resolves the suite's benchmark names; `.standard` by default.
    public var registry: BenchmarkRegistry

    /// Creates a configuration.
    public init(
        suite: SuiteFile, filter: String? = nil, shard: BenchmarkShard? = nil, isolation: Isolation = .inProcess,
        capturesAllocations: Bool = true, policy: MeasurementPolicy = MeasurementPolicy(), runID: String? = nil,
        registry: BenchmarkRegistry = .standard
    ) {
        self.suite = suite
        self.filter = filter
        self.shard = shard
        self.isolation = isolation
        self.capturesAllocations = capturesAllocations
        self.policy = policy
        self.runID = runID
        self.registry = registry
    }

    /// The suite entries this run measures, in suite order, after the filter and the shard.
    /// Throws `invalidArgument` for a filter that is not a valid regular expression.
    public func selectedEntries() throws -> [SuiteBenchmark] {
        var entries = suite.benchmarks
        if let filter {
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex(filter)
            } catch {
                throw HarnessError(
                    code: .invalidArgument, message: "not a valid regular expression: \(error)", field: "--filter")
            }
            entries = entries.filter { $0.name.contains(regex) }
        }
        if let shard {
            let names = Set(shard.select(entries.map(\.name)))
            entries = entries.filter { names.contains($0.name) }
        }
        return entries
    }

    /// A new run id: UTC time, suite name and 4 random hex digits.
    public static func makeRunID(suite: String, date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return "\(formatter.string(from: date))-\(suite)-\(String(repeating: "0", count: 4 - suffix.count))\(suffix)"
    }
}

/// What a suite run produced, and the exit code that outcome maps to.
public struct RunOutcome: Sendable {
    /// The run's results file, failed and skipped benchmarks included.
    public var results: ResultsFile
    /// `pass`, `functionalFailure` (a benchmark failed its check or threw) or `interrupted`.
    public var exitCode: HarnessExitCode
}
