/// How many elements a ``BoundedChannel`` may buffer.
///
/// Channels are bounded by default; an unbounded channel must be asked for explicitly with ``unbounded``.
/// An integer literal is a bounded capacity: `BoundedChannel<Int>(capacity: 1024)`.
public struct ChannelCapacity: Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The maximum number of buffered elements, or `nil` when unbounded.
    public let limit: Int?

    private init(limit: Int?) {
        self.limit = limit
    }

    /// A capacity of `limit` elements; `limit` must be at least 1.
    public static func bounded(_ limit: Int) -> ChannelCapacity {
        precondition(limit >= 1, "a channel's capacity must be at least 1, got \(limit)")
        return ChannelCapacity(limit: limit)
    }

    /// No limit: sends never wait and nothing is dropped, so memory grows with the backlog.
    ///
    /// Only for channels whose producer is known to be bounded by other means.
    public static let unbounded = ChannelCapacity(limit: nil)

    /// A bounded capacity of `value` elements.
    public init(integerLiteral value: Int) {
        self = .bounded(value)
    }

    /// `bounded(N)` or `unbounded`.
    public var description: String {
        limit.map { "bounded(\($0))" } ?? "unbounded"
    }
}

/// What a send does when a ``BoundedChannel`` has no room.
public enum ChannelOverflowPolicy: Sendable, Hashable, CaseIterable {
    /// The sender suspends until consumers drain the channel to its low watermark (backpressure).
    /// `trySend` reports `.full` instead of suspending.
    case wait
    /// The oldest buffered elements are discarded to make room; sends never wait. Counted in
    /// ``ChannelStatistics/droppedOldestCount``.
    case dropOldest
    /// The elements that do not fit are discarded; sends never wait. Counted in
    /// ``ChannelStatistics/droppedNewestCount``.
    case dropNewest
    /// The elements that do not fit are refused: an async send throws ``ChannelError`` with code
    /// ``ChannelError/Code/full``, `trySend` returns `.full`. Counted in ``ChannelStatistics/rejectedCount``.
    case fail
}

/// The low/high watermark pair that drives backpressure under ``ChannelOverflowPolicy/wait``.
///
/// When a send brings the depth to `high` or above, the channel closes to producers: further sends suspend
/// (or `trySend` reports `.full`). It reopens when a receive brings the depth down to `low` or below, and the
/// suspended producers resume. The capacity stays a hard bound: a batch accepted while the channel is open
/// is cut at the capacity, so the depth may pass `high` but never the capacity.
public struct ChannelWatermarks: Sendable, Hashable {
    /// The depth at or below which a closed channel reopens to producers.
    public let low: Int
    /// The depth at or above which the channel closes to producers.
    public let high: Int

    /// Creates watermarks; requires `0 <= low < high`.
    public init(low: Int, high: Int) {
        precondition(low >= 0 && low < high, "watermarks need 0 <= low < high, got low \(low), high \(high)")
        self.low = low
        self.high = high
    }

    /// The default for a capacity: `high` is the capacity and `low` half of it.
    public static func `default`(for capacity: Int) -> ChannelWatermarks {
        ChannelWatermarks(low: capacity / 2, high: capacity)
    }
}
