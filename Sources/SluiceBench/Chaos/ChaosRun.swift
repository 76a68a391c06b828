import DequeModule
import Sluice
import SluiceTestKit

/// A chaos run: a real pipeline under injected faults, measured for recovery time, loss and duplicates.
///
/// The pipeline is producer → bounded channel → supervised stage (parse, quarantine poison, aggregate by key)
/// → sink. It runs in one thread, step by step, on the engine's real parts: `BoundedChannel` (non-suspending
/// API, so backpressure is real), `JSONDocumentParser`, `DeadLetterRouter` and `RestartTracker`. The stage
/// processes its input at least once: an element in flight when the stage fails is processed again after the
/// restart. Faults follow `ChaosConfiguration`; time comes from `clock`, so tests run it on a `ManualClock`
/// and advance it in `step`, while the harness uses the system clock.
public final class ChaosRun {
    struct StageCrash: Error {}
    struct PoisonRecord: Error, StageErrorCoding {
        var errorCode: String { "poison" }
    }

    /// Collects quarantined sequence numbers.
    final class QuarantineSink: DeadLetterSink, @unchecked Sendable {
        // Confined to the run's single thread: the router calls the sink synchronously from `route`.
        var records = 0
        func receive(_ record: DeadLetterRecord) { records += 1 }
        func receive(summary: DeadLetterSummary) {}
    }

    /// The faults, sizes and duration this run uses.
    public let configuration: ChaosConfiguration
    private let clock: any MonotonicClock
    private let step: () -> Void
    private let memory: MemoryProbe
    private let onSnapshot: (SoakSnapshot) -> Void
    private let shouldStop: () -> Bool

    /// Creates a run.
    ///
    /// - Parameters:
    ///   - clock: the time faults are scheduled and recovery is measured by.
    ///   - step: called once per loop iteration; a test advances its `ManualClock` here. Default: nothing.
    ///   - memory: reads RSS and allocated bytes; `MemoryProbe.process` reads this process's.
    ///   - onSnapshot: receives each interval snapshot as the run goes (the CLI writes them as JSON lines).
    ///   - shouldStop: polled every iteration; true stops producing early (Ctrl-C), then the pipeline drains.
    public init(
        configuration: ChaosConfiguration, clock: any MonotonicClock = SystemMonotonicClock(),
        memory: MemoryProbe = .process, step: @escaping () -> Void = {},
        onSnapshot: @escaping (SoakSnapshot) -> Void = { _ in }, shouldStop: @escaping () -> Bool = { false }
    ) {
        self.shouldStop = shouldStop
        self.configuration = configuration
        self.clock = clock
        self.step = step
        self.memory = memory
        self.onSnapshot = onSnapshot
    }

    /// Runs to the configured duration, drains the pipeline, and reports. O(records).
    public func run(progress: (Double) -> Void = { _ in }) -> ChaosReport {
        var state = RunState(configuration: configuration, clock: clock)
        let start = clock.nowNanoseconds()
        var nextSnapshot = 1.0
        var lastSnapshotDelivered = 0
        var lastSnapshotTime = 0.0
        var stopped = false
        while true {
            let elapsed = Double(clock.nowNanoseconds() &- start) / 1e9
            stopped = stopped || shouldStop()
            let producing = elapsed < configuration.durationSeconds && !stopped
            if !producing && state.isDrained { break }
            if producing { state.produce(elapsed: elapsed) } else { state.channel.finish() }
            state.consume(elapsed: elapsed, now: clock.nowNanoseconds())
            state.applyMemoryPressure(elapsed: elapsed, memory: memory)
            if elapsed >= nextSnapshot {
                let interval = elapsed - lastSnapshotTime
                let sample = memory.sample()
                let snapshot = SoakSnapshot(
                    elapsedSeconds: elapsed,
                    throughputPerSecond: interval > 0 ? Double(state.delivered - lastSnapshotDelivered) / interval : 0,
                    rssBytes: sample.rssBytes, allocatedBytes: sample.allocatedBytes, activeBytes: sample.activeBytes,
                    channelDepth: Double(state.channel.depth))
                state.snapshots.append(snapshot)
                onSnapshot(snapshot)
                lastSnapshotDelivered = state.delivered
                lastSnapshotTime = elapsed
                nextSnapshot += 1
                progress(min(1, elapsed / configuration.durationSeconds))
            }
            step()
            if state.drainSteps > 10_000_000 { break }  // a stuck drain is reported as loss, never a hang
            if !producing { state.drainSteps += 1 }
        }
        state.releaseMemoryPressure(memory: memory)
        return state.report()
    }
}

/// Reads process memory for soak and chaos snapshots.
public struct MemoryProbe: Sendable {
    /// A memory reading; nil fields could not be measured here.
    public struct Sample: Sendable {
        /// Resident set size, in bytes (VmRSS for `MemoryProbe.process`).
        public var rssBytes: Double?
        /// Bytes in live allocations (jemalloc's `stats.allocated` for `MemoryProbe.process`).
        public var allocatedBytes: Double?
        /// Bytes in active pages (jemalloc's `stats.active` for `MemoryProbe.process`).
        public var activeBytes: Double?

        /// Creates a reading.
        public init(rssBytes: Double?, allocatedBytes: Double? = nil, activeBytes: Double? = nil) {
            self.rssBytes = rssBytes
            self.allocatedBytes = allocatedBytes
            self.activeBytes = activeBytes
        }
    }

    let read: @Sendable () -> Sample

    /// Creates a probe from a reading function.
    public init(read: @escaping @Sendable () -> Sample) { self.read = read }

    /// Takes a reading.
    public func sample() -> Sample { read() }

    /// This process: RSS from /proc/self/status, allocated and active bytes from jemalloc when it is the allocator.
    public static let process = MemoryProbe {
        let rss = ResourceUsage.residentSetSize().map { Double($0.current) }
        guard let stats = JemallocStatistics.read() else { return Sample(rssBytes: rss) }
        return Sample(rssBytes: rss, allocatedBytes: Double(stats.allocated), activeBytes: Double(stats.active))
    }
}
