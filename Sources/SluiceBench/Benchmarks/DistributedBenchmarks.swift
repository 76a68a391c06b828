import Foundation
import SluiceTestKit

/// Scale-out on Redis Streams, measured through the path a user takes: separate `sluice run` processes (the
/// `sluice` binary next to `sluice-bench`) sharing one manifest through a Redis consumer group, with a
/// `redis-server` of their own on this machine (`DistributedRedisRun`).
///
/// - `macro/distributed/redis/workers1` and `…/workers2`: throughput (documents/s from starting the nodes until
///   the last output exists) with one and with two worker processes; `rounds` trials, the median reported.
/// - `chaos/distributed/node-kill`: `trials` runs of 3 workers, one killed with SIGKILL mid-run: the time until
///   its partitions are leased by the others (`recovery_time_ms_p50|p99`), records lost (`records_lost_percent`,
///   a Functional Fail when above 0) and duplicated (`duplicate_ratio`, counted and reported).
/// - `chaos/distributed/redis-restart`: `trials` runs of 2 workers during which the server itself is killed
///   with SIGKILL and started again on the same data (`appendfsync everysec`: it keeps all but about the last
///   second): the time from the server answering again (it has read its append-only file) until the nodes write
///   their first output (`recovery_time_ms_p50|p99`, by the server's clock), records lost (a Functional Fail when
///   above 0) and duplicated.
///
/// Without `redis-server` or the `sluice` binary, every metric is reported unavailable with the reason.
enum DistributedBenchmarks {
    /// `workers2` declares `workers1` as its peer, so `sluice-bench figures` reads the scale-out as one ratio from
    /// one run (issue 19's "2 workers ≥ 1.6× 1 worker").
    static let all: [Benchmark] = [
        throughput(workers: 1), throughput(workers: 2).peer("macro/distributed/redis/workers1"), nodeKill, redisRestart,
    ]

    static let parameters: [BenchmarkParameterSpec] = [
        BenchmarkParameterSpec("records", .int, "documents per trial"),
        BenchmarkParameterSpec("partitions", .int, "partition streams (default 8)"),
        BenchmarkParameterSpec("leaseMilliseconds", .int, "partition lease time (default 1000)"),
        BenchmarkParameterSpec("rounds", .int, "trials (workers: default 3)"),
        BenchmarkParameterSpec("batchSize", .int, "the manifest's batch-size: documents per sink commit (default 256)"),
        BenchmarkParameterSpec("sourceBatch", .int, "entries per XREADGROUP (default 500)"),
        BenchmarkParameterSpec("trials", .int, "trials (node-kill: default 20; redis-restart: default 5)"),
    ]

    /// Why the benchmarks cannot run here, if they cannot.
    static var unavailableReason: String? {
        if let reason = RedisServer.unavailableReason { return reason }
        if DistributedRedisRun.siblingExecutable("sluice") == nil {
            return "the sluice executable is not next to sluice-bench (swift build --product sluice)"
        }
        return nil
    }

    static func configuration(_ parameters: BenchmarkParameters, server: RedisServer, folder: TemporaryDirectory, workers: Int)
        -> DistributedRedisRun.Configuration
    {
        // `unavailableReason` checked that the executable exists.
        var configuration = DistributedRedisRun.Configuration(
            sluice: DistributedRedisRun.siblingExecutable("sluice") ?? "sluice", server: server.address, folder: folder.path)
        configuration.workers = workers
        configuration.records = max(1, parameters.int("records", default: 200_000))
        configuration.partitions = max(1, parameters.int("partitions", default: 8))
        configuration.leaseMilliseconds = max(100, parameters.int("leaseMilliseconds", default: 1_000))
        configuration.batchSize = min(65_536, max(1, parameters.int("batchSize", default: 256)))
        configuration.batch = min(100_000, max(1, parameters.int("sourceBatch", default: 500)))
        return configuration
    }

    static func values(_ metric: BenchmarkMetric, _ values: [Double], method: String) -> MetricResult {
        var result = MetricResult(
            metric: metric, isExact: true, sampleCount: values.count, summary: MetricSummary(exactValues: values),
            roundValues: values)
        result.method = method
        return result
    }

    static func throughput(workers: Int) -> Benchmark {
        Benchmark.driver(
            "macro/distributed/redis/workers\(workers)",
            summary: "\(workers) sluice run process\(workers == 1 ? "" : "es") sharing a manifest (Redis stream → filter → key "
                + "→ Redis stream) through a consumer group on a local redis-server: documents/s, median of the rounds",
            parameters: parameters
        ) { context in
            if let reason = unavailableReason {
                return DriverOutcome(metrics: [.throughputItems, .wallTime, .nodesCPUPerItem, .serverCPUPerItem].map {
                    .unavailable($0, reason: reason)
                })
            }
            let server = RedisServer()
            try server.start()
            defer { server.stop() }
            let folder = TemporaryDirectory(prefix: "sluice-distributed")
            defer { folder.remove() }
            var rates: [Double] = []
            var seconds: [Double] = []
            var nodesCPU: [Double] = []
            var serverCPU: [Double] = []
            let rounds = max(1, context.parameters.int("rounds", default: 3))
            for _ in 0..<rounds where !context.isCancelled() {
                var trial = configuration(context.parameters, server: server, folder: folder, workers: workers)
                trial.serverProcessIdentifier = server.processIdentifier
                let outcome = try DistributedRedisRun(trial).run()
                if outcome.lost > 0 || outcome.duplicates > 0 {
                    return DriverOutcome(metrics: [], failure: "\(outcome.lost) records lost, \(outcome.duplicates) duplicated in a run without faults")
                }
                rates.append(Double(outcome.records) / outcome.seconds)
                seconds.append(outcome.seconds)
                if let cpu = outcome.nodesCPUSeconds { nodesCPU.append(cpu * 1e9 / Double(outcome.records)) }
                if let cpu = outcome.serverCPUSeconds { serverCPU.append(cpu * 1e9 / Double(outcome.records)) }
                context.step()
            }
            let method = "documents through \(workers) sluice run process(es) and redis-server on this machine, from starting the nodes to the last output; \(rates.count) rounds"
            let cpuSpan = "from starting the nodes until they ended (their idle exit included); \(rates.count) rounds"
            let nodesMethod = "CPU (user + system) of the \(workers) sluice run process(es) together per document, from getrusage(RUSAGE_CHILDREN), " + cpuSpan
            let serverMethod = "CPU (user + system) of redis-server per document, from /proc/<pid>/stat (its own threads, not an append-only-file rewrite's child), " + cpuSpan
            return DriverOutcome(metrics: [
                values(.throughputItems, rates, method: method), values(.wallTime, seconds.map { $0 * 1e9 }, method: method),
                nodesCPU.count == rates.count && !rates.isEmpty
                    ? values(.nodesCPUPerItem, nodesCPU, method: nodesMethod)
                    : .unavailable(.nodesCPUPerItem, reason: "getrusage(RUSAGE_CHILDREN) could not be read"),
                serverCPU.count == rates.count && !rates.isEmpty
                    ? values(.serverCPUPerItem, serverCPU, method: serverMethod)
                    : .unavailable(.serverCPUPerItem, reason: "/proc/<pid>/stat of redis-server could not be read"),
            ])
        }
    }

    static let nodeKill = Benchmark.driver(
        "chaos/distributed/node-kill",
        summary: "3 sluice run processes on a Redis consumer group, one killed with SIGKILL mid-run, per trial: time until "
            + "its partitions are leased by the others, records lost (must be 0) and duplicated",
        parameters: parameters
    ) { context in
        try faultTrials(
            context, workers: 3, defaultTrials: 20, fault: "node kills",
            configure: { configuration, _ in configuration.killAfterFraction = 0.3 },
            recovery: \.takeoverMilliseconds,
            recoveryMethod: "takeover time: kill to every partition of the killed node leased by another",
            describe: { trials in
                "\(trials) trials of 3 nodes, one killed with SIGKILL at 30 % of the output; lease \(context.parameters.int("leaseMilliseconds", default: 1_000)) ms"
            })
    }

    static let redisRestart = Benchmark.driver(
        "chaos/distributed/redis-restart",
        summary: "2 sluice run processes on a Redis consumer group; the redis-server is killed with SIGKILL mid-run and "
            + "started again on its data, per trial: time from the server answering again to the nodes' first output, records lost (must be 0) "
            + "and duplicated",
        parameters: parameters
    ) { context in
        try faultTrials(
            context, workers: 2, defaultTrials: 5, fault: "server restarts",
            configure: { configuration, server in
                configuration.restartAfterFraction = 0.3
                configuration.restartServer = { try server.restart(crashing: true) }
            },
            recovery: \.resumeMilliseconds,
            recoveryMethod: "resume time: the restarted server answering PING (its data loaded) to the first output written after, by the server's clock",
            describe: { trials in
                "\(trials) trials of 2 nodes, redis-server killed with SIGKILL at 30 % of the output and started again on its data (appendonly yes, appendfsync everysec)"
            })
    }

    /// The chaos benchmarks' common body: `trials` runs (default `defaultTrials`) of `workers` nodes on one
    /// server, each with its fault set by `configure`; reports the percentiles of `recovery` as
    /// `recovery_time_ms_p50|p99`, the records lost (a Functional Fail above 0) and duplicated.
    static func faultTrials(
        _ context: DriverContext, workers: Int, defaultTrials: Int, fault: String,
        configure: (inout DistributedRedisRun.Configuration, RedisServer) -> Void,
        recovery: (DistributedRedisRun.Outcome) -> Double?, recoveryMethod: String, describe: (Int) -> String
    ) throws -> DriverOutcome {
        let metrics: [BenchmarkMetric] = [.recoveryTimeP50, .recoveryTimeP99, .recordsLostPercent, .duplicateRatio]
        if let reason = unavailableReason {
            return DriverOutcome(metrics: metrics.map { .unavailable($0, reason: reason) })
        }
        let server = RedisServer()
        try server.start()
        defer { server.stop() }
        let folder = TemporaryDirectory(prefix: "sluice-chaos")
        defer { folder.remove() }
        var recoveries: [Double] = []
        var records = 0
        var lost = 0
        var duplicates = 0
        let trials = max(1, context.parameters.int("trials", default: defaultTrials))
        for _ in 0..<trials where !context.isCancelled() {
            var configuration = configuration(context.parameters, server: server, folder: folder, workers: workers)
            configuration.records = max(1, context.parameters.int("records", default: 100_000))
            configure(&configuration, server)
            let outcome = try DistributedRedisRun(configuration).run()
            recoveries.append(recovery(outcome) ?? .nan)
            records += outcome.records
            lost += outcome.lost
            duplicates += outcome.duplicates
            context.step()
        }
        let sorted = recoveries.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))] }
        let method = "\(describe(recoveries.count)); \(records) records: \(lost) lost, \(duplicates) duplicated"
        return DriverOutcome(
            metrics: [
                .driven(.recoveryTimeP50, percentile(0.5), method: recoveryMethod + "; " + method),
                .driven(.recoveryTimeP99, percentile(0.99), method: recoveryMethod.prefix { $0 != ":" } + "; " + method),
                .driven(.recordsLostPercent, records == 0 ? 0 : 100 * Double(lost) / Double(records), method: method),
                .driven(.duplicateRatio, records == 0 ? 0 : Double(duplicates) / Double(records), method: method),
            ],
            failure: lost > 0 ? "\(lost) of \(records) records lost across \(recoveries.count) \(fault)" : nil)
    }
}
