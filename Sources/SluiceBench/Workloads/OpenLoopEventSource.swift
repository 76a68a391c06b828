import Sluice

#if canImport(Glibc)
    import Glibc
#endif

/// Waits until a point in time for an open-loop load generator.
///
/// The benchmark waits for real (`SleepingPacer`); tests pass a pacer that advances a virtual clock instead.
public protocol OpenLoopPacer: Sendable {
    /// Returns at or after `deadline` (nanoseconds on the load's clock).
    func wait(untilNanoseconds deadline: UInt64)
}

/// Waits with `clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)`: the thread sleeps, it does not spin the CPU.
/// Its deadlines are on `SystemMonotonicClock`'s time line.
public struct SleepingPacer: OpenLoopPacer {
    /// Creates the pacer.
    public init() {}

    /// Sleeps the thread until `deadline` (restarting after EINTR); returns at once if it has passed. Not cancellable.
    public func wait(untilNanoseconds deadline: UInt64) {
        var spec = timespec(
            tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        // EINTR: go back to sleep until the deadline.
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &spec, nil) == EINTR {}
    }
}

/// Releases the documents of an in-memory NDJSON stream at a fixed rate (open loop).
///
/// Document `k` is due at `schedule.intendedTime(of: k)`. Each `read` waits (through the pacer) until the next
/// document is due, then emits one chunk holding every document due by now, up to `maxBurst` documents, so a
/// pipeline that falls behind receives the backlog at once, as it would from a real producer. The pipeline
/// measures each document's latency from its intended time, not from when it was released
/// (coordinated-omission correction, together with `LatencyRecorder.recordCorrected`).
public struct OpenLoopEventSource: PipelineSource {
    /// A chunk of whole NDJSON documents: a slice of the source's bytes.
    public typealias Element = ArraySlice<UInt8>
    let bytes: [UInt8]
    /// `lineEnds[k]` is the offset just past document `k`'s newline.
    let lineEnds: [Int]
    let schedule: OpenLoopSchedule
    let clock: any MonotonicClock
    let pacer: any OpenLoopPacer
    let maxBurst: Int
    private var next = 0

    /// Creates a source over `bytes` (NDJSON, one document per line) on `schedule`; `lineEnds` is
    /// `OpenLoopEventSource.lineEnds(of: bytes)`, computed once outside the timed region. O(1).
    public init(
        bytes: [UInt8], lineEnds: [Int], schedule: OpenLoopSchedule, clock: any MonotonicClock,
        pacer: any OpenLoopPacer, maxBurst: Int = 256
    ) {
        precondition(maxBurst > 0, "maxBurst must be positive")
        self.bytes = bytes
        self.lineEnds = lineEnds
        self.schedule = schedule
        self.clock = clock
        self.pacer = pacer
        self.maxBurst = maxBurst
    }

    /// The offset just past each document of `bytes` (after its newline; the last may lack one). O(bytes).
    public static func lineEnds(of bytes: [UInt8]) -> [Int] {
        var ends: [Int] = []
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            ends.append(offset + 1)
        }
        if (ends.last ?? 0) < bytes.count { ends.append(bytes.count) }
        return ends
    }

    /// Documents in the stream.
    public var documentCount: Int { lineEnds.count }

    /// Blocks (through the pacer) until the next document is due, then appends one chunk of every document due by
    /// now, at most `maxBurst`. Open loop: a slow pipeline does not slow the schedule but gets the backlog in bursts;
    /// cancellation is not checked and a wait is not interrupted. Returns false after the last document.
    public mutating func read(into buffer: inout [ArraySlice<UInt8>], maxCount: Int) throws -> Bool {
        guard next < lineEnds.count else { return false }
        let due = schedule.intendedTime(of: next)
        if clock.nowNanoseconds() < due { pacer.wait(untilNanoseconds: due) }
        let now = clock.nowNanoseconds()
        var last = next
        while last + 1 < lineEnds.count, last + 1 - next < maxBurst,
            schedule.intendedTime(of: last + 1) <= now
        {
            last += 1
        }
        let start = next == 0 ? 0 : lineEnds[next - 1]
        buffer.append(bytes[start..<lineEnds[last]])
        next = last + 1
        return next < lineEnds.count
    }
}
