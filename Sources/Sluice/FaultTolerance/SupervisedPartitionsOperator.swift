import Synchronization

/// A stage run as independent, supervised partitions: each element goes to the partition `partition(element)`
/// chooses (modulo `partitions`), each partition is its own instance of the wrapped stage, and a partition that
/// fails is restarted alone, as a fresh instance from `makeBranch`, under a `RestartPolicy` (exponential backoff with
/// jitter, a cap on restarts within a sliding window). It is Akka's one-for-one strategy inside an engine stage.
///
/// - Isolation: a failure touches only its partition: the others keep their instances and their state.
/// - Bulkhead: a partition waiting out its backoff holds nothing up; its elements go straight to the dead-letter
///   sink with `partition-restarting` (none queue), and when the policy gives up the partition is stopped and its
///   elements go there with `partition-stopped`. The element that failed goes there with `partition-failed`.
/// - Which errors restart: those `restartOn` accepts (default: all). Others are element errors: dead-lettered with
///   the wrapped stage's own error, the partition kept.
///
/// Time comes from `clock` (a `ManualClock` in tests), jitter from a seeded generator: a run replays exactly. Never
/// pure, so it does not fuse; it runs in one task of the `ConcurrentEngine` (or on the `SyncEngine`'s thread).
/// `statistics`, when given, counts failures and restarts per partition while and after the run.
public struct SupervisedPartitionsOperator<Base: StageOperator, Clock: MonotonicClock>: StageOperator {
    /// The wrapped stage's input.
    public typealias Input = Base.Input
    /// The wrapped stage's output.
    public typealias Output = Base.Output

    struct Branch {
        var stage: Base
        var tracker: RestartTracker
        var restartAt: UInt64?
        var isStopped = false
    }

    /// The stage's name, as errors report it.
    public let name: String
    private let makeBranch: @Sendable (Int) -> Base
    private let partition: @Sendable (Input) -> Int
    private let restartOn: @Sendable (any Error) -> Bool
    private let clock: Clock
    private let statistics: SupervisionStatistics?
    private var branches: [Branch]
    private var generator: SplitMix64
    /// The wrapped stage's kind, as partition 0's first instance reports it.
    public let kind: StageKind

    /// Creates `partitions` partitions, partition `i` running `makeBranch(i)`.
    /// - Precondition: `partitions > 0`.
    public init(
        name: String, partitions: Int, policy: RestartPolicy, clock: Clock, seed: UInt64 = 0x5EED,
        statistics: SupervisionStatistics? = nil, restartOn: @escaping @Sendable (any Error) -> Bool = { _ in true },
        partition: @escaping @Sendable (Input) -> Int, makeBranch: @escaping @Sendable (Int) -> Base
    ) {
        precondition(partitions > 0, "a supervised stage needs at least one partition")
        self.name = name
        self.makeBranch = makeBranch
        self.partition = partition
        self.restartOn = restartOn
        self.clock = clock
        self.statistics = statistics
        generator = SplitMix64(seed: seed)
        branches = (0..<partitions).map { Branch(stage: makeBranch($0), tracker: RestartTracker(policy: policy)) }
        kind = branches[0].stage.kind
        statistics?.reset(partitions: partitions)
    }

    /// Never pure: partitions carry state and restart bookkeeping.
    public var isPure: Bool { false }

    /// Runs the element in its partition; throws `SupervisedStageError` when the partition fails, is restarting or
    /// is stopped (the engine then routes the element to the dead-letter sink).
    public mutating func process(_ input: Input, emit: (Output) -> Void) throws {
        let index = Int(UInt(bitPattern: partition(input)) % UInt(branches.count))
        let now = clock.nowNanoseconds()
        if branches[index].isStopped {
            throw SupervisedStageError(stage: name, partition: index, code: .stopped, message: "the partition is stopped")
        }
        if let due = branches[index].restartAt {
            guard now >= due else {
                throw SupervisedStageError(
                    stage: name, partition: index, code: .restarting,
                    message: "the partition restarts in \((due - now) / 1_000_000) ms")
            }
            branches[index].stage = makeBranch(index)
            branches[index].restartAt = nil
            statistics?.restarted(index)
        }
        do {
            try branches[index].stage.process(input, emit: emit)
        } catch where restartOn(error) {
            statistics?.failed(index)
            switch branches[index].tracker.recordFailure(atNanoseconds: now, using: &generator) {
            case .restart(let delay, let attempt):
                branches[index].restartAt = now &+ delay
                throw SupervisedStageError(
                    stage: name, partition: index, code: .failed,
                    message: "failed (restart \(attempt + 1) after \(delay / 1_000_000) ms)", cause: error)
            case .giveUp(let restarts):
                branches[index].isStopped = true
                statistics?.stopped(index)
                throw SupervisedStageError(
                    stage: name, partition: index, code: .failed,
                    message: "failed after \(restarts) restarts in the window: stopped", cause: error)
            }
        }
    }

    /// Lets every running partition emit what it still holds, in partition order.
    public mutating func finish(emit: (Output) -> Void) throws {
        for index in branches.indices where !branches[index].isStopped {
            try branches[index].stage.finish(emit: emit)
        }
    }
}

/// A supervised partition failed, is waiting out its backoff, or was stopped.
public struct SupervisedStageError: Error, Hashable, Sendable, CustomStringConvertible, StageErrorCoding {
    /// What happened.
    public enum Code: String, Hashable, Sendable {
        /// The partition threw on this element and restarts (or, past its policy, stops).
        case failed = "partition-failed"
        /// The partition is waiting out its backoff: the element was not run.
        case restarting = "partition-restarting"
        /// The partition gave up: the element was not run.
        case stopped = "partition-stopped"
    }

    /// The supervised stage.
    public var stage: String
    /// The partition.
    public var partition: Int
    /// What happened.
    public var code: Code
    /// Details.
    public var message: String
    /// The wrapped stage's error, for `failed`.
    public var cause: String?

    /// Creates an error.
    public init(stage: String, partition: Int, code: Code, message: String, cause: (any Error)? = nil) {
        self.stage = stage
        self.partition = partition
        self.code = code
        self.message = message
        self.cause = cause.map { String(describing: $0) }
    }

    /// The code's raw value: `partition-failed`, `partition-restarting` or `partition-stopped`.
    public var errorCode: String { code.rawValue }

    /// `<code>: stage '<stage>' partition <n>: <message>`, then `: <cause>` when there is one.
    public var description: String {
        "\(code.rawValue): stage '\(stage)' partition \(partition): \(message)" + (cause.map { ": \($0)" } ?? "")
    }
}

/// Failures, restarts and stops per partition of a `SupervisedPartitionsOperator`, readable while it runs.
public final class SupervisionStatistics: Sendable {
    struct Counts: Sendable {
        var failures: [Int] = []
        var restarts: [Int] = []
        var stopped: Set<Int> = []
    }

    private let counts = Mutex(Counts())

    /// Creates empty statistics.
    public init() {}

    /// Failures per partition.
    public var failures: [Int] { counts.withLock { $0.failures } }
    /// Restarts per partition.
    public var restarts: [Int] { counts.withLock { $0.restarts } }
    /// Partitions stopped for good.
    public var stoppedPartitions: [Int] { counts.withLock { $0.stopped.sorted() } }

    func reset(partitions: Int) {
        counts.withLock { $0 = Counts(failures: Array(repeating: 0, count: partitions), restarts: Array(repeating: 0, count: partitions)) }
    }
    func failed(_ partition: Int) { counts.withLock { $0.failures[partition] += 1 } }
    func restarted(_ partition: Int) { counts.withLock { $0.restarts[partition] += 1 } }
    func stopped(_ partition: Int) { _ = counts.withLock { $0.stopped.insert(partition) } }
}

extension PipelineBuilder {
    /// Appends a stage run as `partitions` supervised partitions; see `SupervisedPartitionsOperator`.
    public func supervised<Operator: StageOperator, Clock: MonotonicClock>(
        _ name: String, partitions: Int, policy: RestartPolicy, clock: Clock, seed: UInt64 = 0x5EED,
        statistics: SupervisionStatistics? = nil, restartOn: @escaping @Sendable (any Error) -> Bool = { _ in true },
        partition: @escaping @Sendable (Chain.Output) -> Int, makeBranch: @escaping @Sendable (Int) -> Operator
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<SupervisedPartitionsOperator<Operator, Clock>>>>
    where Operator.Input == Chain.Output {
        stage(
            name,
            SupervisedPartitionsOperator(
                name: name, partitions: partitions, policy: policy, clock: clock, seed: seed, statistics: statistics,
                restartOn: restartOn, partition: partition, makeBranch: makeBranch))
    }
}
