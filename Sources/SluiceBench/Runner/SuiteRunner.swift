import Foundation
import Sluice

/// Runs a suite: every selected benchmark through warm-up, rounds and the allocation lane, into a results file.
///
/// `run()` suspends while benchmarks run (and while worker processes answer). Cancellation through
/// `RunCancellation` stops between samples: the benchmark in progress and those not yet run are recorded as
/// `skipped`, and the results are marked `isPartial`. A benchmark that throws or fails its output check is a
/// Functional Fail (`failed`); the run goes on with the next one.
public struct SuiteRunner: Sendable {
    /// What to run: the suite, the selection, the isolation, the policy and the registry.
    public var configuration: RunConfiguration
    /// The clock samples, rounds and driver benchmarks are timed by; `SystemMonotonicClock()` by default.
    public var clock: any MonotonicClock
    /// Polled between samples, between benchmarks and by drivers; `cancel()` ends the run with partial results.
    public var cancellation: RunCancellation
    /// The harness overhead to subtract; nil measures it at the start of the run.
    public var overhead: HarnessOverhead?
    /// Receives progress events, on the running task.
    public var onEvent: @Sendable (RunEvent) -> Void
    /// The memory probe and step hook driver benchmarks run with (tests: a fake probe and a virtual-time step).
    public var driverHooks: DriverHooks = DriverHooks()

    /// Creates a runner.
    public init(
        configuration: RunConfiguration, clock: any MonotonicClock = SystemMonotonicClock(),
        cancellation: RunCancellation = RunCancellation(), overhead: HarnessOverhead? = nil,
        onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.clock = clock
        self.cancellation = cancellation
        self.overhead = overhead
        self.onEvent = onEvent
    }

    /// Runs the selected benchmarks in suite order. Throws only for harness errors (bad filter, unknown
    /// benchmark, a worker that broke the protocol); benchmark failures are recorded in the results.
    public func run() async throws -> RunOutcome {
        let suite = configuration.suite
        let entries = try configuration.selectedEntries()
        // A filter that leaves benchmarks of the suite (or this shard) out makes the run partial: it cannot pass
        // `check` or become a baseline. One that leaves nothing at all is a mistake, not an empty run.
        // Judged on the whole suite, not this shard: every shard of a filtered run is marked, so their merge is too.
        var wholeSuite = configuration
        wholeSuite.shard = nil
        let filteredSuite = try wholeSuite.selectedEntries()
        let isFiltered = configuration.filter != nil && filteredSuite.count < suite.benchmarks.count
        if let filter = configuration.filter, filteredSuite.isEmpty {
            throw HarnessError(
                code: .invalidArgument, message: "'\(filter)' matches no benchmark of suite \(suite.name)",
                field: "--filter")
        }
        let benchmarks = try entries.enumerated().map { index, entry in
            try configuration.registry.resolve(entry.name, field: "benchmarks[\(index)].name")
        }
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let overhead = self.overhead ?? HarnessOverhead.measure(clock: clock)
        let estimate = entries.reduce(0) { $0 + Self.estimatedSeconds(suite.settings.applying($1.settings)) }
        onEvent(.started(total: entries.count, estimatedSeconds: estimate))
        var results: [BenchmarkResult] = []
        var interrupted = false
        for (index, (entry, benchmark)) in zip(entries, benchmarks).enumerated() {
            if interrupted || cancellation.isCancelled {
                interrupted = true
                results.append(Self.skipped(entry.name, reason: Self.interruptedBefore))
                continue
            }
            onEvent(.benchmarkStarted(index: index + 1, total: entries.count, name: entry.name))
            let result: BenchmarkResult
            do {
                result = try await measure(entry, benchmark, overhead: overhead)
            } catch is RunInterrupted {
                interrupted = true
                result = Self.skipped(entry.name, reason: Self.interruptedWhile)
            } catch let failure as BenchmarkFailure {
                result = BenchmarkResult(name: entry.name, status: .failed, error: failure.message, innerIterations: 0, metrics: [])
            }
            results.append(result)
            onEvent(.benchmarkFinished(index: index + 1, total: entries.count, result: result))
        }
        var resultsFile = ResultsFile(
            runID: configuration.runID ?? RunConfiguration.makeRunID(suite: suite.name), suite: suite.name,
            startedAt: startedAt, isPartial: interrupted || isFiltered || configuration.shard != nil,
            shard: configuration.shard?.description, environment: EnvironmentFingerprint.current(),
            harnessOverheadNanoseconds: overhead.perSampleNanoseconds, benchmarks: results)
        resultsFile.filter = isFiltered ? configuration.filter : nil
        let exitCode: HarnessExitCode =
            interrupted ? .interrupted : results.contains { $0.status == .failed } ? .functionalFailure : .pass
        return RunOutcome(results: resultsFile, exitCode: exitCode)
    }

    /// A rough duration for one benchmark: half the warm-up cap, the minimum rounds, and process start-up.
    /// A driver's estimate is its duration.
    static func estimatedSeconds(_ settings: RunSettings) -> Double {
        if let duration = settings.durationSeconds { return duration }
        return settings.maxWarmupSeconds * 0.5 * Double(settings.processes) + Double(settings.minRounds)
            * settings.minRoundSeconds + 0.1 * Double(settings.processes)
    }

    /// The reasons an interrupted run gives its benchmarks that did not finish (`merge` recognises them).
    static let interruptedBefore = "interrupted before it ran"
    static let interruptedWhile = "interrupted while it ran"

    /// Whether `result` is a benchmark an interruption stopped.
    static func wasInterrupted(_ result: BenchmarkResult) -> Bool {
        result.status == .skipped && (result.error == interruptedBefore || result.error == interruptedWhile)
    }

    static func skipped(_ name: String, reason: String) -> BenchmarkResult {
        BenchmarkResult(name: name, status: .skipped, error: reason, innerIterations: 0, metrics: [])
    }

    private func measure(_ entry: SuiteBenchmark, _ benchmark: Benchmark, overhead: HarnessOverhead) async throws
        -> BenchmarkResult
    {
        let settings = configuration.suite.settings.applying(entry.settings)
        let metrics = entry.metrics ?? configuration.suite.metrics
        let parameters = BenchmarkParameters(entry.parameters ?? [:])
        if benchmark.isDriver {
            return try await runDriver(benchmark, parameters: parameters, settings: settings, metrics: metrics)
        }
        let wantsAllocations =
            configuration.capturesAllocations && metrics.contains { $0.isAllocationCount }
        switch configuration.isolation {
        case .inProcess:
            ResourceUsage.resetPeakResidentSetSize()
            let measurement = makeMeasurement(benchmark, parameters, settings, metrics, overhead)
            _ = try await measurement.prepare()
            try await measurement.measureRounds { round in
                onEvent(.roundFinished(name: benchmark.name, round: round.index, medianNanoseconds: round.median))
            }
            if wantsAllocations { try await measurement.measureAllocations() }
            return measurement.makeResult()
        case .workers(let executable):
            var parts: [BenchmarkResult] = []
            if settings.processes <= 1 {
                ResourceUsage.resetPeakResidentSetSize()
                let measurement = makeMeasurement(
                    benchmark, parameters, settings, metrics.filter { $0.lane != .deterministic }, overhead)
                _ = try await measurement.prepare()
                try await measurement.measureRounds { round in
                    onEvent(.roundFinished(name: benchmark.name, round: round.index, medianNanoseconds: round.median))
                }
                parts.append(measurement.makeResult())
            } else {
                parts += try await measureTimingInWorkers(benchmark, parameters, settings, metrics, executable)
            }
            if wantsAllocations {
                parts.append(try await measureAllocationsInWorker(benchmark, parameters, settings, metrics, executable))
            }
            if metrics.contains(where: \.isInstructionCount) {
                parts.append(try await measureInstructionsInWorker(benchmark, parameters, settings, metrics, executable))
            }
            var merged = try BenchmarkResult.merging(parts)
            // Keep the suite's metric order.
            merged.metrics = metrics.compactMap { metric in merged.metrics.first { $0.metric == metric } }
            return merged
        }
    }

    private func makeMeasurement(
        _ benchmark: Benchmark, _ parameters: BenchmarkParameters, _ settings: RunSettings,
        _ metrics: [BenchmarkMetric], _ overhead: HarnessOverhead
    ) -> BenchmarkMeasurement {
        BenchmarkMeasurement(
            benchmark: benchmark, parameters: parameters, settings: settings, metrics: metrics, clock: clock,
            overhead: overhead, policy: configuration.policy, cancellation: cancellation)
    }

    /// Spreads the rounds over `settings.processes` workers, one after another (never in parallel: the other
    /// core would add noise). The first worker fixes the inner iterations for the rest, so histograms merge.
    private func measureTimingInWorkers(
        _ benchmark: Benchmark, _ parameters: BenchmarkParameters, _ settings: RunSettings,
        _ metrics: [BenchmarkMetric], _ executable: URL
    ) async throws -> [BenchmarkResult] {
        var share = settings
        share.minRounds = max(1, (settings.minRounds + settings.processes - 1) / settings.processes)
        share.maxRounds = max(share.minRounds, (settings.maxRounds + settings.processes - 1) / settings.processes)
        var innerIterations = settings.innerIterations
        var parts: [BenchmarkResult] = []
        for process in 0..<settings.processes {
            if cancellation.isCancelled { throw RunInterrupted() }
            let request = WorkerRequest(
                op: .run, id: "\(benchmark.name)#\(process)", benchmark: benchmark.name,
                parameters: parameters.values, settings: share, metrics: metrics.filter { $0.lane != .deterministic },
                lane: .timing, innerIterations: innerIterations, policy: configuration.policy)
            let result = try await exchangeWithWorker(request, executable: executable, environment: [:])
            innerIterations = innerIterations ?? result.innerIterations
            parts.append(result)
        }
        return parts
    }

    /// The allocation lane in a worker of its own, started with jemalloc's thread cache off.
    private func measureAllocationsInWorker(
        _ benchmark: Benchmark, _ parameters: BenchmarkParameters, _ settings: RunSettings,
        _ metrics: [BenchmarkMetric], _ executable: URL
    ) async throws -> BenchmarkResult {
        if cancellation.isCancelled { throw RunInterrupted() }
        let request = WorkerRequest(
            op: .run, id: "\(benchmark.name)#allocations", benchmark: benchmark.name, parameters: parameters.values,
            settings: settings, metrics: metrics.filter { $0.isAllocationCount }, lane: .allocation,
            policy: configuration.policy)
        var result = try await exchangeWithWorker(
            request, executable: executable, environment: ["MALLOC_CONF": "tcache:false"])
        result.processCount = 0  // the allocation lane adds no timing process
        return result
    }

    func exchangeWithWorker(
        _ request: WorkerRequest, executable: URL, environment: [String: String], launcher: [String] = []
    ) async throws -> BenchmarkResult {
        let client = try WorkerClient(executable: executable, environment: environment, launcher: launcher)
        defer { client.close() }
        let name = request.benchmark ?? "?"
        // Ctrl-C stops the worker after the round it is in (the protocol has no cancel message): its rounds so
        // far are dropped and the benchmark is reported interrupted, as in process.
        var stopped = false
        let response: WorkerResponse
        do {
            response = try await client.exchange(request) { round in
                // Lines the worker wrote before it was stopped may still be in the pipe: they are dropped.
                guard !stopped else { return }
                onEvent(
                    .roundFinished(
                        name: name, round: round.round ?? 0,
                        medianNanoseconds: round.values?[BenchmarkMetric.wallTime.rawValue] ?? 0))
                if cancellation.isCancelled {
                    stopped = true
                    client.terminate()
                }
            }
        } catch {
            if stopped { throw RunInterrupted() }
            throw error
        }
        if stopped { throw RunInterrupted() }
        switch response.event {
        case .result:
            guard let result = response.result else {
                throw HarnessError(code: .worker, message: "a result event without a result")
            }
            return result
        case .failed:
            throw BenchmarkFailure(response.message ?? "failed in a worker")
        default:
            throw HarnessError(
                code: .worker, message: "worker answered \(response.event.rawValue): \(response.message ?? "")")
        }
    }
}
