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
        public var user: UInt64
        public var system: UInt64
    }

    /// The process's CPU time so far. O(1).
    public static func cpuTime() -> CPUTime {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
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
