import Sluice
import SluiceState

/// `chaos/pipeline/concurrent/at-least-once` and `chaos/pipeline/concurrent/exactly-once`: `ConcurrentChaosRun` on
/// the real engine (supervised partitions, checkpointed keyed state, a sink that crashes the run after N records,
/// pauses, and holds memory every N checkpoints; poison records every N records), for the suite's duration.
/// `soak/pipeline/concurrent`: the same pipeline with no faults, for long runs on the real engine.
///
/// A Functional Fail names the figure: any lost record, any reordered one, a final state that differs from the
/// input's, a poison record not quarantined, or (exactly-once) any duplicate.
enum ConcurrentChaosBenchmarks {
    static let all: [Benchmark] = [
        chaos("chaos/pipeline/concurrent/at-least-once", exactlyOnce: false, faults: true),
        chaos("chaos/pipeline/concurrent/exactly-once", exactlyOnce: true, faults: true),
        chaos("soak/pipeline/concurrent", exactlyOnce: true, faults: false),
    ]

    static let parameters: [BenchmarkParameterSpec] = [
        BenchmarkParameterSpec("records", .int, "input records per cycle (default 20000)"),
        BenchmarkParameterSpec("keys", .int, "distinct keys (default 64)"),
        BenchmarkParameterSpec("partitions", .int, "supervised partitions (default 4)"),
        BenchmarkParameterSpec("checkpointEvery", .int, "records between checkpoints (default 500)"),
        BenchmarkParameterSpec("crashAfterRecords", .int, "records an incarnation writes before the sink crashes it (0: never)"),
        BenchmarkParameterSpec("poisonEvery", .int, "every Nth record is poison (0: none)"),
        BenchmarkParameterSpec("slowEvery", .int, "the sink pauses every N records (0: never)"),
        BenchmarkParameterSpec("slowMicroseconds", .int, "length of a pause"),
        BenchmarkParameterSpec("memoryPressureEveryCheckpoints", .int, "memory held every N checkpoints (0: never)"),
        BenchmarkParameterSpec("memoryPressureBytes", .int, "bytes held"),
        BenchmarkParameterSpec("seed", .int, "input seed"),
    ]

    static func configuration(_ parameters: BenchmarkParameters, exactlyOnce: Bool, faults: Bool) -> ConcurrentChaosConfiguration {
        var configuration = ConcurrentChaosConfiguration()
        configuration.exactlyOnce = exactlyOnce
        func value(_ name: String, _ current: Int, minimum: Int) -> Int { max(minimum, parameters.int(name, default: current)) }
        configuration.records = value("records", configuration.records, minimum: 1)
        configuration.keys = value("keys", configuration.keys, minimum: 1)
        configuration.partitions = value("partitions", configuration.partitions, minimum: 1)
        configuration.checkpointEvery = value("checkpointEvery", configuration.checkpointEvery, minimum: 1)
        configuration.crashAfterRecords = value("crashAfterRecords", faults ? configuration.crashAfterRecords : 0, minimum: 0)
        configuration.poisonEvery = value("poisonEvery", faults ? configuration.poisonEvery : 0, minimum: 0)
        configuration.slowEvery = value("slowEvery", faults ? configuration.slowEvery : 0, minimum: 0)
        configuration.slowMicroseconds = value("slowMicroseconds", configuration.slowMicroseconds, minimum: 0)
        configuration.memoryPressureEveryCheckpoints = value(
            "memoryPressureEveryCheckpoints", faults ? configuration.memoryPressureEveryCheckpoints : 0, minimum: 0)
        configuration.memoryPressureBytes = value("memoryPressureBytes", configuration.memoryPressureBytes, minimum: 0)
        configuration.seed = UInt64(truncatingIfNeeded: parameters.int("seed", default: Int(truncatingIfNeeded: configuration.seed)))
        return configuration
    }

    static func chaos(_ name: String, exactlyOnce: Bool, faults: Bool) -> Benchmark {
        Benchmark.driver(
            name,
            summary: faults
                ? "ConcurrentEngine pipeline (supervised partitions, checkpoints) under crashes, poison, a slow consumer "
                    + "and memory pressure; per-key sequence check, recovery time"
                : "ConcurrentEngine checkpointed pipeline with supervised partitions, no faults: throughput over a long run",
            parameters: parameters
        ) { context in
            let configuration = configuration(context.parameters, exactlyOnce: exactlyOnce, faults: faults)
            let report = await ConcurrentChaosRun(configuration: configuration, clock: context.clock)
                .run(seconds: context.durationSeconds ?? 10, shouldStop: context.isCancelled)
            return outcome(report, configuration: configuration)
        }
    }

    static func outcome(_ report: ConcurrentChaosReport, configuration: ConcurrentChaosConfiguration) -> DriverOutcome {
        let check = report.check
        var metrics: [MetricResult] = [
            .driven(.recordsLostPercent, check.lostPercent, method: "per-key sequence numbers never delivered"),
            .driven(.duplicateRatio, check.duplicateRatio, method: "extra deliveries per record expected"),
            .driven(.poisonRoutedTotal, Double(report.poisonQuarantined)),
            .driven(.stageErrorTotal, Double(report.poisonQuarantined)),
        ]
        if report.elapsedNanoseconds > 0 {
            metrics.append(.driven(.throughputItems, Double(report.recordsDelivered) / (Double(report.elapsedNanoseconds) / 1e9)))
        }
        if let p50 = CheckpointSoakBenchmarks.percentile(report.recoveryNanoseconds, 0.5), let p99 = CheckpointSoakBenchmarks.percentile(report.recoveryNanoseconds, 0.99) {
            let method = "injected crash to the first record the recovered incarnation wrote"
            metrics.append(.driven(.recoveryTimeP50, p50 / 1e6, method: method))
            metrics.append(.driven(.recoveryTimeP99, p99 / 1e6, method: method))
        } else {
            metrics.append(.unavailable(.recoveryTimeP50, reason: "no crash was injected"))
            metrics.append(.unavailable(.recoveryTimeP99, reason: "no crash was injected"))
        }
        if let fraction = report.memoryReturnedFractionAllocated {
            metrics.append(.driven(.memoryReturned, fraction, method: "jemalloc allocated bytes around each sink hold"))
        } else if let fraction = report.memoryReturnedFractionRSS {
            metrics.append(
                .driven(.memoryReturned, fraction, method: "RSS (/proc/self/status VmRSS) before, at the peak of and after each sink hold"))
        } else if report.memoryHolds == 0 {
            metrics.append(.unavailable(.memoryReturned, reason: "no memory-pressure hold was released during the run"))
        } else {
            metrics.append(.unavailable(.memoryReturned, reason: "RSS did not grow during any hold (or could not be read)"))
        }
        var failures: [String] = []
        if let failure = report.failure { failures.append(failure) }
        if check.lost > 0 { failures.append("lost \(check.lost) of \(check.expected) records") }
        if check.reordered > 0 { failures.append("\(check.reordered) records out of per-key order") }
        if configuration.exactlyOnce && check.duplicated > 0 { failures.append("duplicated \(check.duplicated) records") }
        if report.stateMismatches > 0 { failures.append("\(report.stateMismatches) keys' final state differ from the input's") }
        if report.poisonQuarantined != report.poisonInjected {
            failures.append("\(report.poisonInjected) poison records injected, \(report.poisonQuarantined) quarantined")
        }
        return DriverOutcome(
            metrics: metrics,
            failure: failures.isEmpty
                ? nil : "chaos (\(report.cycles) cycles, \(report.crashes) crashes): " + failures.joined(separator: "; "))
    }
}
