/// The JSON-lines protocol between a driver and `sluice-bench worker` (hidden subcommand), version 1.
///
/// The driver writes one `WorkerRequest` per line to the worker's stdin; the worker answers with
/// `WorkerResponse` lines on stdout (diagnostics go to stderr). Every message carries `"protocol": 1`; a worker
/// answers a request of another version with an `error` event and keeps running. Keys are stable; new optional
/// keys may be added within a version.
///
/// Requests (`op`) and their responses (`event`):
/// - `hello` → `hello` with `harnessVersion`, `benchmarks` (every registered name) and `environment`.
/// - `run` (`id`, `benchmark`, `parameters`, `settings`, `metrics`, `lane`, optional `innerIterations` and
///   `policy`) → zero or more `round` events, then one `result` (with a `BenchmarkResult`) or `failed`
///   (a Functional Fail: setup/operation threw or the output check failed; `message` says which).
///   `lane` is `timing` (warm-up and rounds), `allocation` (only the allocation pass), `instructions` (only
///   the instruction pass, in a worker under Callgrind) or `all` (timing and allocations).
/// - `prepare` (same fields as `run`) → `prepared` with the chosen `innerIterations`, or `failed`.
///   The session stays open under its `id`: setup, calibration and warm-up are done.
/// - `round` (`id`) → one `round` event (`round`, `values`: `wall_time` = the round's median ns/op,
///   `samples`, `operations`), or `failed`. This is what a commit comparison alternates between two builds.
/// - `finish` (`id`) → the output check, then `result` with every round of the session, or `failed`;
///   the session is closed.
/// - `exit` → `bye`, and the worker exits 0. End of input also ends the worker.
/// Any malformed line or unknown `id` → `error` with `code` and `message`; the worker keeps running.
///
/// Example:
/// ```
/// > {"protocol":1,"op":"run","id":"1","benchmark":"selftest/spin","settings":{...},"metrics":["wall_time"],"lane":"timing"}
/// < {"protocol":1,"event":"round","id":"1","round":0,"values":{"wall_time":812.5,"samples":120,"operations":3840}}
/// < {"protocol":1,"event":"result","id":"1","result":{...}}
/// ```
public enum WorkerProtocol {
    /// The protocol version this build speaks.
    public static let version = 1
}

/// A request line from the driver to a worker.
public struct WorkerRequest: Codable, Sendable, Hashable {
    /// The operations a worker understands.
    public enum Operation: String, Codable, Sendable, Hashable {
        case hello, run, prepare, round, finish, exit
    }

    /// Which passes a `run` / `prepare` performs.
    public enum Lane: String, Codable, Sendable, Hashable {
        case timing, allocation, all
        /// The instruction pass only; the worker must run under Callgrind (`CallgrindLauncher`).
        case instructions
    }

    public var protocolVersion: Int
    public var op: Operation
    /// Correlates responses and names a session (`prepare` / `round` / `finish`).
    public var id: String?
    public var benchmark: String?
    public var parameters: [String: JSONParameter]?
    public var settings: RunSettings?
    public var metrics: [BenchmarkMetric]?
    public var lane: Lane?
    /// Fixes the operations per sample, so several processes' histograms can be merged.
    public var innerIterations: Int?
    public var policy: MeasurementPolicy?

    enum CodingKeys: String, CodingKey {
        case protocolVersion = "protocol"
        case op, id, benchmark, parameters, settings, metrics, lane, innerIterations, policy
    }

    /// Creates a request of the current protocol version.
    public init(
        op: Operation, id: String? = nil, benchmark: String? = nil, parameters: [String: JSONParameter]? = nil,
        settings: RunSettings? = nil, metrics: [BenchmarkMetric]? = nil, lane: Lane? = nil,
        innerIterations: Int? = nil, policy: MeasurementPolicy? = nil
    ) {
        self.protocolVersion = WorkerProtocol.version
        self.op = op
        self.id = id
        self.benchmark = benchmark
        self.parameters = parameters
        self.settings = settings
        self.metrics = metrics
        self.lane = lane
        self.innerIterations = innerIterations
        self.policy = policy
    }
}

/// A response line from a worker to the driver.
public struct WorkerResponse: Codable, Sendable {
    /// The events a worker sends.
    public enum Event: String, Codable, Sendable, Hashable {
        case hello, prepared, round, result, failed, error, bye
    }

    public var protocolVersion: Int
    public var event: Event
    public var id: String?
    public var harnessVersion: String?
    public var benchmarks: [String]?
    public var environment: EnvironmentFingerprint?
    public var innerIterations: Int?
    /// The round's number within the session, from 0.
    public var round: Int?
    /// Per-round values: `wall_time` (median ns/op), `samples`, `operations`.
    public var values: [String: Double]?
    public var result: BenchmarkResult?
    /// For `failed` and `error`: what went wrong.
    public var message: String?
    /// For `error`: a `HarnessError.Code` description, e.g. `unknownBenchmark`.
    public var code: String?

    enum CodingKeys: String, CodingKey {
        case protocolVersion = "protocol"
        case event, id, harnessVersion, benchmarks, environment, innerIterations, round, values, result, message, code
    }

    /// Creates a response of the current protocol version.
    public init(event: Event, id: String? = nil) {
        self.protocolVersion = WorkerProtocol.version
        self.event = event
        self.id = id
    }
}

