/// `soak/token-stream` and the soak self-test `soak/selftest/leak` / `soak/selftest/no-leak`: drivers that run
/// the token-stream workload for the suite's `durationSeconds`, snapshot every `snapshotSeconds`, and judge the
/// slopes after warm-up (`SoakVerdict`).
///
/// The parameter `expect` says which verdict is right: `pass` (no leak, no decay; inconclusive passes) or
/// `leak` (the self-test's deliberate leak must be caught). A different verdict is a Functional Fail.
enum SoakBenchmarks {
    static let all: [Benchmark] = [
        soak(
            "soak/token-stream", summary: "token reader + keyed aggregate; memory and throughput slopes",
            leak: 0, expect: "pass"),
        soak(
            "soak/selftest/leak", summary: "self-test: the token-stream soak leaking K bytes/s must be judged a leak",
            leak: 128 * 1024, expect: "leak"),
        soak(
            "soak/selftest/no-leak", summary: "self-test: the same soak without the leak must pass", leak: 0,
            expect: "pass"),
    ]

    static let parameters = [
        BenchmarkParameterSpec("expect", .string, "the right verdict: pass (default for a plain soak) or leak"),
        BenchmarkParameterSpec("leakBytesPerSecond", .double, "deliberate leak for the self-test (bytes/s)"),
        BenchmarkParameterSpec("snapshotSeconds", .double, "seconds between snapshots (default 1)"),
        BenchmarkParameterSpec("warmupSeconds", .double, "seconds not judged at the start (default 5)"),
        BenchmarkParameterSpec("maxGrowthBytesPerSecond", .double, "memory slope that is not a leak (default 16384)"),
        BenchmarkParameterSpec("maxDecayPerHour", .double, "throughput loss/h that is not a decay (default 0.05)"),
        BenchmarkParameterSpec("events", .int, "events in the streamed block (default 2000)"),
        BenchmarkParameterSpec("seed", .int, "seed of the block (default 0x50AC)"),
    ]

    static func soak(_ name: String, summary: String, leak: Double, expect: String) -> Benchmark {
        Benchmark.driver(name, summary: summary, parameters: parameters) { context in
            let parameters = context.parameters
            let expected = parameters.string("expect", default: expect)
            guard expected == "pass" || expected == "leak" else {
                throw HarnessError(
                    code: .benchmarkSetup, message: "\(name): expect must be \"pass\" or \"leak\", not \"\(expected)\"")
            }
            let limits = SoakVerdict.Limits(
                maxMemoryGrowthBytesPerSecond: parameters.double("maxGrowthBytesPerSecond", default: 16 * 1024),
                maxThroughputDecayPerHour: parameters.double("maxDecayPerHour", default: 0.05),
                warmupSeconds: parameters.double("warmupSeconds", default: 5))
            let configuration = SoakRun.Configuration(
                durationSeconds: max(0.001, context.durationSeconds ?? 60),
                snapshotIntervalSeconds: max(0.001, parameters.double("snapshotSeconds", default: 1)), limits: limits,
                leakBytesPerSecond: max(0, parameters.double("leakBytesPerSecond", default: leak)))
            var workload = try TokenStreamSoakWorkload(
                events: max(1, parameters.int("events", default: 2_000)),
                seed: UInt64(truncatingIfNeeded: parameters.int("seed", default: 0x50AC)))
            let report = SoakRun(
                configuration: configuration, clock: context.clock, memory: context.memory, step: context.step,
                onSnapshot: context.onSnapshot, shouldStop: context.isCancelled
            ).run(&workload)
            return outcome(report, configuration: configuration, expected: expected)
        }
    }

    static func outcome(_ report: SoakRun.Report, configuration: SoakRun.Configuration, expected: String)
        -> DriverOutcome
    {
        let verdict = report.verdict
        let warmup = configuration.limits.warmupSeconds
        let series = report.snapshots.contains { $0.allocatedBytes != nil } ? "jemalloc allocated bytes" : "RSS"
        var metrics: [MetricResult] = []
        if let slope = verdict.memorySlope {
            metrics.append(
                .slope(
                    .memoryGrowthRate, slope,
                    method: "Theil–Sen slope of \(series) after \(warmup) s warm-up, Sen's interval; verdict "
                        + verdict.memory.rawValue))
        } else {
            metrics.append(.unavailable(.memoryGrowthRate, reason: "too few snapshots after warm-up"))
        }
        if let slope = verdict.throughputSlope, verdict.canExtrapolatePerHour {
            // Decay is minus the slope, so that lower is better like every other soak figure.
            metrics.append(
                .slope(
                    .throughputDecayRate, slope, scale: -1,
                    method: "minus the Theil–Sen slope of throughput / median, per hour; "
                        + verdict.throughputSummary + "; verdict " + verdict.throughput.rawValue))
        } else if verdict.throughputSlope != nil {
            // A per-hour rate from a short run would be an extrapolation: state the change over the run instead.
            metrics.append(
                .unavailable(
                    .throughputDecayRate,
                    reason: "not extrapolated per hour from \(SoakVerdict.duration(verdict.judgedSeconds)) "
                        + "(needs \(SoakVerdict.duration(SoakVerdict.minimumExtrapolationSeconds))); "
                        + verdict.throughputSummary))
        } else {
            metrics.append(.unavailable(.throughputDecayRate, reason: "too few snapshots after warm-up"))
        }
        if let last = report.snapshots.last {
            metrics.append(.driven(.throughputItems, Double(report.itemsProcessed) / last.elapsedSeconds))
            if let p99 = report.snapshots.compactMap(\.p99Nanoseconds).max() {
                metrics.append(.driven(.latency, p99, method: "largest per-interval p99 of batch latency"))
            }
            if let rss = last.rssBytes { metrics.append(.driven(.currentRSS, rss, method: "RSS at the last snapshot")) }
        }
        let memory = describe(verdict.memorySlope, unit: "B/s")
        var failure = report.failure
        if failure == nil {
            switch expected {
            case "leak" where verdict.memory != .leak:
                failure = "self-test: expected a leak verdict, got \(verdict.memory.rawValue) (memory slope \(memory))"
            case "pass" where !verdict.isPassing:
                failure =
                    "soak verdict: memory \(verdict.memory.rawValue) (slope \(memory), limit "
                    + "\(configuration.limits.maxMemoryGrowthBytesPerSecond) B/s), throughput "
                    + "\(verdict.throughput.rawValue) (\(verdict.throughputSummary))"
            default: break
            }
        }
        return DriverOutcome(metrics: metrics, failure: failure)
    }

    /// `1234 B/s [1000, 1500]`.
    static func describe(_ slope: TrendSlope?, unit: String) -> String {
        guard let slope else { return "unavailable" }
        func format(_ value: Double) -> String { String(format: "%.4g", value) }
        return "\(format(slope.slope)) \(unit) [\(format(slope.lower)), \(format(slope.upper))]"
    }
}
