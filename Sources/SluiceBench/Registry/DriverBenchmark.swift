import Sluice

/// What a driver benchmark runs with: its parameters, its duration, and the runner's clock, memory probe and
/// snapshot sink.
///
/// The runner fills it from the suite entry (`settings.durationSeconds`, `parameters`). Tests give the runner a
/// `ManualClock`, a fake `MemoryProbe` and a `step` that advances the clock, so a driver runs on virtual time.
public struct DriverContext: Sendable {
    /// The suite entry's parameters.
    public var parameters: BenchmarkParameters
    /// How long the driver runs (the suite's `settings.durationSeconds`, else the driver's default).
    public var durationSeconds: Double?
    /// The time the driver schedules by and measures with.
    public var clock: any MonotonicClock
    /// Reads RSS and jemalloc's allocated/active bytes.
    public var memory: MemoryProbe
    /// Called once per unit of driver work; tests advance their `ManualClock` here. Live runs: nothing.
    public var step: @Sendable () -> Void
    /// Receives every interval snapshot as it is taken (the CLI writes them as JSON lines and shows progress).
    public var onSnapshot: @Sendable (SoakSnapshot) -> Void
    /// True once the run is interrupted (Ctrl-C): the driver should stop early and return what it has; the
    /// runner then records the benchmark as skipped.
    public var isCancelled: @Sendable () -> Bool

    /// Creates a context.
    public init(
        parameters: BenchmarkParameters, durationSeconds: Double?, clock: any MonotonicClock, memory: MemoryProbe,
        step: @escaping @Sendable () -> Void = {}, onSnapshot: @escaping @Sendable (SoakSnapshot) -> Void = { _ in },
        isCancelled: @escaping @Sendable () -> Bool = { false }
    ) {
        self.isCancelled = isCancelled
        self.parameters = parameters
        self.durationSeconds = durationSeconds
        self.clock = clock
        self.memory = memory
        self.step = step
        self.onSnapshot = onSnapshot
    }
}

/// What a driver returns: its metrics and, when its own check or an absolute limit from its parameters failed,
/// the message that makes it a Functional Fail.
public struct DriverOutcome: Sendable {
    /// The metrics the driver measured; the runner keeps those the suite asks for and reports the rest of the
    /// suite's metrics as unavailable.
    public var metrics: [MetricResult]
    /// Non-nil: the benchmark failed (wrong output, wrong self-test verdict, an absolute limit breached).
    public var failure: String?

    /// Creates an outcome.
    public init(metrics: [MetricResult], failure: String? = nil) {
        self.metrics = metrics
        self.failure = failure
    }
}

extension Benchmark {
    /// A long-running driver (soak, chaos): the runner calls `run` once, for the duration in the suite file,
    /// and records the metrics it returns. There is no warm-up, no rounds and no allocation lane.
    ///
    /// `run` may suspend; it should poll nothing but its context (clock, memory, step). It always runs in the
    /// runner's process, also when the suite uses worker processes (snapshots stream to the CLI from there).
    public static func driver(
        _ name: String, summary: String, parameters: [BenchmarkParameterSpec] = [],
        run: @escaping @Sendable (DriverContext) async throws -> DriverOutcome
    ) -> Benchmark {
        Benchmark(name: name, summary: summary, parameters: parameters, drive: run)
    }
}

/// Driver metrics are measured once per run, with no rounds to do statistics on: they are marked exact, so the
/// gate compares them directly (`compareExact`), and their thresholds should be absolute allowances (or relative
/// ones) wide enough for run-to-run noise. Absolute limits that need no baseline (loss must be 0 %) are checked by
/// the driver itself and make it a Functional Fail.
extension MetricResult {
    /// A metric measured once by a driver: `value` is its summary's every percentile.
    public static func driven(_ metric: BenchmarkMetric, _ value: Double, method: String? = nil) -> MetricResult {
        var result = MetricResult(
            metric: metric, isExact: true, sampleCount: 1, summary: MetricSummary(exactValues: [value]),
            roundValues: [value])
        result.method = method
        return result
    }

    /// A slope with its confidence interval: `p50` is the slope, `min`/`max` the interval's bounds, and
    /// `confidenceInterval` says so explicitly.
    public static func slope(
        _ metric: BenchmarkMetric, _ slope: TrendSlope, scale: Double = 1, method: String? = nil
    ) -> MetricResult {
        let value = slope.slope * scale
        let bounds = [slope.lower * scale, slope.upper * scale].sorted()
        var result = MetricResult(
            metric: metric, isExact: true, sampleCount: slope.pointCount,
            summary: MetricSummary(
                min: bounds[0], p25: value, p50: value, p75: value, p90: value, p99: value, p999: value, max: bounds[1],
                mean: value, standardDeviation: 0),
            roundValues: [value])
        result.confidenceInterval = MetricConfidenceInterval(
            lower: bounds[0], upper: bounds[1], level: slope.confidence)
        result.method = method
        return result
    }
}
