import Histogram
import Sluice

/// Measures one benchmark in this process: setup, first check, inner-iteration scaling, warm-up, rounds,
/// an optional allocation pass, and the result.
///
/// Used by `SuiteRunner` in process and by the worker (`sluice-bench worker`), whose `prepare` / `round` /
/// `finish` requests map one-to-one onto `prepare()`, `measureRound()` and `makeResult()`. Not thread-safe:
/// one task owns a measurement.
///
/// The harness keeps itself out of the timings: histogram records and bookkeeping happen between samples, and
/// the cost of an empty sample (two clock reads) is subtracted from every sample.
public final class BenchmarkMeasurement {
    /// The benchmark measured; `prepare()` makes a fresh instance of it.
    public let benchmark: Benchmark
    /// The parameters passed to the benchmark's setup; recorded in the result when not empty.
    public let parameters: BenchmarkParameters
    /// The run settings used: warm-up cap, round counts and length, inner iterations.
    public let settings: RunSettings
    /// The metrics requested; `makeResult()` reports each one, measured or unavailable with a reason.
    public let metrics: [BenchmarkMetric]
    let clock: any MonotonicClock
    let overhead: HarnessOverhead
    let policy: MeasurementPolicy
    let cancellation: RunCancellation?

    private var body: (any PreparedBenchmark)?
    /// Operations per sample, fixed by `prepare`.
    public private(set) var innerIterations = 1
    /// Whether warm-up ended because timings were stable (false: it hit `maxWarmupSeconds`); nil when no
    /// warm-up ran (the allocation lane).
    public private(set) var isWarmupStable: Bool?
    /// The rounds measured so far.
    public private(set) var rounds: [RoundMeasurement] = []
    private var wallHistogram = Histogram<UInt64>(
        highestTrackableValue: LatencyRecorder.highestTrackableValue, numberOfSignificantValueDigits: .three)
    private var allocationMetrics: [MetricResult] = []
    private var allocationLaneRan = false
    /// Nil until the instruction lane ran.
    private var instructionMetrics: [MetricResult]?

    /// Creates a measurement; nothing runs until `prepare()`.
    public init(
        benchmark: Benchmark, parameters: BenchmarkParameters, settings: RunSettings, metrics: [BenchmarkMetric],
        clock: any MonotonicClock = SystemMonotonicClock(), overhead: HarnessOverhead,
        policy: MeasurementPolicy = MeasurementPolicy(), cancellation: RunCancellation? = nil
    ) {
        self.benchmark = benchmark
        self.parameters = parameters
        self.settings = settings
        self.metrics = metrics
        self.clock = clock
        self.overhead = overhead
        self.policy = policy
        self.cancellation = cancellation
    }

    /// Runs the setup, one operation and the output check, then fixes the inner iterations (`innerIterations`
    /// when given, else `settings.innerIterations`, else scaled until a sample lasts the policy's target), then
    /// warms up until stable or `maxWarmupSeconds`. Returns the inner iterations.
    /// Throws `BenchmarkFailure` when the setup, the operation or the check fails.
    /// `warmsUp: false` skips the warm-up (the allocation lane needs none).
    public func prepare(innerIterations fixed: Int? = nil, warmsUp: Bool = true) async throws -> Int {
        let body: any PreparedBenchmark
        do {
            body = try await benchmark.makeInstance(parameters)
        } catch let error as HarnessError {
            throw BenchmarkFailure("setup failed: \(error)")
        } catch {
            throw BenchmarkFailure("setup failed: \(error)")
        }
        self.body = body
        _ = try await sample(body, iterations: 1)
        try check(body)
        if let fixed = fixed ?? settings.innerIterations {
            innerIterations = max(1, fixed)
        } else {
            innerIterations = try await calibrate(body)
        }
        if warmsUp {
            isWarmupStable = try await warmUp(body)
        }
        return innerIterations
    }

    /// Doubles the operations per sample until a sample lasts the policy's target. O(log(target / op time)).
    private func calibrate(_ body: any PreparedBenchmark) async throws -> Int {
        var iterations = 1
        while iterations < policy.maxInnerIterations {
            let elapsed = try await sample(body, iterations: iterations)
            if elapsed >= policy.targetSampleNanoseconds { break }
            // Jump close to the target when the sample is far too short, then keep doubling.
            let perOperation = max(1, elapsed / UInt64(iterations))
            let estimate = Int(policy.targetSampleNanoseconds / perOperation)
            iterations = min(policy.maxInnerIterations, max(iterations * 2, estimate.nextPowerOfTwoOrSelf / 2))
        }
        return iterations
    }

    /// Samples in windows until two consecutive window medians agree within the tolerance (true), or the cap
    /// passes (false).
    private func warmUp(_ body: any PreparedBenchmark) async throws -> Bool {
        let deadline = clock.nowNanoseconds() &+ UInt64(settings.maxWarmupSeconds * 1e9)
        var previous: Double?
        var window = [Double](repeating: 0, count: policy.warmupWindow)
        while true {
            for index in 0..<policy.warmupWindow {
                window[index] = Double(try await sample(body, iterations: innerIterations))
            }
            window.sort()
            let median = window[window.count / 2]
            if let previous, abs(median - previous) <= policy.warmupTolerance * max(previous, 1) { return true }
            if clock.nowNanoseconds() >= deadline { return false }
            previous = median
        }
    }

    /// Measures one round: samples until `minRoundSeconds` has passed (at least one sample).
    /// Records every sample into the wall-time histogram. Throws `RunInterrupted` when cancelled.
    @discardableResult
    public func measureRound() async throws -> RoundMeasurement {
        guard let body else { preconditionFailure("prepare() must succeed before measureRound()") }
        let minimumNanoseconds = UInt64(settings.minRoundSeconds * 1e9)
        var samples: [Double] = []
        samples.reserveCapacity(64)
        let cpuStart = ResourceUsage.cpuTime()
        let start = clock.nowNanoseconds()
        var now = start
        let divisor = Double(innerIterations)
        repeat {
            if cancellation?.isCancelled == true { throw RunInterrupted() }
            let (elapsed, end) = try await timedSample(body, iterations: innerIterations)
            _ = wallHistogram.record(min(max(elapsed, 1), LatencyRecorder.highestTrackableValue))
            samples.append(Double(elapsed) / divisor)
            now = end
        } while now &- start < minimumNanoseconds && samples.count < policy.maxSamplesPerRound
        let cpuEnd = ResourceUsage.cpuTime()
        let round = RoundMeasurement(
            index: rounds.count, samples: samples, operations: samples.count * innerIterations,
            wallNanoseconds: now &- start, cpuUserNanoseconds: cpuEnd.user &- cpuStart.user,
            cpuSystemNanoseconds: cpuEnd.system &- cpuStart.system)
        rounds.append(round)
        return round
    }

    /// Measures rounds until `minRounds` are done and their medians agree within the policy's spread, or
    /// `maxRounds` are done; then checks the output. `onRound` sees each round as it completes.
    public func measureRounds(onRound: (RoundMeasurement) -> Void = { _ in }) async throws {
        guard let body else { preconditionFailure("prepare() must succeed before measureRounds()") }
        while rounds.count < settings.maxRounds {
            onRound(try await measureRound())
            if rounds.count >= settings.minRounds && roundsAreStable { break }
        }
        try check(body)
    }

    private var roundsAreStable: Bool {
        let medians = rounds.map(\.median).sorted()
        guard let low = medians.first, let high = medians.last, medians.count > 1 else { return false }
        return high - low <= policy.roundSpreadTolerance * medians[medians.count / 2]
    }

    /// Runs the output check on the current state. Throws `BenchmarkFailure` when it reports wrong output.
    public func checkOutput() throws {
        guard let body else { preconditionFailure("prepare() must succeed before checkOutput()") }
        try check(body)
    }

    private func check(_ body: any PreparedBenchmark) throws {
        if let message = body.check() { throw BenchmarkFailure("output check failed: \(message)") }
    }

    /// One timed sample of `iterations` operations, in ns, minus the empty-sample cost.
    @inline(__always)
    private func sample(_ body: any PreparedBenchmark, iterations: Int) async throws -> UInt64 {
        try await timedSample(body, iterations: iterations).elapsed
    }

    /// One timed sample: its duration minus the empty-sample cost, and the clock reading at its end (so the
    /// round loop needs no clock read of its own).
    @inline(__always)
    private func timedSample(_ body: any PreparedBenchmark, iterations: Int) async throws
        -> (elapsed: UInt64, end: UInt64)
    {
        let start: UInt64
        let end: UInt64
        do {
            if body.isSynchronous {
                start = clock.nowNanoseconds()
                try body.runSynchronously(iterations)
                end = clock.nowNanoseconds()
            } else {
                start = clock.nowNanoseconds()
                try await body.run(iterations)
                end = clock.nowNanoseconds()
            }
        } catch let error as BenchmarkFailure {
            throw error
        } catch {
            throw BenchmarkFailure("the operation threw: \(error)")
        }
        let elapsed = end &- start
        let empty = UInt64(overhead.emptySampleNanoseconds)
        return (elapsed > empty ? elapsed - empty : 0, end)
    }

    /// The allocation lane: counts allocation calls and bytes per operation in a pass of its own, after the
    /// timing rounds. Exact for synchronous benchmarks (per-thread hooks and `thread.allocatedp`);
    /// process-wide for asynchronous ones. Reports the metrics unavailable, with the reason, when jemalloc
    /// is not the allocator. Throws `BenchmarkFailure` if the operation fails.
    public func measureAllocations() async throws {
        guard let body else { preconditionFailure("prepare() must succeed before measureAllocations()") }
        allocationLaneRan = true
        let lane = AllocationLane(policy: policy, innerIterations: innerIterations, cancellation: cancellation)
        allocationMetrics = try await lane.measure(body)
    }

    /// The instruction lane: counts instructions per operation with Callgrind (see `InstructionLane`), in a pass
    /// of its own. Reports the metrics unavailable, with the reason, outside a Callgrind worker.
    /// Throws `BenchmarkFailure` if the operation fails, `RunInterrupted` when cancelled.
    public func measureInstructions() async throws {
        guard let body else { preconditionFailure("prepare() must succeed before measureInstructions()") }
        let lane = InstructionLane(wantsCycles: metrics.contains(.estimatedCycles), cancellation: cancellation)
        instructionMetrics = try await lane.measure(body)
    }

    /// The result so far: every requested metric, measured or unavailable with a reason.
    public func makeResult() -> BenchmarkResult {
        var builder = MetricResultBuilder(
            rounds: rounds, wallHistogram: wallHistogram, innerIterations: innerIterations,
            itemsPerOperation: body?.itemsPerOperation, bytesPerOperation: body?.bytesPerOperation,
            probes: body?.probes(), allocationMetrics: allocationLaneRan ? allocationMetrics : nil,
            instructionMetrics: instructionMetrics)
        var result = BenchmarkResult(
            name: benchmark.name, status: .passed, innerIterations: innerIterations,
            metrics: metrics.map { builder.make($0) })
        result.parameters = parameters.values.isEmpty ? nil : parameters.values
        result.itemsPerOperation = body?.itemsPerOperation
        result.bytesPerOperation = body?.bytesPerOperation
        result.isWarmupStable = isWarmupStable
        result.processCount = 1
        return result
    }
}

extension Int {
    /// The smallest power of two ≥ self (self when already one); 1 for values below 1.
    var nextPowerOfTwoOrSelf: Int {
        guard self > 1 else { return 1 }
        return 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
