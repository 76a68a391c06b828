import CCallgrind
import Foundation
import Synchronization

/// Counts instructions of a measured region with valgrind's Callgrind, through client requests.
///
/// The process must run under `valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no
/// --callgrind-out-file=FILE` with `SLUICE_CALLGRIND_OUT=FILE` in its environment (the runner starts instruction
/// workers that way, see `CallgrindLauncher`). `begin()` turns instrumentation and collection on for the calling
/// thread; `end()` turns them off and dumps the counts to `FILE.<n>`, which `end()` then reads. Only the calling
/// thread's instructions between the two calls are counted: Callgrind's collection state is per thread.
public enum CallgrindCapture {
    /// The counts of one region.
    public struct Counts: Sendable, Equatable {
        /// Instructions executed (`Ir`).
        public var instructions: UInt64
        /// Cycles estimated from the cache simulation (`Ir + 10 × (I1mr + D1mr + D1mw) + 100 × (ILmr + DLmr +
        /// DLmw)`, KCachegrind's formula); nil without `--cache-sim=yes`.
        public var estimatedCycles: UInt64?
    }

    /// The environment variable naming Callgrind's output file (the `--callgrind-out-file` value).
    public static let outputFileVariable = "SLUICE_CALLGRIND_OUT"

    /// Why instructions cannot be counted in this process, or nil when they can.
    public static var unavailableReason: String? {
        if sluice_callgrind_compiled() == 0 {
            return "built without valgrind/callgrind.h (apt-get install valgrind, then rebuild)"
        }
        if sluice_running_on_valgrind() == 0 {
            return "not running under valgrind's Callgrind (the runner starts instruction workers under it)"
        }
        if ProcessInfo.processInfo.environment[outputFileVariable] == nil {
            return "\(outputFileVariable) is not set, so the counts cannot be read back"
        }
        return nil
    }

    /// Dumps taken so far by this process: Callgrind numbers them from 1.
    private static let dumps = Mutex<Int>(0)

    /// Starts counting on this thread. Allocation-free.
    @inline(never)
    public static func begin() { sluice_callgrind_begin() }

    /// Stops counting on this thread and returns the counts since `begin()`, read from the dump file.
    /// Throws a `HarnessError` when the dump cannot be read (outside Callgrind, or a damaged file).
    @inline(never)
    public static func end() throws -> Counts {
        sluice_callgrind_end("sluice-bench region")
        let number = dumps.withLock { count in
            count += 1
            return count
        }
        guard let base = ProcessInfo.processInfo.environment[outputFileVariable] else {
            throw HarnessError(code: .worker, message: "\(outputFileVariable) is not set")
        }
        let path = "\(base).\(number)"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw HarnessError(code: .worker, message: "no Callgrind dump to read (not under Callgrind?)", file: path)
        }
        return try parse(text, file: path)
    }

    /// The counts in a Callgrind output file: its `events:` line names the columns of its `totals:` (else
    /// `summary:`) line. Throws a `HarnessError` naming the file and field when either is missing.
    public static func parse(_ text: String, file: String?) throws -> Counts {
        var events: [Substring] = []
        var totals: [UInt64]?
        var summary: [UInt64]?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("events:") {
                events = line.dropFirst("events:".count).split(separator: " ")
            } else if line.hasPrefix("totals:") {
                totals = line.dropFirst("totals:".count).split(separator: " ").compactMap { UInt64($0) }
            } else if line.hasPrefix("summary:") {
                summary = line.dropFirst("summary:".count).split(separator: " ").compactMap { UInt64($0) }
            }
        }
        guard !events.isEmpty else {
            throw HarnessError(code: .worker, message: "a Callgrind dump without an events line", file: file,
                               field: "events")
        }
        guard let values = totals ?? summary, values.count == events.count else {
            throw HarnessError(code: .worker, message: "a Callgrind dump without totals for its \(events.count) events",
                               file: file, field: "totals")
        }
        func value(_ name: String) -> UInt64? { events.firstIndex(of: Substring(name)).map { values[$0] } }
        guard let instructions = value("Ir") else {
            throw HarnessError(code: .worker, message: "the Callgrind dump does not count Ir", file: file,
                               field: "events")
        }
        var cycles: UInt64?
        let l1 = ["I1mr", "D1mr", "D1mw"].compactMap(value)
        let ll = ["ILmr", "DLmr", "DLmw"].compactMap(value)
        if l1.count == 3 && ll.count == 3 {
            cycles = instructions &+ 10 &* l1.reduce(0, &+) &+ 100 &* ll.reduce(0, &+)
        }
        return Counts(instructions: instructions, estimatedCycles: cycles)
    }
}
