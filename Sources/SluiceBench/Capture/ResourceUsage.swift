#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Process CPU time (getrusage) and memory (/proc/self/status).
///
/// CPU times are accounted in scheduler ticks by the kernel, so per-operation values are recorded but marked
/// not gateable.
public enum ResourceUsage {
    /// User and system CPU time of the whole process so far, in ns.
    public struct CPUTime: Sendable, Equatable {
        /// User-mode CPU time, in ns.
        public var user: UInt64
        /// System (kernel) CPU time, in ns.
        public var system: UInt64
        /// User plus system, in seconds.
        public var seconds: Double { Double(user + system) / 1e9 }
    }

    /// The process's CPU time so far. O(1).
    public static func cpuTime() -> CPUTime {
        usage(RUSAGE_SELF.rawValue) ?? CPUTime(user: 0, system: 0)
    }

    /// The CPU time of this process's ended children so far: every child it has waited for (reaped), whichever
    /// thread waited. Nil if getrusage fails. O(1).
    public static func childrenCPUTime() -> CPUTime? {
        usage(RUSAGE_CHILDREN.rawValue)
    }

    /// The CPU time of process `pid` so far (all its threads, not its children), from `/proc/<pid>/stat` in clock
    /// ticks; nil where it cannot be read. Complexity: reads a small file.
    public static func cpuTime(ofProcess pid: Int32) -> CPUTime? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // After the command name: state is field 3, utime 14 and stime 15 (1-based), so 11 and 12 here.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        let ticksPerSecond = UInt64(max(0, sysconf(Int32(_SC_CLK_TCK))))
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]), ticksPerSecond > 0
        else { return nil }
        return CPUTime(user: user * 1_000_000_000 / ticksPerSecond, system: system * 1_000_000_000 / ticksPerSecond)
    }

    private static func usage(_ who: Int32) -> CPUTime? {
        var usage = rusage()
        guard getrusage(who, &usage) == 0 else { return nil }
        func nanoseconds(_ time: timeval) -> UInt64 {
            UInt64(max(0, time.tv_sec)) * 1_000_000_000 + UInt64(max(0, time.tv_usec)) * 1_000
        }
        return CPUTime(user: nanoseconds(usage.ru_utime), system: nanoseconds(usage.ru_stime))
    }

    /// Current and peak resident set size in bytes (VmRSS, VmHWM), or nil where /proc is missing.
    /// Complexity: reads a small file.
    public static func residentSetSize() -> (current: UInt64, peak: UInt64)? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        var current: UInt64?
        var peak: UInt64?
        for line in status.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") { current = kilobytes(line) }
            if line.hasPrefix("VmHWM:") { peak = kilobytes(line) }
        }
        guard let current, let peak else { return nil }
        return (current * 1024, peak * 1024)
    }

    /// Resets the peak RSS to the current RSS (writes `5` to /proc/self/clear_refs), so each benchmark
    /// reports its own peak. Returns false where the kernel does not allow it.
    @discardableResult
    public static func resetPeakResidentSetSize() -> Bool {
        let descriptor = open("/proc/self/clear_refs", O_WRONLY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return write(descriptor, "5", 1) == 1
    }

    private static func kilobytes(_ line: Substring) -> UInt64? {
        line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { UInt64($0) }
    }
}
