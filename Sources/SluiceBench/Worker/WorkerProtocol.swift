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
        /// Asks who the worker is: answered by `hello`.
        case hello
        /// Runs one benchmark to the end in one go: `round` events, then `result` or `failed`.
        case run
        /// Sets up a session (setup, calibration, warm-up) and keeps it open under `id`: `prepared` or `failed`.
        case prepare
        /// Measures one more round of an open session: one `round` event, or `failed`.
        case round
        /// Runs the output check and closes the session: `result` with every round, or `failed`.
        case finish
        /// Ends the worker: `bye`, then exit 0.
        case exit
    }

    /// Which passes a `run` / `prepare` performs.
    public enum Lane: String, Codable, Sendable, Hashable {
        /// Warm-up and timed rounds, allocation counting off.
        case timing
        /// Only the allocation pass, with jemalloc's thread cache off and counting hooks on.
        case allocation
        /// The timing rounds, then the allocation pass, in one process.
        case all
        /// The instruction pass only; the worker must run under Callgrind (`CallgrindLauncher`).
        case instructions
    }

    /// The protocol version, `"protocol"` in JSON; a worker answers any other with an `error` event.
    public var protocolVersion: Int
    /// What the driver asks for.
    public var op: Operation
    /// Correlates responses and names a session (`prepare` / `round` / `finish`).
    public var id: String?
    /// For `run` and `prepare`: the registered benchmark name.
    public var benchmark: String?
    /// For `run` and `prepare`: the suite's parameters for the benchmark.
    public var parameters: [String: JSONParameter]?
    /// For `run` and `prepare`: the effective run settings (suite defaults with overrides applied).
    public var settings: RunSettings?
    /// For `run` and `prepare`: the metrics to capture.
    public var metrics: [BenchmarkMetric]?
    /// For `run` and `prepare`: which passes to perform; absent means `all`.
    public var lane: Lane?
    /// Fixes the operations per sample, so several processes' histograms can be merged.
    public var innerIterations: Int?
    /// How samples are sized and warm-up is judged; absent means the runner's defaults.
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
        /// Answers `hello`: `harnessVersion`, `benchmarks` and `environment` are set.
        case hello
        /// A session is ready: `innerIterations` is the operations per sample it chose.
        case prepared
        /// One measured round: `round` and `values` are set.
        case round
        /// A benchmark finished and passed its output check: `result` is set.
        case result
        /// A benchmark threw or failed its output check (a Functional Fail): `message` says which.
        case failed
        /// The request could not be served (malformed line, unknown `id` or benchmark): `code` and `message`.
        case error
        /// Answers `exit`; the worker then exits 0.
        case bye
    }

    /// The protocol version, `"protocol"` in JSON.
    public var protocolVersion: Int
    /// What happened.
    public var event: Event
    /// The `id` of the request this answers; absent for `error` on an unreadable line.
    public var id: String?
    /// For `hello`: the worker's harness version (`HarnessInfo.version`).
    public var harnessVersion: String?
    /// For `hello`: every benchmark the worker's build registers.
    public var benchmarks: [String]?
    /// For `hello`: where the worker runs; a commit comparison records each side's.
    public var environment: EnvironmentFingerprint?
    /// For `prepared`: the operations per sample the session chose.
    public var innerIterations: Int?
    /// The round's number within the session, from 0.
    public var round: Int?
    /// Per-round values: `wall_time` (median ns/op), `samples`, `operations`.
    public var values: [String: Double]?
    /// For `result`: the benchmark's metrics, every round included.
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

