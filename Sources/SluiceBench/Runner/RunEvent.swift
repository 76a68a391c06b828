/// What a suite run reports as it goes, for progress displays. Delivered on the running task.
public enum RunEvent: Sendable {
    /// The run starts `total` benchmarks; `estimatedSeconds` is a rough total from the run settings.
    case started(total: Int, estimatedSeconds: Double)
    /// Benchmark `index` (1-based) of `total` starts.
    case benchmarkStarted(index: Int, total: Int, name: String)
    /// A round of the current benchmark finished (in process or in a worker).
    case roundFinished(name: String, round: Int, medianNanoseconds: Double)
    /// A driver benchmark (soak, chaos) took an interval snapshot; it runs for `durationSeconds` in all.
    case snapshot(name: String, snapshot: SoakSnapshot, durationSeconds: Double)
    /// Benchmark `index` of `total` finished with `result`.
    case benchmarkFinished(index: Int, total: Int, result: BenchmarkResult)
    /// A diagnostic line for stderr (e.g. a worker's message).
    case diagnostic(String)
}
