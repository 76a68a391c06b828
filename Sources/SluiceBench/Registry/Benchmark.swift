/// A registered benchmark: a stable name, a setup, a measured operation, an output check and the work
/// one operation does.
///
/// Make one with `Benchmark.synchronous(...)` (a closure over `inout` state, measured without any async hop),
/// `Benchmark.asynchronous(...)`, or `Benchmark.driver(...)` for a long-running driver (soak, chaos) that the
/// runner runs once for its duration instead of warm-up and rounds. The runner calls the setup once per measuring process, runs the operation
/// many times, and calls the check after the first operation and after the last: a check that returns a message
/// turns the result into a Functional Fail.
public struct Benchmark: Sendable {
    /// The stable name, e.g. `micro/tokenize/twitter/chunk4k`. Reports and baselines key on it.
    public let name: String
    /// One line saying what is measured.
    public let summary: String
    /// The parameters a suite entry may set.
    public let parameters: [BenchmarkParameterSpec]
    /// True when the operation is async and may hop threads: its allocations are then counted process-wide.
    public let isAsynchronous: Bool
    /// The benchmark this one is compared with in figures (a peer doing the same work), if any; see `peer(_:)`.
    public internal(set) var peer: String? = nil
    let prepare: @Sendable (BenchmarkParameters) async throws -> any PreparedBenchmark
    /// The driver of a `Benchmark.driver(...)` benchmark; nil for a measured operation.
    let drive: (@Sendable (DriverContext) async throws -> DriverOutcome)?

    /// True for a long-running driver: run once for its duration, no warm-up, rounds or allocation lane.
    public var isDriver: Bool { drive != nil }

    /// The tier named by the first path component (`micro`, `meso`, ...), or nil for `selftest/...`.
    public var tier: SuiteFile.Tier? { name.split(separator: "/").first.flatMap { SuiteFile.Tier(rawValue: String($0)) } }

    /// Creates a benchmark from a preparation closure; prefer `synchronous(...)` / `asynchronous(...)`.
    public init(
        name: String, summary: String, parameters: [BenchmarkParameterSpec] = [], isAsynchronous: Bool,
        prepare: @escaping @Sendable (BenchmarkParameters) async throws -> any PreparedBenchmark
    ) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.isAsynchronous = isAsynchronous
        self.prepare = prepare
        self.drive = nil
    }

    init(
        name: String, summary: String, parameters: [BenchmarkParameterSpec],
        drive: @escaping @Sendable (DriverContext) async throws -> DriverOutcome
    ) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.isAsynchronous = true
        self.prepare = { _ in
            throw HarnessError(
                code: .benchmarkSetup, message: "\(name) is a driver: it runs once for its duration, not in rounds")
        }
        self.drive = drive
    }

    /// Prepares a fresh instance (runs the setup). Complexity: that of the setup.
    public func makeInstance(_ parameters: BenchmarkParameters) async throws -> any PreparedBenchmark {
        try await prepare(parameters)
    }
}

/// What a benchmark's setup returns: the state the operation works on and the work one operation does.
public struct BenchmarkSetup<State> {
    /// The state the operation works on; the prepared instance owns it and passes it `inout` to each operation.
    public var state: State
    /// Items (documents, elements, tokens) one operation processes; nil when there is no natural item.
    public var itemsPerOperation: Double?
    /// Bytes one operation processes; nil when there is no natural byte count.
    public var bytesPerOperation: Double?

    /// Creates a setup result.
    public init(state: State, itemsPerOperation: Double? = nil, bytesPerOperation: Double? = nil) {
        self.state = state
        self.itemsPerOperation = itemsPerOperation
        self.bytesPerOperation = bytesPerOperation
    }
}

extension Benchmark {
    /// A benchmark whose operation is a synchronous closure over `inout` state.
    ///
    /// - Parameters:
    ///   - setup: builds the state once per process; throwing makes the benchmark a Functional Fail.
    ///   - operation: one operation; it runs `n` times back to back inside a timed sample.
    ///   - check: returns a message when the state shows wrong output, nil when it is right.
    ///   - probes: engine probes and latency histograms read after the rounds, if any.
    public static func synchronous<State>(
        _ name: String, summary: String, parameters: [BenchmarkParameterSpec] = [],
        setup: @escaping @Sendable (BenchmarkParameters) throws -> BenchmarkSetup<State>,
        operation: @escaping @Sendable (inout State) throws -> Void,
        check: @escaping @Sendable (State) -> String? = { _ in nil },
        probes: (@Sendable (State) -> BenchmarkProbes)? = nil
    ) -> Benchmark {
        Benchmark(name: name, summary: summary, parameters: parameters, isAsynchronous: false) { parameters in
            SynchronousBody(setup: try setup(parameters), operation: operation, check: check, probes: probes)
        }
    }

    /// A benchmark whose operation is async (channels, engines).
    ///
    /// Allocations of an async operation are counted process-wide, because an `await` may move it to
    /// another thread; they are close to exact in a quiet worker process.
    public static func asynchronous<State>(
        _ name: String, summary: String, parameters: [BenchmarkParameterSpec] = [],
        setup: @escaping @Sendable (BenchmarkParameters) async throws -> BenchmarkSetup<State>,
        operation: @escaping @Sendable (inout State) async throws -> Void,
        check: @escaping @Sendable (State) -> String? = { _ in nil },
        probes: (@Sendable (State) -> BenchmarkProbes)? = nil
    ) -> Benchmark {
        Benchmark(name: name, summary: summary, parameters: parameters, isAsynchronous: true) { parameters in
            AsynchronousBody(setup: try await setup(parameters), operation: operation, check: check, probes: probes)
        }
    }
}
