/// `chaos/pipeline/at-least-once`: a driver running `ChaosRun` (producer → bounded channel → supervised stage →
/// sink) for the suite's `durationSeconds`, with the faults its parameters configure.
///
/// Absolute limits are checked here, because the gate's thresholds are changes against a baseline:
/// `maxLossPercent` (default 0: at-least-once loses nothing) and optional `maxDuplicateRatio`. A breach, a wrong
/// aggregate, or an invalid line that was not rejected is a Functional Fail with a message naming the figure.
enum ChaosBenchmarks {
    static let all: [Benchmark] = [atLeastOnce]

    /// Fault periods: a value ≤ 0 turns the fault off.
    static let periodNames = [
        "stageFailureEverySeconds", "poisonBurstEverySeconds", "malformedBurstEverySeconds",
        "truncatedBurstEverySeconds", "slowConsumerEverySeconds", "memoryPressureEverySeconds",
    ]
    static let sizeNames = [
        "recordsPerStep", "consumerBatch", "channelCapacity", "keyCount", "poisonBurstSize", "malformedBurstSize",
        "truncatedBurstSize", "slowdownFactor", "memoryPressureBytes", "seed",
    ]

    static let parameters: [BenchmarkParameterSpec] =
        periodNames.map { BenchmarkParameterSpec($0, .double, "fault period in seconds; 0 turns it off") }
        + sizeNames.map { BenchmarkParameterSpec($0, .int, "see ChaosConfiguration") }
        + [
            BenchmarkParameterSpec("slowConsumerSeconds", .double, "how long the consumer stays slow"),
            BenchmarkParameterSpec("memoryPressureSeconds", .double, "how long the pressure is held"),
            BenchmarkParameterSpec("restartInitialDelaySeconds", .double, "the supervisor's first restart delay (0–3600 s)"),
            BenchmarkParameterSpec("restartMaxDelaySeconds", .double, "the longest restart delay the backoff reaches (0–3600 s)"),
            BenchmarkParameterSpec("maxLossPercent", .double, "absolute limit on loss (default 0)"),
            BenchmarkParameterSpec("maxDuplicateRatio", .double, "absolute limit on duplicates (default: none)"),
        ]

    static let atLeastOnce = Benchmark.driver(
        "chaos/pipeline/at-least-once",
        summary: "supervised pipeline under stage failures, poison, malformed/truncated JSON, slow consumer and "
            + "memory pressure; recovery time, loss, duplicates, peak depth, memory returned",
        parameters: parameters
    ) { context in
        let configuration = makeConfiguration(context)
        let report = ChaosRun(
            configuration: configuration, clock: context.clock, memory: context.memory, step: context.step,
            onSnapshot: context.onSnapshot, shouldStop: context.isCancelled
        ).run()
        return outcome(report, configuration: configuration, parameters: context.parameters)
    }

    static func makeConfiguration(_ context: DriverContext) -> ChaosConfiguration {
        let defaults = ChaosConfiguration()
        let parameters = context.parameters
        func period(_ name: String, _ value: Double?) -> Double? {
            let chosen = parameters.double(name, default: value ?? 0)
            return chosen > 0 ? chosen : nil
        }
        func size(_ name: String, _ value: Int) -> Int { max(1, parameters.int(name, default: value)) }
        return ChaosConfiguration(
            durationSeconds: max(0.001, context.durationSeconds ?? defaults.durationSeconds),
            recordsPerStep: size("recordsPerStep", defaults.recordsPerStep),
            consumerBatch: size("consumerBatch", defaults.consumerBatch),
            channelCapacity: size("channelCapacity", defaults.channelCapacity),
            keyCount: size("keyCount", defaults.keyCount),
            stageFailureEverySeconds: period("stageFailureEverySeconds", defaults.stageFailureEverySeconds),
            poisonBurstEverySeconds: period("poisonBurstEverySeconds", defaults.poisonBurstEverySeconds),
            poisonBurstSize: size("poisonBurstSize", defaults.poisonBurstSize),
            malformedBurstEverySeconds: period("malformedBurstEverySeconds", defaults.malformedBurstEverySeconds),
            malformedBurstSize: size("malformedBurstSize", defaults.malformedBurstSize),
            truncatedBurstEverySeconds: period("truncatedBurstEverySeconds", defaults.truncatedBurstEverySeconds),
            truncatedBurstSize: size("truncatedBurstSize", defaults.truncatedBurstSize),
            slowConsumerEverySeconds: period("slowConsumerEverySeconds", defaults.slowConsumerEverySeconds),
            slowConsumerSeconds: max(
                0, parameters.double("slowConsumerSeconds", default: defaults.slowConsumerSeconds)),
            slowdownFactor: size("slowdownFactor", defaults.slowdownFactor),
            memoryPressureEverySeconds: period("memoryPressureEverySeconds", defaults.memoryPressureEverySeconds),
            memoryPressureBytes: size("memoryPressureBytes", defaults.memoryPressureBytes),
            memoryPressureSeconds: max(
                0, parameters.double("memoryPressureSeconds", default: defaults.memoryPressureSeconds)),
            // Between 0 and an hour: the delays become nanosecond counts, which a larger value would overflow.
            restartInitialDelaySeconds: min(3_600, max(
                0, parameters.double("restartInitialDelaySeconds", default: defaults.restartInitialDelaySeconds))),
            restartMaxDelaySeconds: min(3_600, max(
                0, parameters.double("restartMaxDelaySeconds", default: defaults.restartMaxDelaySeconds))),
            seed: UInt64(truncatingIfNeeded: parameters.int("seed", default: Int(defaults.seed))))
    }

    static func outcome(_ report: ChaosReport, configuration: ChaosConfiguration, parameters: BenchmarkParameters)
        -> DriverOutcome
    {
        var metrics: [MetricResult] = [
            .driven(.recordsLostPercent, report.lossPercent, method: "valid records neither delivered nor quarantined"),
            .driven(.duplicateRatio, report.duplicateRatio, method: "extra deliveries per record delivered"),
            .driven(.channelDepthMax, Double(report.peakDepth), method: "peak depth of the channel before the stage"),
            .driven(.stageErrorTotal, Double(report.stageFailures)),
            .driven(.poisonRoutedTotal, Double(report.poisonQuarantinedCount)),
            .driven(.throughputItems, Double(report.deliveredCount) / configuration.durationSeconds),
        ]
        if let p50 = report.recoveryMillisecondsP50, let p99 = report.recoveryMillisecondsP99 {
            let method = "stage failure to the first element the restarted stage completed"
            metrics.append(.driven(.recoveryTimeP50, p50, method: method))
            metrics.append(.driven(.recoveryTimeP99, p99, method: method))
        } else {
            metrics.append(.unavailable(.recoveryTimeP50, reason: "no stage failure was injected"))
            metrics.append(.unavailable(.recoveryTimeP99, reason: "no stage failure was injected"))
        }
        if let fraction = report.memoryReturnedFractionAllocated {
            metrics.append(.driven(.memoryReturned, fraction, method: "jemalloc allocated bytes"))
        } else if let fraction = report.memoryReturnedFractionRSS {
            metrics.append(.driven(.memoryReturned, fraction, method: "RSS"))
        } else {
            metrics.append(.unavailable(.memoryReturned, reason: "no memory pressure was injected or measurable"))
        }
        var failures: [String] = []
        let maxLoss = parameters.double("maxLossPercent", default: 0)
        if report.lossPercent > maxLoss {
            failures.append("lost \(report.lossPercent) % of records (limit \(maxLoss) %)")
        }
        if case .some = parameters.values["maxDuplicateRatio"] {
            let maxDuplicates = parameters.double("maxDuplicateRatio", default: 0)
            if report.duplicateRatio > maxDuplicates {
                failures.append("duplicate ratio \(report.duplicateRatio) (limit \(maxDuplicates))")
            }
        }
        if !report.aggregateMatches { failures.append("the sink's per-key aggregate differs from the input's") }
        if report.invalidRejectedCount != report.invalidInjectedCount {
            failures.append(
                "\(report.invalidInjectedCount) malformed/truncated lines injected, "
                    + "\(report.invalidRejectedCount) rejected")
        }
        return DriverOutcome(
            metrics: metrics, failure: failures.isEmpty ? nil : "chaos: " + failures.joined(separator: "; "))
    }
}
