import Foundation

/// A side of a gate session: the base revision or the candidate (the work tree).
public enum GateSide: String, Codable, Sendable, Hashable, CaseIterable {
    case base, candidate
}

/// What a gate session measures with: one fresh worker per request, for either side.
///
/// `ProcessGateMeasurer` starts a new worker process of the side's build for every request (the worker process is
/// the unit of replication); tests give a measurer that answers in process. Calls never overlap: the session
/// runs one worker at a time, so the two sides never disturb each other.
public protocol GateMeasurer: Sendable {
    /// The benchmarks `side`'s build registers, and the environment it measures under.
    func hello(_ side: GateSide) async throws -> (benchmarks: [String], environment: EnvironmentFingerprint)

    /// Runs `request` (a `run` of one benchmark) in a fresh worker of `side` and returns its result.
    /// `environment` is added to the worker's (e.g. `MALLOC_CONF` for the allocation lane).
    /// - Throws: `BenchmarkFailure` when the benchmark itself failed (a Functional Fail); any other error ends
    ///   the session.
    func run(_ request: WorkerRequest, side: GateSide, environment: [String: String]) async throws -> BenchmarkResult

    /// Runs `request` (lane `instructions`) in a fresh worker of `side` under Callgrind. Without valgrind the
    /// result carries the metrics as unavailable, with the reason.
    func runInstructions(_ request: WorkerRequest, side: GateSide) async throws -> BenchmarkResult
}

extension GateMeasurer {
    /// Measurers without Callgrind report the instruction metrics as unavailable.
    public func runInstructions(_ request: WorkerRequest, side: GateSide) async throws -> BenchmarkResult {
        BenchmarkResult(
            name: request.benchmark ?? "", status: .passed, innerIterations: request.innerIterations ?? 1,
            metrics: (request.metrics ?? []).map { .unavailable($0, reason: "this measurer has no Callgrind") })
    }
}

/// Makes a gate run's measurer once both sides' worker executables are known (the base is built first).
///
/// `GateSession.gate(_:layout:measurers:log:)` takes one, so a whole gate run (finding and building the base,
/// measuring, writing the reports) can run in process with a measurer that starts no workers.
public protocol GateMeasurerFactory: Sendable {
    /// The measurer over the `base` and `candidate` worker executables; `environment` is added to every worker's.
    func makeMeasurer(base: URL, candidate: URL, environment: [String: String]) -> any GateMeasurer
}

/// The measurer factory of `sluice-bench gate`: real worker processes (`ProcessGateMeasurer`).
public struct ProcessGateMeasurerFactory: GateMeasurerFactory {
    /// Creates the factory.
    public init() {}

    /// A `ProcessGateMeasurer` over the two executables.
    public func makeMeasurer(base: URL, candidate: URL, environment: [String: String]) -> any GateMeasurer {
        ProcessGateMeasurer(base: base, candidate: candidate, environment: environment)
    }
}

/// A `GateMeasurer` over real worker processes: `<executable> worker`, one process per request.
public struct ProcessGateMeasurer: GateMeasurer {
    /// The worker executable of each side.
    public var executables: [GateSide: URL]
    /// Added to every worker's environment (e.g. `SLUICE_SHARED_DIR` for builds living in a cache).
    public var environment: [String: String]

    /// A measurer over the `base` and `candidate` executables; `environment` is added to every worker's.
    public init(base: URL, candidate: URL, environment: [String: String] = [:]) {
        self.executables = [.base: base, .candidate: candidate]
        self.environment = environment
    }

    /// Starts a fresh worker of `side`, asks `hello`, then closes it. Suspends until the worker answers (one
    /// request in flight, so no backpressure); cancellation is not observed, and closing blocks until the worker
    /// has exited.
    public func hello(_ side: GateSide) async throws -> (benchmarks: [String], environment: EnvironmentFingerprint) {
        let client = try client(side, [:])
        defer { client.close() }
        let response = try await client.exchange(WorkerRequest(op: .hello))
        guard response.event == .hello, let fingerprint = response.environment else {
            throw HarnessError(
                code: .worker, message: "the \(side.rawValue) worker answered `hello` with \(response.event.rawValue)",
                file: executables[side]?.path)
        }
        return (response.benchmarks ?? [], fingerprint)
    }

    /// Runs `request` in a fresh worker of `side` (`extra` added to its environment), then closes it. Suspends
    /// until the final answer (`round` events are dropped), one request in flight; cancellation is not observed:
    /// the call waits for the benchmark. A `failed` answer throws `BenchmarkFailure`.
    public func run(_ request: WorkerRequest, side: GateSide, environment extra: [String: String]) async throws
        -> BenchmarkResult
    {
        let client = try client(side, extra)
        defer { client.close() }
        return try Self.result(of: try await client.exchange(request), side: side, executable: executables[side])
    }

    /// The result a worker's answer carries; a `failed` answer is a `BenchmarkFailure`, anything else an error
    /// naming the side (and `detail`, e.g. valgrind's log).
    static func result(of response: WorkerResponse, side: GateSide, executable: URL?, detail: String = "") throws
        -> BenchmarkResult
    {
        switch response.event {
        case .result:
            guard let result = response.result else {
                throw HarnessError(code: .worker, message: "a result event without a result", field: side.rawValue)
            }
            return result
        case .failed:
            throw BenchmarkFailure(response.message ?? "failed in a worker")
        default:
            throw HarnessError(
                code: .worker,
                message: "the \(side.rawValue) worker answered \(response.event.rawValue): \(response.message ?? "")"
                    + detail,
                file: executable?.path)
        }
    }

    /// Runs `request` in a fresh worker of `side` under Callgrind; when Callgrind cannot be set up (e.g. no
    /// valgrind), returns the metrics as unavailable. Suspends until the worker answers, one request in flight;
    /// cancellation is not observed.
    public func runInstructions(_ request: WorkerRequest, side: GateSide) async throws -> BenchmarkResult {
        guard let executable = executables[side] else {
            preconditionFailure("ProcessGateMeasurer is created with both sides")
        }
        let wanted = request.metrics ?? []
        let launcher: CallgrindLauncher
        do {
            launcher = try CallgrindLauncher(
                executable: executable, cacheSimulation: wanted.contains(.estimatedCycles))
        } catch {
            return BenchmarkResult(
                name: request.benchmark ?? "", status: .passed, innerIterations: 1,
                metrics: wanted.map { .unavailable($0, reason: error.message) })
        }
        defer { launcher.removeOutput() }
        let client: WorkerClient
        do {
            client = try WorkerClient(
                executable: launcher.worker, environment: environment.merging(launcher.environment) { $1 },
                launcher: launcher.arguments)
        } catch {
            throw HarnessError(code: .worker, message: "cannot start the \(side.rawValue) worker under Callgrind",
                               file: executable.path, cause: error)
        }
        defer { client.close() }
        let response = try await client.exchange(request)
        let log = launcher.log.map { $0.split(separator: "\n").suffix(5).joined(separator: " | ") } ?? ""
        return try Self.result(
            of: response, side: side, executable: executable, detail: log.isEmpty ? "" : "; valgrind: \(log)")
    }

    private func client(_ side: GateSide, _ extra: [String: String]) throws -> WorkerClient {
        guard let executable = executables[side] else {
            preconditionFailure("ProcessGateMeasurer is created with both sides")
        }
        do {
            return try WorkerClient(executable: executable, environment: environment.merging(extra) { $1 })
        } catch {
            throw HarnessError(
                code: .worker, message: "cannot start the \(side.rawValue) worker", file: executable.path,
                cause: error)
        }
    }
}
