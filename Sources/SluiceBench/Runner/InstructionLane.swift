import Foundation

/// The instruction pass of a measurement: counts the instructions of N operations with valgrind's Callgrind and
/// reports instructions (and, with the cache simulation, estimated cycles) per operation.
///
/// Runs only in a worker started under Callgrind (`CallgrindLauncher`); elsewhere both metrics are unavailable
/// with the reason. Only the measured region counts: one uncounted operation first (lazy one-time work), then
/// one counted operation that fixes N so that a round counts about `targetInstructions` (N depends on the
/// count, never on a clock, so it is the same in every run), then `rounds` rounds of N operations.
/// Asynchronous benchmarks run on a `SerialTaskExecutor`, so that their tasks run on the counting thread in a
/// fixed order.
struct InstructionLane {
    /// Instructions one round should count, at least; N is rounded up to a power of two.
    static let targetInstructions: UInt64 = 4_000_000
    /// The most operations one round runs.
    static let maxOperations = 1 << 16
    /// Counted rounds, reported together as one value per operation.
    static let rounds = 2

    let wantsCycles: Bool
    let cancellation: RunCancellation?

    func measure(_ body: any PreparedBenchmark) async throws -> [MetricResult] {
        if let reason = CallgrindCapture.unavailableReason {
            return [.unavailable(.instructions, reason: reason), .unavailable(.estimatedCycles, reason: reason)]
        }
        let rounds: [(counts: CallgrindCapture.Counts, operations: Int)]
        if body.isSynchronous {
            rounds = try await countRounds(body)
        } else {
            let executor = SerialTaskExecutor()
            defer { executor.shutdown() }
            rounds = try await withTaskExecutorPreference(executor) { try await countRounds(body) }
        }
        let operations = rounds.reduce(0) { $0 + $1.operations }
        let perRound = rounds.map { String(format: "%.1f", Double($0.counts.instructions) / Double($0.operations)) }
        // One value: the whole counted sequence over its operations. Rounds of the same length can differ (a
        // periodic event, such as a cache flush in the allocator, falls in one and not the other), but each
        // round repeats exactly from run to run, so their total is the reproducible figure, and no band of
        // round-to-round spread blunts the threshold.
        let method = "callgrind client requests: \(rounds.count) rounds of \(rounds.last?.operations ?? 1) operations"
            + (body.isSynchronous ? "" : " on a serial task executor") + " (per round: \(perRound.joined(separator: ", ")))"
        func result(_ metric: BenchmarkMetric, _ total: UInt64) -> MetricResult {
            let value = Double(total) / Double(operations)
            var result = MetricResult(
                metric: metric, isExact: true, sampleCount: operations, summary: MetricSummary(exactValues: [value]),
                roundValues: [value])
            result.method = method
            return result
        }
        var results = [result(.instructions, rounds.reduce(0) { $0 &+ $1.counts.instructions })]
        let cycles = rounds.compactMap(\.counts.estimatedCycles)
        if cycles.count == rounds.count && !cycles.isEmpty {
            results.append(result(.estimatedCycles, cycles.reduce(0, &+)))
        } else {
            results.append(.unavailable(
                .estimatedCycles,
                reason: wantsCycles ? "Callgrind ran without --cache-sim=yes" : "not requested by the suite"))
        }
        return results
    }

    /// Operations per round for a benchmark whose single operation counted `instructions`.
    static func operations(forSingleOperation instructions: UInt64) -> Int {
        guard instructions > 0, instructions < targetInstructions else { return 1 }
        let wanted = Int((targetInstructions + instructions - 1) / instructions)
        return min(maxOperations, wanted.nextPowerOfTwoOrSelf)
    }

    /// The warm-up operation, the probe and the rounds, all on the calling thread (or executor).
    private func countRounds(_ body: any PreparedBenchmark) async throws
        -> [(counts: CallgrindCapture.Counts, operations: Int)]
    {
        try await run(body, 1, counted: false)
        let probe = try await run(body, 1, counted: true)
        let operations = Self.operations(forSingleOperation: probe?.instructions ?? 0)
        var rounds: [(counts: CallgrindCapture.Counts, operations: Int)] = []
        if operations == 1, let probe { rounds.append((probe, 1)) }
        while rounds.count < Self.rounds {
            if cancellation?.isCancelled == true { throw RunInterrupted() }
            if let counts = try await run(body, operations, counted: true) { rounds.append((counts, operations)) }
        }
        return rounds
    }

    /// Runs `iterations` operations; when `counted`, between `CallgrindCapture.begin()` and `end()` on this
    /// thread (no suspension point between them for a synchronous benchmark).
    private func run(_ body: any PreparedBenchmark, _ iterations: Int, counted: Bool) async throws
        -> CallgrindCapture.Counts?
    {
        if counted { CallgrindCapture.begin() }
        var failure: (any Error)?
        do {
            if body.isSynchronous {
                try body.runSynchronously(iterations)
            } else {
                try await body.run(iterations)
            }
        } catch {
            failure = error
        }
        let counts = counted ? try CallgrindCapture.end() : nil
        if let failure {
            throw failure as? BenchmarkFailure ?? BenchmarkFailure("the operation threw: \(failure)")
        }
        return counts
    }
}
