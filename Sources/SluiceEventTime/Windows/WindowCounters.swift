import Synchronization

/// What window stages did: elements, firings, late elements by outcome, evictions, and the state held.
///
/// Thread-safe (one `Mutex`; stages flush their local counts into it at watermarks and at the end of input, not
/// per element); read it while the pipeline runs or after. Counts accumulate over every run that
/// shares the object. `stateSizeBytes` and `liveWindows` are the current values of the last run to update
/// them; their `…Max` companions are high-water marks.
public final class WindowCounters: Sendable {
    @usableFromInline let values = Mutex([Int64](repeating: 0, count: Field.allCases.count))

    @usableFromInline enum Field: Int, CaseIterable {
        case elements, firings, lateFirings, purges, lateDropped, lateDeadLettered, lateSideOutput
        case rejectedByGuard, evictedWindows, liveWindows, liveWindowsMax, stateSizeBytes, stateSizeBytesMax
    }

    /// Creates zeroed counters.
    public init() {}

    /// Adds local deltas (indexed by `Field.rawValue`) and sets the gauges, under one lock.
    @inlinable
    func flush(
        _ deltas: inout [Int64], liveWindows: Int64, liveWindowsMax: Int64, stateSizeBytes: Int64,
        stateSizeBytesMax: Int64
    ) {
        values.withLock { values in
            for index in deltas.indices where deltas[index] != 0 { values[index] += deltas[index] }
            values[Field.liveWindows.rawValue] = liveWindows
            values[Field.stateSizeBytes.rawValue] = stateSizeBytes
            values[Field.liveWindowsMax.rawValue] = Swift.max(values[Field.liveWindowsMax.rawValue], liveWindowsMax)
            values[Field.stateSizeBytesMax.rawValue] = Swift.max(
                values[Field.stateSizeBytesMax.rawValue], stateSizeBytesMax)
        }
        for index in deltas.indices { deltas[index] = 0 }
    }

    @inlinable func value(_ field: Field) -> Int64 { values.withLock { $0[field.rawValue] } }

    /// Elements aggregated (not counting refused ones).
    public var elements: Int64 { value(.elements) }
    /// Window firings emitted.
    public var firings: Int64 { value(.firings) }
    /// Firings with `PaneInfo.Timing.late`: late elements within the allowed lateness re-firing a window.
    public var lateFirings: Int64 { value(.lateFirings) }
    /// Purges.
    public var purges: Int64 { value(.purges) }
    /// Elements refused and dropped (`LateElementPolicy.drop`).
    public var lateDropped: Int64 { value(.lateDropped) }
    /// Elements refused and routed to the dead-letter sink.
    public var lateDeadLettered: Int64 { value(.lateDeadLettered) }
    /// Elements refused and handed to the side output.
    public var lateSideOutput: Int64 { value(.lateSideOutput) }
    /// Elements refused by the late event guard (also counted under their policy's outcome).
    public var rejectedByGuard: Int64 { value(.rejectedByGuard) }
    /// Windows the late event guard evicted.
    public var evictedWindows: Int64 { value(.evictedWindows) }
    /// Windows held now.
    public var liveWindows: Int64 { value(.liveWindows) }
    /// The most windows held at once.
    public var liveWindowsMax: Int64 { value(.liveWindowsMax) }
    /// Logical bytes of window state held now: partial aggregates, trigger states and keys.
    public var stateSizeBytes: Int64 { value(.stateSizeBytes) }
    /// The most logical bytes held at once.
    public var stateSizeBytesMax: Int64 { value(.stateSizeBytesMax) }
}
