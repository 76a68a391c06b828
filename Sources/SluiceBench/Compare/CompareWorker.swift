/// One side of a commit comparison: a worker process of one build, driven one request at a time.
///
/// The comparer needs exactly the session operations of the worker protocol: `hello`, `prepare` (setup,
/// calibration and warm-up, then the session stays open), `round` (one measured round) and `finish` (output
/// check and the session's result). Each call suspends until the worker answers. Not for concurrent use:
/// the comparer alternates between two workers, never overlapping them, so they do not disturb each other.
public protocol CompareWorker: AnyObject {
    /// The benchmarks this build registers, and the fingerprint it measures under.
    func hello() async throws(HarnessError) -> (benchmarks: [String], environment: EnvironmentFingerprint?)

    /// Opens `session` for `benchmark`; returns the operations per sample chosen (or `innerIterations` when
    /// given, so both sides do the same work per sample).
    /// - Throws: `CompareBenchmarkFailure` when the benchmark itself fails here; `HarnessError` when the
    ///   worker is gone or breaks the protocol.
    func prepare(
        session: String, benchmark: SuiteBenchmark, settings: RunSettings, metrics: [BenchmarkMetric],
        innerIterations: Int?
    ) async throws -> Int

    /// Runs one round of `session`; returns its wall time per operation in ns (the round's median).
    func round(session: String) async throws -> Double

    /// Closes `session` after its output check; returns its result with every round.
    func finish(session: String) async throws -> BenchmarkResult

    /// Ends the worker. Idempotent.
    func close()
}

/// A benchmark failed on one side (setup threw, the operation threw, or its output check failed):
/// a Functional Fail for that benchmark, not the end of the comparison.
public struct CompareBenchmarkFailure: Error, Sendable {
    public var message: String

    public init(message: String) {
        self.message = message
    }
}
