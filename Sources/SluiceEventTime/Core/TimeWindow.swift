/// A half-open interval of event time, `[start, end)`, in milliseconds: the unit a window assigner assigns
/// elements to and a trigger fires.
public struct TimeWindow: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The first millisecond in the window.
    public var start: Int64
    /// The first millisecond after the window.
    public var end: Int64

    /// Creates `[start, end)`. Precondition: `start < end`.
    @inlinable
    public init(start: Int64, end: Int64) {
        precondition(start < end, "a window must not be empty: [\(start), \(end))")
        self.start = start
        self.end = end
    }

    /// The window of the global assigner: all of event time.
    public static let global = TimeWindow(start: Int64.min, end: Int64.max)

    /// The last timestamp inside the window; the watermark passing it fires an event-time trigger.
    @inlinable
    public var maxTimestamp: Int64 { end - 1 }

    /// Whether `timestamp` falls inside the window.
    @inlinable
    public func contains(_ timestamp: Int64) -> Bool { timestamp >= start && timestamp < end }

    /// Whether the two windows overlap or touch (session windows that do are merged).
    @inlinable
    public func touches(_ other: TimeWindow) -> Bool { start <= other.end && other.start <= end }

    /// The smallest window covering both.
    @inlinable
    public func cover(_ other: TimeWindow) -> TimeWindow {
        TimeWindow(start: Swift.min(start, other.start), end: Swift.max(end, other.end))
    }

    /// Ordered by end, then start: the order in which the watermark closes windows.
    @inlinable
    public static func < (lhs: TimeWindow, rhs: TimeWindow) -> Bool {
        (lhs.end, lhs.start) < (rhs.end, rhs.start)
    }

    /// `[start, end)` in milliseconds, e.g. `[0, 1000)`.
    public var description: String { "[\(start), \(end))" }
}

/// A watermark: the assertion that no more elements with a timestamp at or below `timestamp` are expected from
/// `input`.
public struct Watermark: Hashable, Sendable {
    /// Event time, in milliseconds: elements at or before it are late.
    public var timestamp: Int64
    /// Which merged input the watermark comes from (the `input` of the `.watermarks(...)` stage that made it).
    public var input: Int
    /// Whether the input declares itself idle: a merge then ignores it until it sends a watermark again.
    public var isIdle: Bool
    /// When the generator made it, on its `MonotonicClock` (nanoseconds): the start of emission latency.
    public var createdAtNanoseconds: UInt64

    /// Creates a watermark.
    @inlinable
    public init(timestamp: Int64, input: Int = 0, isIdle: Bool = false, createdAtNanoseconds: UInt64 = 0) {
        self.timestamp = timestamp
        self.input = input
        self.isIdle = isIdle
        self.createdAtNanoseconds = createdAtNanoseconds
    }
}

/// An element of an event-time stream: a timestamped element, or a watermark that travels in-band with them.
public enum EventTimeElement<Element: Sendable>: Sendable {
    /// A data element and its event time in milliseconds.
    case element(Element, timestamp: Int64)
    /// A watermark.
    case watermark(Watermark)
}

extension EventTimeElement: Equatable where Element: Equatable {}
