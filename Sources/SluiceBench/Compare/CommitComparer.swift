import SluiceTestKit

/// Runs the benchmarks of a suite on two builds in alternating rounds and judges B against A with the gate.
///
/// For each benchmark both workers prepare a session (B with A's operations per sample), then `rounds` rounds
/// run with the two sides in a seeded random order per round (`AB` or `BA`), so drift in the machine hits both
/// alike. The finished results become two results files, A as the baseline and B as the candidate, and
/// `GateComparator` judges them: the same lanes, thresholds, intervals and verdict classes as the gate.
/// A benchmark that only one build registers is listed, not run.
public struct CommitComparer: Sendable {
    /// How the two sides are judged (the suite's thresholds).
    public var gate: GateConfiguration
    /// Measured rounds per side and benchmark.
    public var rounds: Int
    /// Seeds the round order; printed in the report so a run can be replayed.
    public var seed: UInt64

    public init(gate: GateConfiguration, rounds: Int, seed: UInt64) {
        precondition(rounds >= 2, "a comparison needs at least 2 rounds a side")
        self.gate = gate
        self.rounds = rounds
        self.seed = seed
    }

    /// What the run produced, before it is written as a report.
    public struct Outcome: Sendable {
        public var gateReport: GateReport
        /// The order of each benchmark's rounds, e.g. `AB BA BA AB`.
        public var order: [String: String]
        public var onlyInA: [String]
        public var onlyInB: [String]
        public var resultsA: ResultsFile
        public var resultsB: ResultsFile
    }

    /// Compares `suite`'s benchmarks between `workerA` and `workerB`.
    ///
    /// Suspends while the workers measure. The workers are not closed here.
    /// - Throws: `HarnessError` when a worker fails or breaks the protocol; then there is no verdict at all.
    /// Complexity: O(benchmarks × rounds) worker round trips.
    public func run(
        suite: SuiteFile, workerA: any CompareWorker, workerB: any CompareWorker, runID: String, startedAt: String
    ) async throws(HarnessError) -> Outcome {
        let helloA = try await sideError("A") { () async throws(HarnessError) in try await workerA.hello() }
        let helloB = try await sideError("B") { () async throws(HarnessError) in try await workerB.hello() }
        let namesA = Set(helloA.benchmarks)
        let namesB = Set(helloB.benchmarks)
        var generator = SeededRandomNumberGenerator(seed: seed)
        var benchmarksA: [BenchmarkResult] = []
        var benchmarksB: [BenchmarkResult] = []
        var order: [String: String] = [:]
        var onlyInA: [String] = []
        var onlyInB: [String] = []
        for (number, entry) in suite.benchmarks.enumerated() {
            switch (namesA.contains(entry.name), namesB.contains(entry.name)) {
            case (true, false):
                onlyInA.append(entry.name)
                continue
            case (false, true):
                onlyInB.append(entry.name)
                continue
            case (false, false):
                onlyInA.append(entry.name)
                onlyInB.append(entry.name)
                continue
            case (true, true):
                break
            }
            let settings = suite.settings.applying(entry.settings)
            let metrics = entry.metrics ?? suite.metrics
            let session = "compare-\(number)"
            var failureA: String?
            var failureB: String?
            var iterations: Int?
            do {
                iterations = try await workerA.prepare(
                    session: session, benchmark: entry, settings: settings, metrics: metrics, innerIterations: nil)
            } catch {
                guard let message = Self.benchmarkFailure(error) else { throw Self.asCompareError(error, side: "A") }
                failureA = message
            }
            do {
                _ = try await workerB.prepare(
                    session: session, benchmark: entry, settings: settings, metrics: metrics,
                    innerIterations: iterations)
            } catch {
                guard let message = Self.benchmarkFailure(error) else { throw Self.asCompareError(error, side: "B") }
                failureB = message
            }
            var pattern: [String] = []
            for _ in 0..<rounds where failureA == nil && failureB == nil {
                let aFirst = generator.next() & 1 == 0
                pattern.append(aFirst ? "AB" : "BA")
                for side in aFirst ? ["A", "B"] : ["B", "A"] {
                    do {
                        _ = try await (side == "A" ? workerA : workerB).round(session: session)
                    } catch {
                        guard let message = Self.benchmarkFailure(error) else { throw Self.asCompareError(error, side: side) }
                        if side == "A" { failureA = message } else { failureB = message }
                    }
                }
            }
            order[entry.name] = pattern.joined(separator: " ")
            benchmarksA.append(try await finish(workerA, session, entry, failureA, side: "A"))
            benchmarksB.append(try await finish(workerB, session, entry, failureB, side: "B"))
        }
        let environmentA = helloA.environment ?? helloB.environment
        let environmentB = helloB.environment ?? helloA.environment
        guard let environmentA, let environmentB else {
            throw HarnessError(code: .workerFailed, message: "neither worker reported its environment in hello")
        }
        let resultsA = ResultsFile(
            runID: "\(runID)-A", suite: suite.name, startedAt: startedAt, isPartial: false,
            environment: environmentA, harnessOverheadNanoseconds: nil, benchmarks: benchmarksA)
        let resultsB = ResultsFile(
            runID: "\(runID)-B", suite: suite.name, startedAt: startedAt, isPartial: false,
            environment: environmentB, harnessOverheadNanoseconds: nil, benchmarks: benchmarksB)
        let report: GateReport
        do {
            report = try GateComparator(configuration: gate).compare(baseline: resultsA, candidate: resultsB)
        } catch {
            throw HarnessError(code: .workerFailed, message: "the two builds cannot be compared: \(error.message)")
        }
        return Outcome(
            gateReport: report, order: order, onlyInA: onlyInA, onlyInB: onlyInB, resultsA: resultsA,
            resultsB: resultsB)
    }

    /// Finishes a session, or records the failure seen earlier as a failed benchmark.
    private func finish(
        _ worker: any CompareWorker, _ session: String, _ entry: SuiteBenchmark, _ failure: String?, side: String
    ) async throws(HarnessError) -> BenchmarkResult {
        if let failure {
            // Best effort: close the session; its result no longer matters.
            _ = try? await worker.finish(session: session)
            return BenchmarkResult(name: entry.name, status: .failed, error: failure, innerIterations: 0, metrics: [])
        }
        do {
            var result = try await worker.finish(session: session)
            result.name = entry.name
            return result
        } catch {
            guard let message = Self.benchmarkFailure(error) else { throw Self.asCompareError(error, side: side) }
            return BenchmarkResult(name: entry.name, status: .failed, error: message, innerIterations: 0, metrics: [])
        }
    }

    private func sideError<T>(_ side: String, _ body: () async throws(HarnessError) -> T) async throws(HarnessError)
        -> T
    {
        do {
            return try await body()
        } catch {
            throw HarnessError(code: error.code, message: error.message, side: side)
        }
    }

    /// The failure message when `error` is a benchmark failure rather than the end of the comparison.
    static func benchmarkFailure(_ error: any Error) -> String? {
        if let failure = error as? CompareBenchmarkFailure { return failure.message }
        if let error = error as? HarnessError, error.code == .benchmarkFailed { return error.message }
        return nil
    }

    static func asCompareError(_ error: any Error, side: String) -> HarnessError {
        if let error = error as? HarnessError {
            return HarnessError(code: error.code, message: error.message, side: side)
        }
        return HarnessError(code: .workerFailed, message: "\(error)", side: side)
    }
}
