import CJemalloc

/// jemalloc's process-wide memory statistics, for soak and chaos snapshots.
public struct JemallocStatistics: Hashable, Sendable {
    /// Bytes in live allocations (`stats.allocated`).
    public var allocated: Int
    /// Bytes in active pages (`stats.active`).
    public var active: Int
    /// Bytes of memory jemalloc has mapped and holds resident (`stats.resident`).
    public var resident: Int

    /// Refreshes jemalloc's statistics epoch and reads them; nil when jemalloc is not the allocator.
    /// Costs a statistics merge across arenas: call it per snapshot, not per operation.
    public static func read() -> JemallocStatistics? {
        guard sluice_jemalloc_available() != 0, sluice_jemalloc_refresh_stats() == 0 else { return nil }
        var allocated = 0
        var active = 0
        var resident = 0
        guard sluice_jemalloc_read_size("stats.allocated", &allocated) == 0,
            sluice_jemalloc_read_size("stats.active", &active) == 0,
            sluice_jemalloc_read_size("stats.resident", &resident) == 0
        else { return nil }
        return JemallocStatistics(allocated: allocated, active: active, resident: resident)
    }
}
