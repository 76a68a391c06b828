/// One prepared instance of a benchmark, owned by the runner of one process (never shared between tasks).
public protocol PreparedBenchmark: AnyObject {
    /// Items one operation processes, for items/s; nil when there is no natural item.
    var itemsPerOperation: Double? { get }
    /// Bytes one operation processes, for bytes/s; nil when there is no natural byte count.
    var bytesPerOperation: Double? { get }
    /// True when `runSynchronously` may be used (no suspension inside the timed window).
    var isSynchronous: Bool { get }
    /// Runs `iterations` operations back to back on the calling thread. Precondition: `isSynchronous`.
    func runSynchronously(_ iterations: Int) throws
    /// Runs `iterations` operations; suspends only where the benchmark's operation does.
    func run(_ iterations: Int) async throws
    /// Checks the output so far: a message when it is wrong, nil when it is right.
    func check() -> String?
    /// Engine probes and latency histograms collected so far.
    func probes() -> BenchmarkProbes?
}

/// What a benchmark reports beyond timings: per-item latency and engine counters.
public struct BenchmarkProbes: Sendable {
    /// Per-item latency (ns), recorded by the benchmark itself, with coordinated-omission correction
    /// when it ran open-loop.
    public var latency: LatencyRecorder?
    /// Per-stage latency (ns) recorded by the benchmark (`stage_latency`), e.g. per batch in each stage of a chain.
    public var stageLatency: LatencyRecorder?
    /// Engine metrics (channel depth, tokens, documents, errors), each one value for the whole run.
    public var values: [BenchmarkMetric: Double]

    /// Creates probes.
    public init(
        latency: LatencyRecorder? = nil, stageLatency: LatencyRecorder? = nil, values: [BenchmarkMetric: Double] = [:]
    ) {
        self.latency = latency
        self.stageLatency = stageLatency
        self.values = values
    }
}

final class SynchronousBody<State>: PreparedBenchmark {
    private var state: State
    private let operation: @Sendable (inout State) throws -> Void
    private let checker: @Sendable (State) -> String?
    private let prober: (@Sendable (State) -> BenchmarkProbes)?
    let itemsPerOperation: Double?
    let bytesPerOperation: Double?
    var isSynchronous: Bool { true }

    init(
        setup: BenchmarkSetup<State>, operation: @escaping @Sendable (inout State) throws -> Void,
        check: @escaping @Sendable (State) -> String?, probes: (@Sendable (State) -> BenchmarkProbes)?
    ) {
        state = setup.state
        itemsPerOperation = setup.itemsPerOperation
        bytesPerOperation = setup.bytesPerOperation
        self.operation = operation
        checker = check
        prober = probes
    }

    @inline(never)
    func runSynchronously(_ iterations: Int) throws {
        for _ in 0..<iterations { try operation(&state) }
    }

    func run(_ iterations: Int) async throws { try runSynchronously(iterations) }
    func check() -> String? { checker(state) }
    func probes() -> BenchmarkProbes? { prober?(state) }
}

final class AsynchronousBody<State>: PreparedBenchmark {
    private var state: State
    private let operation: @Sendable (inout State) async throws -> Void
    private let checker: @Sendable (State) -> String?
    private let prober: (@Sendable (State) -> BenchmarkProbes)?
    let itemsPerOperation: Double?
    let bytesPerOperation: Double?
    var isSynchronous: Bool { false }

    init(
        setup: BenchmarkSetup<State>, operation: @escaping @Sendable (inout State) async throws -> Void,
        check: @escaping @Sendable (State) -> String?, probes: (@Sendable (State) -> BenchmarkProbes)?
    ) {
        state = setup.state
        itemsPerOperation = setup.itemsPerOperation
        bytesPerOperation = setup.bytesPerOperation
        self.operation = operation
        checker = check
        prober = probes
    }

    func runSynchronously(_ iterations: Int) throws {
        preconditionFailure("an asynchronous benchmark cannot run synchronously")
    }

    func run(_ iterations: Int) async throws {
        for _ in 0..<iterations { try await operation(&state) }
    }

    func check() -> String? { checker(state) }
    func probes() -> BenchmarkProbes? { prober?(state) }
}
