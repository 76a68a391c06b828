import Synchronization

/// What window stages did: elements, firings, late elements by outcome, evictions, and the state held.
///
/// Thread-safe (one `Mutex`; stages flush their local counts into it at watermarks and at the end of input, not
/// per element); read it while the pipeline runs or after. Counts accumulate over every run that
/// shares the object. `stateSizeBytes` and `liveWindows` are current values: the sum over the shards of a
/// partitioned window stage (`PipelineGraph.addPartitionedWindow`), each shard's part as its last run left it;
/// their `…Max` companions are high-water marks (for a partitioned stage, the largest sum seen at a flush or
/// one shard's own peak, whichever is larger: a lower bound of the true peak).
public final class WindowCounters: Sendable {
    @usableFromInline struct Storage: Sendable {
        @usableFromInline var values = [Int64](repeating: 0, count: Field.allCases.count)
        /// Live windows and state bytes by shard.
        @usableFromInline var gauges: [Int: (windows: Int64, bytes: Int64)] = [:]

        @inlinable init() {}
    }

    @usableFromInline let storage = Mutex(Storage())

    @usableFromInline enum Field: Int, CaseIterable {
        case elements, firings, lateFirings, purges, lateDropped, lateDeadLettered, lateSideOutput
        case rejectedByGuard, evictedWindows, liveWindows, liveWindowsMax, stateSizeBytes, stateSizeBytesMax
        case idleInputs
    }

    /// Creates zeroed counters.
    public init() {}

    /// Adds local deltas (indexed by `Field.rawValue`) and sets shard `shard`'s gauges, under one lock.
    @inlinable
    func flush(
        _ deltas: inout [Int64], shard: Int, liveWindows: Int64, liveWindowsMax: Int64, stateSizeBytes: Int64,
        stateSizeBytesMax: Int64
    ) {
        storage.withLock { storage in
            for index in deltas.indices where deltas[index] != 0 { storage.values[index] += deltas[index] }
            storage.gauges[shard] = (liveWindows, stateSizeBytes)
            var (windows, bytes): (Int64, Int64) = (0, 0)
            for gauge in storage.gauges.values {
                windows += gauge.windows
                bytes += gauge.bytes
            }
            storage.values[Field.liveWindows.rawValue] = windows
            storage.values[Field.stateSizeBytes.rawValue] = bytes
            storage.values[Field.liveWindowsMax.rawValue] = Swift.max(
                storage.values[Field.liveWindowsMax.rawValue], liveWindowsMax, windows)
            storage.values[Field.stateSizeBytesMax.rawValue] = Swift.max(
                storage.values[Field.stateSizeBytesMax.rawValue], stateSizeBytesMax, bytes)
        }
        for index in deltas.indices { deltas[index] = 0 }
    }

    @inlinable func value(_ field: Field) -> Int64 { storage.withLock { $0.values[field.rawValue] } }

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
    /// Times a merged watermark input was taken for idle (`WindowConfiguration.idleInputTimeout`).
    public var idleInputs: Int64 { value(.idleInputs) }
    /// The most logical bytes held at once.
    public var stateSizeBytesMax: Int64 { value(.stateSizeBytesMax) }
}
