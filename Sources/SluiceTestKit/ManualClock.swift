import Sluice
import Synchronization

/// A virtual clock that moves only when a test advances it, so that time-dependent code is tested without sleeping.
public final class ManualClock: MonotonicClock {
    private let now: Atomic<UInt64>

    /// Creates a clock reading `start` nanoseconds.
    public init(start: UInt64 = 0) {
        now = Atomic(start)
    }

    /// The current virtual time.
    public func nowNanoseconds() -> UInt64 { now.load(ordering: .acquiring) }

    /// Moves the clock forward by `nanoseconds`.
    public func advance(by nanoseconds: UInt64) {
        now.add(nanoseconds, ordering: .acquiringAndReleasing)
    }

    /// Moves the clock forward by a `Duration`.
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        advance(by: UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000))
    }
}
