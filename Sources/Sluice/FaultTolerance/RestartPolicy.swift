/// How a supervised stage is restarted after it fails: exponential backoff with jitter, and a cap on
/// restarts within a sliding time window.
///
/// The delay before restart `n` (0-based, counted within the window) is
/// `min(maxDelay, initialDelay × multiplier^n)`, then scaled by a random factor in `[1 − jitter, 1 + jitter]`
/// so that many stages failing together do not restart in lockstep. When more than `maxRestarts` failures
/// fall within `window`, the supervisor gives up and the failure propagates.
public struct RestartPolicy: Hashable, Sendable {
    /// Delay before the first restart, in nanoseconds.
    public var initialDelayNanoseconds: UInt64
    /// Growth factor between consecutive restarts (≥ 1).
    public var multiplier: Double
    /// Longest delay, in nanoseconds.
    public var maxDelayNanoseconds: UInt64
    /// Relative jitter in `0...1`; 0.2 means ±20 %.
    public var jitter: Double
    /// Most restarts allowed within `windowNanoseconds`.
    public var maxRestarts: Int
    /// The sliding window restarts are counted in, in nanoseconds.
    public var windowNanoseconds: UInt64

    /// Creates a policy; values are checked with preconditions (they are programmer input, not data).
    public init(
        initialDelay: Duration = .milliseconds(10), multiplier: Double = 2, maxDelay: Duration = .seconds(5),
        jitter: Double = 0.2, maxRestarts: Int = 5, window: Duration = .seconds(60)
    ) {
        precondition(multiplier >= 1, "RestartPolicy.multiplier must be at least 1")
        precondition((0...1).contains(jitter), "RestartPolicy.jitter must be within 0...1")
        precondition(maxRestarts >= 0, "RestartPolicy.maxRestarts must not be negative")
        self.initialDelayNanoseconds = initialDelay.nanoseconds
        self.multiplier = multiplier
        self.maxDelayNanoseconds = maxDelay.nanoseconds
        self.jitter = jitter
        self.maxRestarts = maxRestarts
        self.windowNanoseconds = window.nanoseconds
    }

    /// Never restart: the first failure propagates.
    public static let never = RestartPolicy(maxRestarts: 0)

    /// The delay before restart number `attempt` (0-based) before jitter, in nanoseconds.
    public func baseDelayNanoseconds(attempt: Int) -> UInt64 {
        var delay = Double(initialDelayNanoseconds)
        let cap = Double(maxDelayNanoseconds)
        for _ in 0..<attempt where delay < cap { delay *= multiplier }
        return UInt64(Swift.min(delay, cap))
    }
}

/// What a supervisor should do after a failure.
public enum RestartDecision: Hashable, Sendable {
    /// Restart after waiting this many nanoseconds.
    case restart(afterNanoseconds: UInt64, attempt: Int)
    /// Too many restarts within the window: stop and let the failure propagate.
    case giveUp(restartsInWindow: Int)
}

/// Tracks the failures of one supervised stage and applies a `RestartPolicy`. A pure value: time and
/// randomness come in as arguments, so tests drive it with a virtual clock and a seeded generator.
public struct RestartTracker: Sendable {
    /// The policy applied.
    public let policy: RestartPolicy
    private var failureTimes: [UInt64] = []

    /// Creates a tracker with no failures recorded.
    public init(policy: RestartPolicy) {
        self.policy = policy
    }

    /// Restarts granted so far that are still inside the window.
    public var restartsInWindow: Int { failureTimes.count }

    /// Records a failure at `now` and decides. O(restarts in window).
    public mutating func recordFailure<G: RandomNumberGenerator>(
        atNanoseconds now: UInt64, using generator: inout G
    ) -> RestartDecision {
        let windowStart = now >= policy.windowNanoseconds ? now - policy.windowNanoseconds : 0
        failureTimes.removeAll { $0 < windowStart }
        guard failureTimes.count < policy.maxRestarts else {
            return .giveUp(restartsInWindow: failureTimes.count)
        }
        let attempt = failureTimes.count
        failureTimes.append(now)
        let base = Double(policy.baseDelayNanoseconds(attempt: attempt))
        let factor = policy.jitter == 0 ? 1 : Double.random(in: (1 - policy.jitter)...(1 + policy.jitter), using: &generator)
        return .restart(afterNanoseconds: UInt64((base * factor).rounded()), attempt: attempt)
    }
}

extension Duration {
    /// The duration in whole nanoseconds (negative durations clamp to 0).
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
