import Foundation
import SluiceTestKit

/// The gate's front door: measures the base and the candidate in the same session and judges the candidate.
///
/// For every benchmark of the suite, `processesPerSide` pairs of fresh worker processes run in a seeded
/// alternating order (base then candidate, or candidate then base, per pair), so drift in the machine hits both
/// sides alike. Each process runs `roundsPerProcess` timing rounds and contributes one value per metric (their
/// median): the worker process is the unit of replication. The allocation lane runs once per side in a worker
/// of its own (exact counts need no replication). `GateComparator` then judges the timing lane with Holm across
/// the suite at the level of the current look; comparisons still Inconclusive get `processesPerSide` more
/// pairs, up to `maxLooks` looks, with alpha spent across looks (`AlphaSpending`).
///
/// Suspends while workers run; one worker at a time. The session never builds anything: the caller passes the
/// measurer over built executables (`GateSessionRunner` builds the base). Testable in process with any
/// `GateMeasurer`.
public struct GateSession: Sendable {
    /// What to run and how.
    public struct Options: Sendable {
        /// The suite: its benchmarks, settings, thresholds and waivers.
        public var suite: SuiteFile
        /// The suite's file, for error messages.
        public var suiteFile: String?
        /// Fresh worker-process pairs per gated benchmark at each look (at least 2); the others get 2.
        public var processesPerSide: Int
        /// Timing rounds in each worker process (at least 1); their median is the process's value.
        public var roundsPerProcess: Int
        /// The most looks (at least 1): after each, comparisons still Inconclusive are measured again.
        public var maxLooks: Int
        /// The family-wise error rate of the timing lane, spent across the looks (`AlphaSpending`).
        public var alpha: Double
        /// The two-sided confidence of the timing intervals.
        public var confidence: Double
        /// Seeds the order (base or candidate first) of each process pair; the same seed gives the same orders.
        public var seed: UInt64
        /// `YYYY-MM-DD`, for waiver expiry.
        public var today: String
        /// Longest warm-up per process; nil keeps the suite's.
        public var maxWarmupSeconds: Double?

        /// The defaults `ci/pr-gate` runs with: 7 processes a side (the fewest for which an exact one-sided
        /// Mann–Whitney test can pass Holm's first step at the first look on the pr suite's about 24 timing
        /// comparisons: 1/3432 against 0.0226 / 24), 3 rounds in each, up to 3 looks (21 processes a side),
        /// alpha 0.05 family-wise.
        public static let defaultProcessesPerSide = 7
        /// Timing rounds in each worker process by default: 3.
        public static let defaultRoundsPerProcess = 3
        /// Looks by default: up to 3.
        public static let defaultMaxLooks = 3

        /// Options with the `ci/pr-gate` defaults. Traps unless `processesPerSide` ≥ 2, `roundsPerProcess` ≥ 1
        /// and `maxLooks` ≥ 1.
        public init(
            suite: SuiteFile, suiteFile: String? = nil, processesPerSide: Int = Options.defaultProcessesPerSide,
            roundsPerProcess: Int = Options.defaultRoundsPerProcess, maxLooks: Int = Options.defaultMaxLooks,
            alpha: Double = GateConfiguration.defaultAlpha, confidence: Double = RatioStatistics.defaultConfidence,
            seed: UInt64, today: String, maxWarmupSeconds: Double? = nil
        ) {
            precondition(processesPerSide >= 2 && roundsPerProcess >= 1 && maxLooks >= 1, "bad gate options")
            self.suite = suite
            self.suiteFile = suiteFile
            self.processesPerSide = processesPerSide
            self.roundsPerProcess = roundsPerProcess
            self.maxLooks = maxLooks
            self.alpha = alpha
            self.confidence = confidence
            self.seed = seed
            self.today = today
            self.maxWarmupSeconds = maxWarmupSeconds
        }
    }

    /// What a session produced.
    public struct Outcome: Sendable {
        /// The verdict: candidate against base, plus the stored baseline's deterministic lanes when given.
        public var report: GateReport
        /// The base's results: one entry per benchmark, its worker processes merged (`failed` when it failed).
        public var base: ResultsFile
        /// The candidate's results: one entry per benchmark, its worker processes merged (`failed` when it failed).
        public var candidate: ResultsFile
        /// The order of each benchmark's process pairs, e.g. `BC CB CB BC` (B = base, C = candidate).
        public var order: [String: String]
        /// Benchmarks only one side's build registers (not measured; the report lists them).
        public var onlyInBase: [String]
        /// Suite benchmarks only the candidate's build registers, sorted.
        public var onlyInCandidate: [String]
    }

    /// What to run and how.
    public var options: Options
    /// Runs the workers of both sides, one request at a time.
    public var measurer: any GateMeasurer

    /// A session of `options` measuring with `measurer`.
    public init(options: Options, measurer: any GateMeasurer) {
        self.options = options
        self.measurer = measurer
    }

    /// Runs the session. `log` gets progress lines; `summary` is filled in with what was measured.
    /// - Throws: `HarnessError` for a bad suite, an expired waiver, or a worker that broke down (no partial
    ///   verdict). A benchmark failing on one side is a Functional Fail in the report, not an error.
    public func run(
        summary: GateSessionSummary, storedBaseline: ResultsFile? = nil, log: @Sendable (String) -> Void = { _ in }
    ) async throws(HarnessError) -> Outcome {
        let started = Date()
        let suite = options.suite
        var configuration: GateConfiguration
        do {
            configuration = try GateConfiguration(
                suite: suite, file: options.suiteFile, today: options.today, confidence: options.confidence)
        } catch {
            throw HarnessError(code: .invalidSuite, message: error.message, file: error.file, field: error.field)
        }
        configuration.sequential = AlphaSpending(alpha: options.alpha, looks: options.maxLooks)
        let (baseHello, candidateHello) = try await both { side in try await measurer.hello(side) }
        // Builds from incomparable environments (another allocator, toolchain or configuration) cannot be judged:
        // refuse before measuring anything, not after minutes of it.
        if let refused = GateComparator.incomparable(
            baseline: baseHello.environment, candidate: candidateHello.environment,
            allowsIncomparable: configuration.allowsIncomparableEnvironments)
        {
            throw HarnessError(code: .worker, message: "the two sides cannot be compared: \(refused.refusal)")
        }
        let runnable = suite.benchmarks.filter {
            baseHello.benchmarks.contains($0.name) || candidateHello.benchmarks.contains($0.name)
        }
        var state = MeasurementState()
        var generator = SeededRandomNumberGenerator(seed: options.seed)
        var remeasured: [String] = []
        var look = 1
        var report: GateReport
        var results: (base: ResultsFile, candidate: ResultsFile)
        // Benchmarks with a gated timing metric (or an environment control) get the full process pairs; the
        // rest only show their timings and get two pairs.
        let gatedTiming = Set(runnable.filter { entry in
            configuration.calibrationBenchmarks.contains(entry.name)
                || configuration.thresholds.gatingRules(forBenchmark: entry.name).contains { $0.metric.lane != .deterministic }
        }.map(\.name))
        var toMeasure = runnable
        while true {
            log("gate: look \(look) of \(options.maxLooks): \(toMeasure.count) benchmarks, "
                + "\(options.processesPerSide) process pairs each")
            for (number, entry) in toMeasure.enumerated() {
                let sides = GateSide.allCases.filter {
                    ($0 == .base ? baseHello : candidateHello).benchmarks.contains(entry.name)
                }
                try await measure(
                    entry, sides: sides, pairs: gatedTiming.contains(entry.name) ? options.processesPerSide : 2,
                    isFirstLook: look == 1, state: &state, generator: &generator,
                    log: { log("gate: [\(number + 1)/\(toMeasure.count)] \(entry.name): \($0); "
                        + "\(ProgressDisplay.formatDuration(Date().timeIntervalSince(started))) measuring so far") })
            }
            results = (
                state.results(.base, suite: suite, environment: baseHello.environment, order: runnable),
                state.results(.candidate, suite: suite, environment: candidateHello.environment, order: runnable)
            )
            configuration.look = look
            do {
                report = try GateComparator(configuration: configuration).compare(
                    baseline: results.base, candidate: results.candidate)
            } catch {
                throw HarnessError(code: .worker, message: "the two sides cannot be compared: \(error.message)")
            }
            let open = Set(report.comparisons.filter { $0.outcome == .inconclusive && $0.pValue != nil }.map(\.benchmark))
            guard !open.isEmpty, look < options.maxLooks else { break }
            look += 1
            // Re-measure what is open, with the environment controls so the normalisation stays current.
            toMeasure = runnable.filter { open.contains($0.name) || configuration.calibrationBenchmarks.contains($0.name) }
            remeasured.append("look \(look): " + open.sorted().joined(separator: ", "))
        }
        var summary = summary
        summary.processesPerSide = options.processesPerSide
        summary.maxProcessesPerSide = options.processesPerSide * look
        summary.roundsPerProcess = options.roundsPerProcess
        summary.looksTaken = look
        summary.maxLooks = options.maxLooks
        summary.remeasured = remeasured
        summary.seed = options.seed
        if let storedBaseline {
            Self.addStoredBaseline(storedBaseline, candidate: results.candidate, configuration: configuration,
                                   to: &report, summary: &summary)
        }
        summary.seconds = Date().timeIntervalSince(started)
        report.session = summary
        let names = Set(suite.benchmarks.map(\.name))
        return Outcome(
            report: report, base: results.base, candidate: results.candidate, order: state.order,
            onlyInBase: names.filter { baseHello.benchmarks.contains($0) && !candidateHello.benchmarks.contains($0) }
                .sorted(),
            onlyInCandidate: names.filter { candidateHello.benchmarks.contains($0) && !baseHello.benchmarks.contains($0) }
                .sorted())
    }

    /// The deterministic lanes of `candidate` against a stored baseline (same environment key); their changes
    /// join the report, named as such. Timing against a stored file is left out: it was measured in another
    /// session, and the base measured in this one is the better reference.
    static func addStoredBaseline(
        _ stored: ResultsFile, candidate: ResultsFile, configuration: GateConfiguration, to report: inout GateReport,
        summary: inout GateSessionSummary
    ) {
        guard let storedReport = try? GateComparator(configuration: configuration).compare(
            baseline: stored, candidate: candidate)
        else {
            summary.storedBaseline = "\(stored.runID): not comparable with this environment; not used"
            return
        }
        summary.storedBaseline = stored.runID
        let extra = storedReport.comparisons.filter { $0.lane == .deterministic && $0.verdictClass != nil }
        for var comparison in extra {
            comparison.note = "against the stored baseline \(stored.runID): " + (comparison.note ?? "")
            report.comparisons.append(comparison)
        }
        guard !extra.isEmpty else { return }
        let classes = report.comparisons.compactMap(\.verdictClass) + report.benchmarkChanges.compactMap(\.verdictClass)
        var counts: [String: Int] = [:]
        for verdictClass in classes { counts[verdictClass.rawValue, default: 0] += 1 }
        report.outcome = GateOutcome(classes: classes)
        report.exitCode = Int(report.outcome.exitCode.rawValue)
        report.classCounts = counts
    }

    /// Both sides' answers, base first.
    private func both<T>(_ body: (GateSide) async throws -> T) async throws(HarnessError) -> (T, T) {
        do {
            return (try await body(.base), try await body(.candidate))
        } catch let error as HarnessError {
            throw error
        } catch {
            throw HarnessError(code: .worker, message: "a worker failed", cause: error)
        }
    }

    /// Measures one benchmark: `processesPerSide` process pairs in a seeded order, then (first look only) the
    /// allocation and instruction lanes once per side; logs one line when all of it is done.
    private func measure(
        _ entry: SuiteBenchmark, sides: [GateSide], pairs: Int, isFirstLook: Bool, state: inout MeasurementState,
        generator: inout SeededRandomNumberGenerator, log: (String) -> Void
    ) async throws(HarnessError) {
        var settings = options.suite.settings.applying(entry.settings)
        settings.processes = 1
        settings.minRounds = options.roundsPerProcess
        settings.maxRounds = options.roundsPerProcess
        if let warmup = options.maxWarmupSeconds { settings.maxWarmupSeconds = min(settings.maxWarmupSeconds, warmup) }
        let metrics = entry.metrics ?? options.suite.metrics
        let timingMetrics = metrics.filter { $0.lane != .deterministic }
        let exactMetrics = metrics.filter { $0.lane == .deterministic && !$0.isInstructionCount }
        let instructionMetrics = metrics.filter(\.isInstructionCount)
        var pattern: [String] = []
        for pair in 0..<pairs where !timingMetrics.isEmpty {
            let order: [GateSide] = generator.next() & 1 == 0 ? [.base, .candidate] : [.candidate, .base]
            pattern.append(order.map { $0 == .base ? "B" : "C" }.joined())
            for side in order where sides.contains(side) && state.failure[side]?[entry.name] == nil {
                let request = WorkerRequest(
                    op: .run, id: "\(entry.name)#\(side.rawValue)\(state.parts[side]?[entry.name]?.count ?? pair)",
                    benchmark: entry.name,
                    parameters: entry.parameters, settings: settings, metrics: timingMetrics, lane: .timing,
                    innerIterations: state.innerIterations[entry.name])
                try await run(request, side: side, entry: entry, state: &state)
            }
        }
        if !pattern.isEmpty {
            state.order[entry.name] = [state.order[entry.name], pattern.joined(separator: " ")].compactMap { $0 }
                .joined(separator: " ")
        }
        // The line comes after the benchmark's last worker, so that its time includes the deterministic lanes.
        var lanes: [String] = []
        if isFirstLook && !exactMetrics.isEmpty { lanes.append("allocations") }
        if isFirstLook && !instructionMetrics.isEmpty { lanes.append("instructions") }
        let line = "\(pattern.joined(separator: " ")) (B = base, C = candidate)"
            + (lanes.isEmpty ? "" : ", then \(lanes.joined(separator: " and ")) once a side")
        guard isFirstLook else { return log(line) }
        for side in GateSide.allCases where sides.contains(side) && state.failure[side]?[entry.name] == nil {
            if !exactMetrics.isEmpty {
                let request = WorkerRequest(
                    op: .run, id: "\(entry.name)#\(side.rawValue)-allocations", benchmark: entry.name,
                    parameters: entry.parameters, settings: settings, metrics: exactMetrics, lane: .allocation,
                    innerIterations: state.innerIterations[entry.name])
                try await run(
                    request, side: side, entry: entry, state: &state, environment: ["MALLOC_CONF": "tcache:false"])
            }
            if !instructionMetrics.isEmpty {
                // The instruction lane: one worker under Callgrind per side; exact counts need no replication.
                let request = WorkerRequest(
                    op: .run, id: "\(entry.name)#\(side.rawValue)-instructions", benchmark: entry.name,
                    parameters: entry.parameters, settings: settings, metrics: instructionMetrics,
                    lane: .instructions)
                try await run(request, side: side, entry: entry, state: &state, instructions: true)
            }
        }
        log(line)
    }

    private func run(
        _ request: WorkerRequest, side: GateSide, entry: SuiteBenchmark, state: inout MeasurementState,
        environment: [String: String] = [:], instructions: Bool = false
    ) async throws(HarnessError) {
        do {
            var result = instructions
                ? try await measurer.runInstructions(request, side: side)
                : try await measurer.run(request, side: side, environment: environment)
            result.name = entry.name
            if request.lane != .timing { result.processCount = 0 }
            if request.lane == .timing {
                state.innerIterations[entry.name] = state.innerIterations[entry.name] ?? result.innerIterations
            }
            state.parts[side, default: [:]][entry.name, default: []].append(result)
        } catch let failure as BenchmarkFailure {
            state.failure[side, default: [:]][entry.name] = failure.message
        } catch let error as HarnessError {
            throw error
        } catch {
            throw HarnessError(code: .worker, message: "the \(side.rawValue) worker failed", cause: error)
        }
    }
}

/// Everything measured so far in a session, per side and benchmark.
struct MeasurementState {
    var parts: [GateSide: [String: [BenchmarkResult]]] = [:]
    var failure: [GateSide: [String: String]] = [:]
    /// Operations per sample, fixed by the first process of each benchmark so both sides do the same work.
    var innerIterations: [String: Int] = [:]
    /// The order of each benchmark's process pairs.
    var order: [String: String] = [:]

    /// One side's results file: each benchmark's process results merged (per-process values kept).
    func results(_ side: GateSide, suite: SuiteFile, environment: EnvironmentFingerprint, order: [SuiteBenchmark])
        -> ResultsFile
    {
        var benchmarks: [BenchmarkResult] = []
        for entry in order {
            if let message = failure[side]?[entry.name] {
                benchmarks.append(BenchmarkResult(
                    name: entry.name, status: .failed, error: message, innerIterations: 0, metrics: []))
                continue
            }
            guard let parts = parts[side]?[entry.name], !parts.isEmpty else { continue }
            let metrics = entry.metrics ?? suite.metrics
            guard var merged = try? BenchmarkResult.merging(parts) else {
                // Histograms of different operations per sample cannot merge; keep the values, drop histograms.
                benchmarks.append(Self.mergedWithoutHistograms(parts))
                continue
            }
            merged.metrics = metrics.compactMap { metric in merged.metrics.first { $0.metric == metric } }
            benchmarks.append(merged)
        }
        return ResultsFile(
            runID: "gate-\(side.rawValue)", suite: suite.name, startedAt: ISO8601DateFormatter().string(from: Date()),
            isPartial: false, environment: environment, harnessOverheadNanoseconds: nil, benchmarks: benchmarks)
    }

    static func mergedWithoutHistograms(_ parts: [BenchmarkResult]) -> BenchmarkResult {
        var stripped = parts
        for index in stripped.indices {
            for metric in stripped[index].metrics.indices { stripped[index].metrics[metric].histogram = nil }
        }
        // Without histograms the merge recomputes summaries from the rounds and cannot fail.
        return (try? BenchmarkResult.merging(stripped)) ?? parts[0]
    }
}
