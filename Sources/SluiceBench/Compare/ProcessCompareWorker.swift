import Foundation

/// A `CompareWorker` over a real worker process (`<executable> worker`, `WorkerProtocol` version 1):
/// what `sluice-bench compare` drives for each of the two builds.
public final class ProcessCompareWorker: CompareWorker {
    private let client: WorkerClient
    private let side: String
    /// Each open session's `prepare` request, to measure its allocations after the timing rounds.
    private var prepared: [String: WorkerRequest] = [:]

    /// Starts `executable worker` with `environment` added. `side` (`A` or `B`) names it in errors.
    /// - Throws: `HarnessError` `.workerFailed` when the process cannot start.
    public init(executable: URL, side: String, environment: [String: String] = [:]) throws(HarnessError) {
        self.side = side
        do {
            client = try WorkerClient(executable: executable, environment: environment)
        } catch {
            throw HarnessError(code: .workerFailed, message: "cannot start \(executable.path) worker: \(error)", side: side)
        }
    }

    public func hello() async throws(HarnessError) -> (benchmarks: [String], environment: EnvironmentFingerprint?) {
        let response = try await exchange(WorkerRequest(op: .hello), expecting: .hello)
        return (response.benchmarks ?? [], response.environment)
    }

    public func prepare(
        session: String, benchmark: SuiteBenchmark, settings: RunSettings, metrics: [BenchmarkMetric],
        innerIterations: Int?
    ) async throws -> Int {
        let request = WorkerRequest(
            op: .prepare, id: session, benchmark: benchmark.name, parameters: benchmark.parameters, settings: settings,
            metrics: metrics, lane: .all, innerIterations: innerIterations)
        let response = try await exchange(request, expecting: .prepared)
        guard let iterations = response.innerIterations ?? innerIterations else {
            throw HarnessError(code: .workerFailed, message: "`prepared` without innerIterations", side: side)
        }
        var allocationRequest = request
        allocationRequest.op = .run
        allocationRequest.lane = .allocation
        allocationRequest.innerIterations = iterations
        prepared[session] = allocationRequest
        return iterations
    }

    public func round(session: String) async throws -> Double {
        let response = try await exchange(WorkerRequest(op: .round, id: session), expecting: .round)
        guard let value = response.values?["wall_time"] else {
            throw HarnessError(code: .workerFailed, message: "a `round` without values.wall_time", side: side)
        }
        return value
    }

    /// Closes the session, then measures the deterministic lane (exact allocation counts) with a `run` of
    /// lane `allocation` at the same operations per sample: a session's rounds carry timings only, and exact
    /// counts need no alternation.
    public func finish(session: String) async throws -> BenchmarkResult {
        let response = try await exchange(WorkerRequest(op: .finish, id: session), expecting: .result)
        guard var result = response.result else {
            throw HarnessError(code: .workerFailed, message: "a `result` without its result", side: side)
        }
        guard var allocationRequest = prepared.removeValue(forKey: session),
            allocationRequest.metrics?.contains(where: { $0.lane == .deterministic }) == true
        else { return result }
        allocationRequest.id = "\(session)-allocations"
        let allocations = try await exchange(allocationRequest, expecting: .result)
        let exact = (allocations.result?.metrics ?? []).filter { $0.metric.lane == .deterministic }
        result.metrics = result.metrics.filter { $0.metric.lane != .deterministic } + exact
        return result
    }

    public func close() {
        client.close()
    }

    /// Sends `request` and returns the answer when it is `expected`; a `failed` answer is a benchmark failure,
    /// anything else (an `error`, another event, a dead worker) ends the comparison.
    private func exchange(_ request: WorkerRequest, expecting expected: WorkerResponse.Event)
        async throws(HarnessError) -> WorkerResponse
    {
        let response: WorkerResponse
        do {
            response = try await client.exchange(request)
        } catch {
            throw HarnessError(code: .workerFailed, message: "\(error)", side: side)
        }
        if response.event == expected { return response }
        if response.event == .failed {
            // Typed throws cannot carry two error types: a benchmark failure travels as a HarnessError with
            // the `benchmarkFailed` marker, which the untyped callers turn back into CompareBenchmarkFailure.
            throw HarnessError(code: .benchmarkFailed, message: response.message ?? "the benchmark failed", side: side)
        }
        throw HarnessError(
            code: .workerFailed,
            message: "expected `\(expected.rawValue)` to `\(request.op.rawValue)`, got `\(response.event.rawValue)`"
                + (response.message.map { ": \($0)" } ?? ""),
            side: side)
    }
}
