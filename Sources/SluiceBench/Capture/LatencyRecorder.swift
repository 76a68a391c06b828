import Histogram

/// Records per-item latencies (ns) into an HDR histogram with 3 significant digits.
///
/// For open-loop (fixed-rate) load use `recordCorrected(_:expectedInterval:)`: when one item took longer than
/// the interval between intended sends, the items the load generator could not send meanwhile are recorded
/// too (coordinated-omission correction), so a stall is not hidden by the generator waiting for it.
public struct LatencyRecorder: Sendable {
    /// The largest latency recorded exactly: one hour. Larger values are clamped to it.
    public static let highestTrackableValue: UInt64 = 3_600_000_000_000

    /// The histogram the latencies are in.
    public private(set) var histogram: Histogram<UInt64>

    /// Creates an empty recorder.
    public init() {
        histogram = Histogram(highestTrackableValue: Self.highestTrackableValue, numberOfSignificantValueDigits: .three)
    }

    /// Records one latency. O(1); never allocates.
    public mutating func record(_ nanoseconds: UInt64) {
        _ = histogram.record(Swift.min(nanoseconds, Self.highestTrackableValue))
    }

    /// Records one latency measured under fixed-rate load whose intended interval between items is
    /// `expectedInterval` ns, adding the values coordinated omission would have hidden.
    /// O(latency / expectedInterval).
    public mutating func recordCorrected(_ nanoseconds: UInt64, expectedInterval: UInt64) {
        _ = histogram.recordCorrectedValue(
            Swift.min(nanoseconds, Self.highestTrackableValue), expectedInterval: expectedInterval)
    }

    /// Adds every value of `other`. O(buckets).
    public mutating func merge(_ other: LatencyRecorder) { histogram.add(other.histogram) }

    /// How many latencies were recorded (including corrections).
    public var count: UInt64 { histogram.totalCount }
}

/// The intended send times of a fixed-rate (open-loop) load: item `k` is due at `start + k · interval`.
///
/// Measure each item's latency from its intended time, not from when it was actually sent: that is the
/// other half of coordinated-omission correction.
public struct OpenLoopSchedule: Sendable {
    /// Nanoseconds between intended sends.
    public let intervalNanoseconds: UInt64
    /// When item 0 is due.
    public let startNanoseconds: UInt64

    /// A schedule of `ratePerSecond` items per second from `start`. Precondition: `ratePerSecond > 0`.
    public init(ratePerSecond: Double, start: UInt64) {
        precondition(ratePerSecond > 0, "the rate must be positive")
        intervalNanoseconds = Swift.max(1, UInt64(1e9 / ratePerSecond))
        startNanoseconds = start
    }

    /// When item `index` is due.
    public func intendedTime(of index: Int) -> UInt64 { startNanoseconds &+ UInt64(index) &* intervalNanoseconds }
}
