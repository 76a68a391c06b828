/// A token bucket: allows `burst` events at once and `ratePerSecond` on average after that.
///
/// A pure value: the caller passes the time, read from a `MonotonicClock`, so tests drive it with a `ManualClock`.
public struct TokenBucket: Sendable, Hashable {
    /// Tokens added per second.
    public let ratePerSecond: Double
    /// The most tokens the bucket holds.
    public let burst: Double
    /// Tokens available now.
    public private(set) var tokens: Double
    private var lastRefill: UInt64

    /// Creates a full bucket.
    /// - Precondition: `ratePerSecond >= 0` and `burst >= 1`.
    public init(ratePerSecond: Double, burst: Int, now: UInt64) {
        precondition(ratePerSecond >= 0 && burst >= 1, "TokenBucket needs a rate >= 0 and a burst >= 1")
        self.ratePerSecond = ratePerSecond
        self.burst = Double(burst)
        self.tokens = Double(burst)
        self.lastRefill = now
    }

    /// Takes one token if one is available at time `now` (nanoseconds); returns whether it did.
    public mutating func tryTake(now: UInt64) -> Bool {
        if now > lastRefill {
            let elapsedSeconds = Double(now - lastRefill) / 1e9
            tokens = min(burst, tokens + elapsedSeconds * ratePerSecond)
            lastRefill = now
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
