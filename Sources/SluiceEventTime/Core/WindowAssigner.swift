/// Assigns each element to the windows it belongs to: tumbling, sliding, session (with a gap), global, or
/// count windows.
///
/// Aligned assigners (tumbling, sliding, global, count) cut event time into fixed windows, so a window
/// stage can aggregate each element once into a non-overlapping *slice* and build windows from slices.
/// Session windows are per key and merge when an element bridges two of them.
public struct WindowAssigner: Sendable, Hashable, CustomStringConvertible {
    @usableFromInline
    enum Kind: Sendable, Hashable {
        case aligned(size: Int64, slide: Int64, offset: Int64)
        case session(gap: Int64)
        case global
        case count(Int64)
    }

    @usableFromInline let kind: Kind

    /// Windows of `size` milliseconds, back to back, starting at multiples of `size` (plus `offset`).
    public static func tumbling(size: Int64, offset: Int64 = 0) -> WindowAssigner {
        precondition(size > 0, "window size must be positive")
        return WindowAssigner(kind: .aligned(size: size, slide: size, offset: offset.modulo(size)))
    }

    /// Windows of `size` milliseconds starting every `slide` milliseconds: each element belongs to
    /// `size / slide` windows. Precondition: `0 < slide <= size`.
    public static func sliding(size: Int64, slide: Int64, offset: Int64 = 0) -> WindowAssigner {
        precondition(size > 0 && slide > 0 && slide <= size, "need 0 < slide <= size (got size \(size), slide \(slide))")
        return WindowAssigner(kind: .aligned(size: size, slide: slide, offset: offset.modulo(slide)))
    }

    /// Per-key windows of activity: an element opens `[t, t + gap)`, and windows that touch merge.
    public static func session(gap: Int64) -> WindowAssigner {
        precondition(gap > 0, "session gap must be positive")
        return WindowAssigner(kind: .session(gap: gap))
    }

    /// One window over all of event time (`TimeWindow.global`); it fires only through its trigger (or at the end).
    public static let global = WindowAssigner(kind: .global)

    /// Count windows: the global window with a default trigger that fires and purges every `size` elements
    /// per key.
    public static func count(_ size: Int64) -> WindowAssigner {
        precondition(size > 0, "count window size must be positive")
        return WindowAssigner(kind: .count(size))
    }

    /// The trigger used when the window stage is given none: event time for time windows, a purging count
    /// trigger for count windows, and (for the global window) a trigger that fires once at the end of input.
    public var defaultTrigger: Trigger {
        switch kind {
        case .aligned, .session: .eventTime()
        case .global: .eventTime()
        case .count(let size): .count(size).purging()
        }
    }

    /// Whether windows of one key can overlap (sliding windows).
    public var hasOverlappingWindows: Bool {
        if case .aligned(let size, let slide, _) = kind { return size != slide }
        return false
    }

    /// Whether the assigner merges windows (sessions).
    public var isMerging: Bool {
        if case .session = kind { return true }
        return false
    }

    /// The windows containing `timestamp`, in order of start. O(size / slide). Session windows return the
    /// element's own window before merging.
    public func windows(for timestamp: Int64) -> [TimeWindow] {
        switch kind {
        case .aligned(let size, let slide, let offset):
            var result: [TimeWindow] = []
            let last = Self.floor(timestamp - offset, to: slide) + offset
            var start = last
            while start > timestamp - size {
                result.append(TimeWindow(start: start, end: start + size))
                start -= slide
            }
            return result.reversed()
        case .session(let gap):
            return [TimeWindow(start: timestamp, end: timestamp &+ gap)]
        case .global, .count:
            return [.global]
        }
    }

    /// The kind and its sizes in ms, e.g. `tumbling(1000 ms)` or `session(gap 500 ms)`; the offset is not shown.
    public var description: String {
        switch kind {
        case .aligned(let size, let slide, _) where size == slide: "tumbling(\(size) ms)"
        case .aligned(let size, let slide, _): "sliding(\(size) ms every \(slide) ms)"
        case .session(let gap): "session(gap \(gap) ms)"
        case .global: "global"
        case .count(let size): "count(\(size))"
        }
    }

    /// The largest multiple of `unit` at or below `value` (floor division that works for negatives).
    @inlinable
    static func floor(_ value: Int64, to unit: Int64) -> Int64 {
        let remainder = value % unit
        return remainder < 0 ? value - remainder - unit : value - remainder
    }
}

extension Int64 {
    @usableFromInline
    func modulo(_ unit: Int64) -> Int64 {
        let remainder = self % unit
        return remainder < 0 ? remainder + unit : remainder
    }

    /// Greatest common divisor (both positive).
    @usableFromInline
    static func gcd(_ a: Int64, _ b: Int64) -> Int64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
