import CJemalloc
import Synchronization

/// Reads jemalloc's allocation counters around a measured block.
///
/// Synchronous blocks are exact: calls from the per-thread hook counter, bytes from `thread.allocatedp`.
/// Asynchronous blocks run on a `SerialTaskExecutor`, whose one thread runs every job of the benchmark in a
/// fixed order, and are counted on that thread: exact as well. When other threads allocate meanwhile (work that
/// left structured concurrency), they fall back to process-wide counters (the hooks' global counters, or
/// jemalloc's arena statistics when the hooks are unavailable and the thread cache is off), marked not exact.
///
/// Installing the hooks forces jemalloc's slow path for every thread, so the allocation lane runs as a pass
/// of its own, after the timing rounds, and removes them when done.
public enum AllocationCapture {
    /// Counts at one instant.
    public struct Snapshot: Sendable, Equatable {
        /// Allocation calls counted by the hooks so far (cumulative; counted only while the hooks are installed).
        public var calls: UInt64
        /// Bytes allocated so far: usable sizes from `thread.allocatedp` in a thread snapshot (0 without the pointer),
        /// requested sizes from the hooks in a global one.
        public var bytes: UInt64
    }

    /// How allocations were counted, recorded in the unavailable reason or the method string.
    public enum Method: String, Sendable {
        case threadHooks = "jemalloc hooks (this thread) + thread.allocatedp"
        case serialExecutor = "jemalloc hooks + thread.allocatedp on a serial task executor's thread"
        case globalHooks = "jemalloc hooks (all threads)"
        case arenaStatistics = "jemalloc arena statistics with tcache off"

        /// Whether counts by this method are exact for the benchmark alone.
        public var isExact: Bool { self == .threadHooks || self == .serialExecutor }
    }

    /// Why allocations cannot be counted in this process, or nil when they can.
    public static var unavailableReason: String? {
        HarnessInfo.isJemallocAvailable
            ? nil : HarnessInfo.jemallocBuildMismatch()
                ?? "jemalloc is not this process's allocator (install libjemalloc-dev and rebuild)"
    }

    /// How many allocation passes in this process hold the hooks; they are removed when the last one releases.
    private static let hookUsers = Mutex<Int>(0)

    /// Installs the counting hooks (or joins passes that already hold them). Returns false when jemalloc
    /// refused them; then `releaseHooks()` must not be called.
    public static func installHooks() -> Bool {
        hookUsers.withLock { users in
            if users == 0 && sluice_alloc_hooks_install() != 0 { return false }
            users += 1
            return true
        }
    }

    /// Releases the hooks taken by `installHooks()`; the last release removes them, restoring jemalloc's
    /// fast path.
    public static func removeHooks() {
        hookUsers.withLock { users in
            precondition(users > 0, "removeHooks() without a matching installHooks()")
            users -= 1
            if users == 0 { _ = sluice_alloc_hooks_remove() }
        }
    }

    /// This thread's counters (hooks must be installed for `calls`). O(1), allocation-free.
    @inline(__always)
    public static func threadSnapshot(allocatedPointer: UnsafeMutablePointer<UInt64>?) -> Snapshot {
        Snapshot(calls: sluice_alloc_hook_thread_count(), bytes: allocatedPointer?.pointee ?? 0)
    }

    /// This thread's `thread.allocatedp` pointer, read once outside the measured window.
    public static func threadAllocatedPointer() -> UnsafeMutablePointer<UInt64>? { sluice_jemalloc_thread_allocatedp() }

    /// All threads' counters while the hooks are installed. O(1).
    public static func globalHookSnapshot() -> Snapshot {
        Snapshot(calls: sluice_alloc_hook_global_count(), bytes: sluice_alloc_hook_global_bytes())
    }

    /// Whether jemalloc's thread cache is off in this process (`MALLOC_CONF=tcache:false`), which makes the
    /// arena statistics count every allocation as it happens.
    public static var isThreadCacheDisabled: Bool {
        var enabled: Bool = true
        var length = MemoryLayout<Bool>.size
        guard sluice_jemalloc_mallctl("opt.tcache", &enabled, &length, nil, 0) == 0 else { return false }
        return !enabled
    }

    /// Allocation calls from the arena statistics (`stats.arenas.4096.{small,large}.nmalloc` after an
    /// epoch refresh); nil when unreadable. Bytes are not available this way.
    public static func arenaAllocationCount() -> UInt64? {
        guard sluice_jemalloc_refresh_stats() == 0 else { return nil }
        var small: UInt64 = 0
        var large: UInt64 = 0
        guard sluice_jemalloc_read_u64("stats.arenas.4096.small.nmalloc", &small) == 0,
            sluice_jemalloc_read_u64("stats.arenas.4096.large.nmalloc", &large) == 0
        else { return nil }
        return small &+ large
    }
}
