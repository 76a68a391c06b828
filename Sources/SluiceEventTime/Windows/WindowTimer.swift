/// A pending callback of a window stage: the end of a window, a trigger's own event timer, or the cleanup of a
/// window's state. Ordered by time, then kind (a window fires before it is cleaned up at the same time), then
/// key ordinal and window: the stage's emission order, identical for the sliced and the per-window strategy.
@usableFromInline struct WindowTimer: Comparable, Sendable, Hashable {
    @usableFromInline enum Kind: UInt8, Comparable, Sendable {
        case trigger = 0
        case endOfWindow = 1
        case cleanup = 2

        @inlinable static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    @usableFromInline var time: Int64
    @usableFromInline var kind: Kind
    @usableFromInline var ordinal: Int
    @usableFromInline var window: TimeWindow

    @inlinable
    init(time: Int64, kind: Kind, ordinal: Int, window: TimeWindow) {
        (self.time, self.kind, self.ordinal, self.window) = (time, kind, ordinal, window)
    }

    @inlinable static func < (lhs: WindowTimer, rhs: WindowTimer) -> Bool {
        if lhs.time != rhs.time { return lhs.time < rhs.time }
        if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
        if lhs.ordinal != rhs.ordinal { return lhs.ordinal < rhs.ordinal }
        return lhs.window < rhs.window
    }
}

/// The window starts of one key that hold state, as disjoint ranges (in steps of the slide): usually one
/// range, extended at its top as event time moves on and cut at its bottom as windows are cleaned up.
@usableFromInline struct RegisteredStarts: Sendable, Hashable {
    /// Inclusive ranges of window starts, sorted, disjoint.
    @usableFromInline var ranges: [ClosedRange<Int64>] = []

    @inlinable
    init() {}

    @inlinable func contains(_ start: Int64) -> Bool {
        for range in ranges where range.contains(start) { return true }
        return false
    }

    /// Registers the starts `first...last` (step `slide`), calling `added` for each start that was not there.
    @inlinable mutating func insert(_ first: Int64, _ last: Int64, slide: Int64, added: (Int64) -> Void) {
        if let only = ranges.last, ranges.count == 1, first >= only.lowerBound, last <= only.upperBound { return }
        var start = first
        while start <= last {
            if !contains(start) { added(start) }
            start += slide
        }
        var merged = ranges + [first...last]
        merged.sort { $0.lowerBound < $1.lowerBound }
        var result: [ClosedRange<Int64>] = []
        for range in merged {
            if let previous = result.last, range.lowerBound <= previous.upperBound + slide {
                result[result.count - 1] = previous.lowerBound...Swift.max(previous.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        ranges = result
    }

    /// Removes `start` (the lowest registered start: windows of a key are cleaned up in order).
    @inlinable mutating func remove(_ start: Int64, slide: Int64) {
        guard let index = ranges.firstIndex(where: { $0.contains(start) }) else { return }
        let range = ranges[index]
        if range.lowerBound == range.upperBound {
            ranges.remove(at: index)
        } else if start == range.lowerBound {
            ranges[index] = (start + slide)...range.upperBound
        } else if start == range.upperBound {
            ranges[index] = range.lowerBound...(start - slide)
        } else {
            ranges[index] = range.lowerBound...(start - slide)
            ranges.insert((start + slide)...range.upperBound, at: index + 1)
        }
    }

    @inlinable var isEmpty: Bool { ranges.isEmpty }
}
