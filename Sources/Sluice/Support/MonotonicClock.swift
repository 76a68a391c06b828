#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A source of monotonic time in nanoseconds. The engine reads time only through this protocol,
/// so that tests can drive it by hand with `SluiceTestKit.ManualClock` and never sleep.
public protocol MonotonicClock: Sendable {
    /// Nanoseconds since an arbitrary fixed point; never decreases.
    func nowNanoseconds() -> UInt64
}

/// The system's monotonic clock (`CLOCK_MONOTONIC`).
public struct SystemMonotonicClock: MonotonicClock {
    /// Creates the clock.
    public init() {}

    /// Nanoseconds from `clock_gettime(CLOCK_MONOTONIC)`.
    @inlinable
    public func nowNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}
