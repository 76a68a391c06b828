/// Combines the watermarks of several inputs (partitions of a source, or streams merged into one stage) into
/// one: the minimum over the inputs that are not idle. Never moves backwards.
///
/// A pure value: the watermark stage uses it per source partition, the window stage per merged input.
public struct WatermarkTracker: Sendable, Hashable {
    @usableFromInline var latest: [Int64?]
    @usableFromInline var idle: [Bool]
    /// The combined watermark: `Int64.min` until every input has reported (or gone idle).
    public var combined: Int64 { storedCombined }
    @usableFromInline var storedCombined: Int64 = Int64.min

    /// Tracks `inputs` inputs, numbered from 0.
    public init(inputs: Int) {
        precondition(inputs > 0, "a watermark tracker needs at least one input")
        latest = Array(repeating: nil, count: inputs)
        idle = Array(repeating: false, count: inputs)
    }

    /// The number of inputs.
    public var inputCount: Int { latest.count }

    /// Records `timestamp` from `input` (it becomes active again if it was idle) and returns the combined
    /// watermark. O(inputs). Precondition: `input` is in range.
    @inlinable @discardableResult
    public mutating func update(input: Int, timestamp: Int64) -> Int64 {
        precondition(latest.indices.contains(input), "watermark input \(input) is not in 0..<\(latest.count)")
        latest[input] = Swift.max(latest[input] ?? Int64.min, timestamp)
        idle[input] = false
        return recombine()
    }

    /// Marks `input` idle: it no longer holds the combined watermark back. O(inputs).
    @inlinable @discardableResult
    public mutating func markIdle(input: Int) -> Int64 {
        precondition(latest.indices.contains(input), "watermark input \(input) is not in 0..<\(latest.count)")
        idle[input] = true
        return recombine()
    }

    /// Whether `input` is idle.
    @inlinable public func isIdle(input: Int) -> Bool { idle[input] }

    @inlinable
    mutating func recombine() -> Int64 {
        var minimum: Int64?
        for index in latest.indices where !idle[index] {
            guard let value = latest[index] else { return combined }
            minimum = Swift.min(minimum ?? value, value)
        }
        if let minimum, minimum > storedCombined { storedCombined = minimum }
        return combined
    }
}
