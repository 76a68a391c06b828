/// Runs a long-lived part (a stage's loop, a source) and restarts it when it fails, under a `RestartPolicy`.
///
/// `run(_:)` calls `body`; when `body` throws, the supervisor asks its `RestartTracker`, waits the backoff
/// with jitter, and calls `body` again. When the policy gives up, the last error is rethrown wrapped in a
/// `SupervisionError`. Cancellation is never retried: a `CancellationError` (or cancellation of the
/// surrounding task) ends `run` at once. `body` returning normally ends `run` normally.
///
/// Time and waiting are injected: `clock` gives the time failures are counted at, and `sleep` waits the
/// backoff. Production uses the system clock and `Task.sleep`; tests use a `ManualClock` and a `sleep`
/// that advances it, so no test waits on the wall clock.
public struct Supervisor<Clock: MonotonicClock>: Sendable {
    /// One restart, as reported to `onRestart`.
    public struct Restart: Hashable, Sendable {
        /// 1 for the first restart after a failure, counting up within the policy's window.
        public var attempt: Int
        /// The backoff waited before this restart.
        public var delayNanoseconds: UInt64
        /// The failure that caused it, described.
        public var error: String
    }

    /// The supervised work's name, used in errors and reports.
    public let name: String
    /// How often, and after what backoff, the work is restarted.
    public let policy: RestartPolicy
    private let clock: Clock
    private let seed: UInt64
    private let sleep: @Sendable (UInt64) async throws -> Void

    /// Creates a supervisor. `seed` fixes the jitter sequence, so a run can be replayed.
    public init(
        name: String, policy: RestartPolicy, clock: Clock, seed: UInt64 = 0x5EED,
        sleep: @escaping @Sendable (UInt64) async throws -> Void = { try await Task.sleep(nanoseconds: $0) }
    ) {
        self.name = name
        self.policy = policy
        self.clock = clock
        self.seed = seed
        self.sleep = sleep
    }

    /// Runs `body` until it returns, restarting it on failure as the policy allows.
    ///
    /// Suspends while `body` runs and while waiting out a backoff. Throws `SupervisionError` when the
    /// policy gives up; throws `CancellationError` when cancelled (including during a backoff wait).
    public func run(
        onRestart: (Restart) -> Void = { _ in }, _ body: () async throws -> Void
    ) async throws {
        var tracker = RestartTracker(policy: policy)
        var generator = SplitMix64(seed: seed)
        while true {
            try Task.checkCancellation()
            do {
                try await body()
                return
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                switch tracker.recordFailure(atNanoseconds: clock.nowNanoseconds(), using: &generator) {
                case .restart(let delay, let attempt):
                    onRestart(Restart(attempt: attempt, delayNanoseconds: delay, error: String(describing: error)))
                    try await sleep(delay)
                case .giveUp(let restarts):
                    throw SupervisionError(
                        stageName: name, restartsInWindow: restarts, lastError: String(describing: error))
                }
            }
        }
    }
}

/// A supervised part failed more often than its restart policy allows.
public struct SupervisionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The supervised stage.
    public var stageName: String
    /// Restarts already made inside the policy's window.
    public var restartsInWindow: Int
    /// The error that made the supervisor give up.
    public var lastError: String

    /// `stage '<stageName>' gave up after <n> restarts in the window: <lastError>`.
    public var description: String {
        "stage '\(stageName)' gave up after \(restartsInWindow) restarts in the window: \(lastError)"
    }
}

/// A small, fast, seedable generator for jitter (SplitMix64).
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
