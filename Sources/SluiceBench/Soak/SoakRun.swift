import Histogram
import Sluice

/// Work a soak run repeats for its whole duration.
public protocol SoakWorkload {
    /// Does one batch of work and returns how many items it processed.
    /// Throws when its own output check fails: the soak run then ends as a Functional Fail.
    mutating func runBatch() throws -> Int
    /// Depth of the workload's channel, if it has one.
    var channelDepth: Int? { get }
}

/// A soak run: repeats a workload for a set duration, takes interval snapshots (throughput, p99 of batch
/// latency, RSS, jemalloc allocated and active bytes, channel depth) and judges the slopes after warm-up.
///
/// Snapshots go to `onSnapshot` as they are taken, so the CLI can write them as JSON lines while the run goes
/// on. `leakBytesPerSecond` deliberately retains memory at that rate: the self-test uses it to prove a leak is
/// caught, and the same run without it passes.
public final class SoakRun {
    /// How a soak run is driven and judged.
    public struct Configuration: Hashable, Sendable, Codable {
        /// How long the run lasts, in seconds: no batch starts after it.
        public var durationSeconds: Double
        /// Seconds between snapshots (default 1).
        public var snapshotIntervalSeconds: Double
        /// The limits the verdict judges the snapshots against.
        public var limits: SoakVerdict.Limits
        /// Deliberate leak for the self-test, in bytes per second (0 = none).
        public var leakBytesPerSecond: Double

        /// Creates a configuration.
        public init(durationSeconds: Double, snapshotIntervalSeconds: Double = 1, limits: SoakVerdict.Limits = .init(),
            leakBytesPerSecond: Double = 0) {
            precondition(durationSeconds > 0 && snapshotIntervalSeconds > 0 && leakBytesPerSecond >= 0)
            self.durationSeconds = durationSeconds
            self.snapshotIntervalSeconds = snapshotIntervalSeconds
            self.limits = limits
            self.leakBytesPerSecond = leakBytesPerSecond
        }
    }

    /// What a soak run produced.
    public struct Report: Hashable, Sendable, Codable {
        /// The interval snapshots, in time order.
        public var snapshots: [SoakSnapshot]
        /// The judgement of the snapshots taken after warm-up.
        public var verdict: SoakVerdict
        /// Items the workload processed in all (the sum of `runBatch()`'s results).
        public var itemsProcessed: Int
        /// Bytes deliberately leaked (self-test only).
        public var leakedBytes: Int
        /// The workload's output check failure, if any: a Functional Fail.
        public var failure: String?
    }

    /// How the run is driven and judged.
    public let configuration: Configuration
    private let clock: any MonotonicClock
    private let memory: MemoryProbe
    private let step: () -> Void
    private let onSnapshot: (SoakSnapshot) -> Void
    private let shouldStop: () -> Bool

    /// Creates a run. `step` is called after every batch (tests advance a `ManualClock` there); `shouldStop` is
    /// polled before every batch, and true ends the run early (Ctrl-C): the report then covers what ran.
    public init(configuration: Configuration, clock: any MonotonicClock = SystemMonotonicClock(),
        memory: MemoryProbe = .process, step: @escaping () -> Void = {},
        onSnapshot: @escaping (SoakSnapshot) -> Void = { _ in }, shouldStop: @escaping () -> Bool = { false }) {
        self.shouldStop = shouldStop
        self.configuration = configuration
        self.clock = clock
        self.memory = memory
        self.step = step
        self.onSnapshot = onSnapshot
    }

    /// Runs `workload` for the configured duration. `progress` gets the fraction done after each snapshot.
    public func run(_ workload: inout some SoakWorkload, progress: (Double, SoakSnapshot) -> Void = { _, _ in })
        -> Report
    {
        let start = clock.nowNanoseconds()
        var snapshots: [SoakSnapshot] = []
        var latencies = Histogram<UInt64>(highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .three)
        var leaked: [[UInt8]] = []
        var leakedBytes = 0
        var items = 0
        var itemsAtLastSnapshot = 0
        var lastSnapshotAt = 0.0
        var nextSnapshotAt = configuration.snapshotIntervalSeconds
        var failure: String?
        while true {
            let before = clock.nowNanoseconds()
            let elapsed = Double(before &- start) / 1e9
            if elapsed >= configuration.durationSeconds || shouldStop() { break }
            do {
                items += try workload.runBatch()
            } catch {
                failure = String(describing: error)
                break
            }
            step()
            let after = clock.nowNanoseconds()
            _ = latencies.record(after &- before)
            let now = Double(after &- start) / 1e9
            if configuration.leakBytesPerSecond > 0 {
                let owed = Int(configuration.leakBytesPerSecond * now) - leakedBytes
                if owed >= 4096 {
                    leaked.append([UInt8](repeating: 0xA5, count: owed))
                    leakedBytes += owed
                }
            }
            if now >= nextSnapshotAt {
                let sample = memory.sample()
                let interval = now - lastSnapshotAt
                let snapshot = SoakSnapshot(
                    elapsedSeconds: now, throughputPerSecond: interval > 0 ? Double(items - itemsAtLastSnapshot) / interval : 0,
                    p99Nanoseconds: Double(latencies.valueAtPercentile(99)), rssBytes: sample.rssBytes,
                    allocatedBytes: sample.allocatedBytes, activeBytes: sample.activeBytes,
                    channelDepth: workload.channelDepth.map(Double.init))
                snapshots.append(snapshot)
                onSnapshot(snapshot)
                progress(min(1, now / configuration.durationSeconds), snapshot)
                latencies.reset()
                itemsAtLastSnapshot = items
                lastSnapshotAt = now
                nextSnapshotAt += configuration.snapshotIntervalSeconds
            }
        }
        withExtendedLifetime(leaked) {}
        return Report(snapshots: snapshots, verdict: SoakVerdict.judge(snapshots, limits: configuration.limits),
            itemsProcessed: items, leakedBytes: leakedBytes, failure: failure)
    }
}
