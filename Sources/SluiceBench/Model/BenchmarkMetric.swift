/// A metric the harness can capture, with a stable name that suites, results, baselines and reports key on.
///
/// Each metric knows whether lower or higher is better, its unit, and the lane it is compared in:
/// timing metrics need statistics across rounds; deterministic metrics (allocation counts) are exact
/// integers compared directly; resource and engine metrics are recorded and gated where a threshold names them.
public enum BenchmarkMetric: String, Codable, CaseIterable, Hashable, Sendable {
    // Timing lane
    /// Wall-clock time per operation.
    case wallTime = "wall_time"
    /// CPU time (user + system) per operation, from getrusage. Tick-quantized: too coarse to gate by default.
    case cpuTime = "cpu_time"
    /// User CPU time per operation, from getrusage.
    case cpuUser = "cpu_user"
    /// System CPU time per operation, from getrusage.
    case cpuSystem = "cpu_system"
    /// Items processed per second (stored as a Double, never rounded).
    case throughputItems = "throughput_items"
    /// Bytes processed per second (stored as a Double, never rounded).
    case throughputBytes = "throughput_bytes"
    /// Per-item latency from an HDR histogram (open-loop runs use coordinated-omission correction).
    case latency = "latency"
    /// The 99th percentile of per-item latency, one value per process (that process's histogram), so that p99
    /// can be compared over processes like any other timing metric.
    case latencyP99 = "latency_p99"
    // Deterministic lane
    /// Allocation calls per operation, exact (jemalloc).
    case allocations = "allocations"
    /// Bytes allocated per operation, exact (jemalloc).
    case allocatedBytes = "allocated_bytes"
    /// Instructions executed per operation, counted by valgrind's Callgrind in the measured region only.
    case instructions = "instructions"
    /// Cycles estimated from Callgrind's cache simulation (Ir + 10 × L1 misses + 100 × LL misses) per operation.
    /// It depends on the simulated cache model: advisory, never gated by default.
    case estimatedCycles = "estimated_cycles"
    // Resource lane
    /// Peak resident set size of the measuring process (VmHWM).
    case peakRSS = "rss_peak"
    /// Resident set size at the end of the benchmark (VmRSS).
    case currentRSS = "rss_current"
    /// CPU utilisation of the process during the benchmark, in percent of one core.
    case cpuPercent = "cpu_percent"
    // Engine probes (names from ARCHITECTURE.md)
    /// Largest channel depth seen during the run.
    case channelDepthMax = "channel_depth_max"
    /// Time-weighted mean channel depth.
    case channelDepthMean = "channel_depth_mean"
    /// Fraction of the run a channel spent at capacity.
    case channelTimeAtCapacity = "channel_time_at_capacity"
    /// Time producers spent blocked on a full channel, per operation.
    case producerBlockedTime = "producer_blocked_time"
    /// Documents the pipeline completed during the run.
    case pipelineDocsTotal = "pipeline_docs_total"
    /// Documents the pipeline completed per second.
    case pipelineDocsRate = "pipeline_docs_rate"
    /// JSON tokens the tokenizer emitted during the run.
    case tokensEmittedTotal = "tokens_emitted_total"
    /// Stage failures during the run (injected ones in chaos runs).
    case stageErrorTotal = "stage_error_total"
    /// Poison records routed to the dead-letter queue.
    case poisonRoutedTotal = "poison_routed_total"
    /// Per-element latency through a stage.
    case stageLatency = "stage_latency"
    // State and checkpoint probes
    /// Live logical bytes of keyed state (keys + encoded values) at the end of the run.
    case stateSizeBytes = "state_size_bytes"
    /// Spills between state tiers (RAM → mapped file → disk) during the run.
    case stateSpillTotal = "state_spill_total"
    /// Median background persistence time of a checkpoint (serialize, fsync, catalog commit), in ms.
    case snapshotDuration = "snapshot_duration_ms"
    /// Median pause of the pipeline thread at a checkpoint barrier, in ms.
    case checkpointPause = "checkpoint_pause_ms"
    /// Mean bytes a checkpoint writes to storage (snapshot data plus manifests).
    case checkpointBytes = "checkpoint_bytes"
    /// Recovery time after a crash (restore the newest good checkpoint), 50th percentile, in ms.
    case recoveryTimeP50 = "recovery_time_ms_p50"
    /// Recovery time after a crash, 99th percentile, in ms.
    case recoveryTimeP99 = "recovery_time_ms_p99"
    /// Records lost across crashes, in percent of the records expected (0 is the only right value).
    case recordsLostPercent = "records_lost_percent"
    /// Duplicate deliveries across crashes per record expected (0 for exactly-once).
    case duplicateRatio = "duplicate_ratio"
    // Soak and chaos
    /// Memory growth after warm-up: the Theil–Sen slope of jemalloc's allocated bytes (RSS without jemalloc),
    /// in bytes per second, with its confidence interval. Never from the endpoints.
    case memoryGrowthRate = "memory_growth_rate"
    /// Throughput decay after warm-up: minus the slope of throughput relative to its median, in fraction per hour
    /// (0.05 = losing 5 % of throughput per hour; negative = getting faster).
    case throughputDecayRate = "throughput_decay_rate"
    /// Fraction of the memory taken during a fault (memory pressure) that came back after it (1 = all).
    case memoryReturned = "memory_returned"
    // Partitioning
    /// The busiest worker's share of a parallel keyed stage's elements over the mean share (1 = perfect spread).
    case partitionSkewRatio = "partition_skew_ratio"
    /// Workers of a parallel keyed stage at the end of the run.
    case activeWorkers = "active_workers"
    // Event time
    /// The most windows a window stage held at once during the run (what the late event guard bounds).
    case windowLiveMax = "window_live_max"
    // Scale-out
    /// CPU time (user + system) of all the worker processes of a distributed run per document, from
    /// `getrusage(RUSAGE_CHILDREN)`: what the nodes cost, however many there are. Tick-quantized.
    case nodesCPUPerItem = "nodes_cpu_per_item"
    /// CPU time (user + system) of the server process of a distributed run (e.g. `redis-server`) per document,
    /// from `/proc/<pid>/stat`. Tick-quantized.
    case serverCPUPerItem = "server_cpu_per_item"

    /// Whether a smaller or a larger value is better.
    public enum Direction: String, Codable, Sendable {
        /// Smaller is better (times, allocations, memory); `lower` in JSON.
        case lowerIsBetter = "lower"
        /// Larger is better (throughput, counts of work done); `higher` in JSON.
        case higherIsBetter = "higher"
    }

    /// How a metric is compared by the gate.
    public enum Lane: String, Codable, Sendable {
        /// Noisy: compared with a confidence interval across rounds.
        case timing
        /// Exact integers: compared directly.
        case deterministic
        /// Process resources: recorded, gated only when a threshold names them.
        case resource
        /// Engine counters and probes.
        case engine
    }

    /// Whether a smaller or a larger value is better; reports and the gate read changes through it.
    public var direction: Direction {
        switch self {
        case .throughputItems, .throughputBytes, .pipelineDocsRate, .pipelineDocsTotal, .tokensEmittedTotal,
            .memoryReturned:
            .higherIsBetter
        default:
            .lowerIsBetter
        }
    }

    /// The lane the gate compares the metric in.
    public var lane: Lane {
        switch self {
        case .wallTime, .cpuTime, .cpuUser, .cpuSystem, .throughputItems, .throughputBytes, .latency, .latencyP99:
            .timing
        case .allocations, .allocatedBytes, .instructions, .estimatedCycles: .deterministic
        case .peakRSS, .currentRSS, .cpuPercent, .nodesCPUPerItem, .serverCPUPerItem: .resource
        default: .engine
        }
    }

    /// The unit values are stored in.
    public var unit: String {
        switch self {
        case .wallTime, .cpuTime, .cpuUser, .cpuSystem, .latency, .latencyP99, .producerBlockedTime, .stageLatency:
            "ns"
        case .instructions: "instructions/op"
        case .estimatedCycles: "cycles/op"
        case .throughputItems, .pipelineDocsRate: "items/s"
        case .throughputBytes: "bytes/s"
        case .allocations: "allocations/op"
        case .allocatedBytes: "bytes/op"
        case .peakRSS, .currentRSS: "bytes"
        case .cpuPercent: "%"
        case .channelTimeAtCapacity: "ratio"
        case .channelDepthMax, .channelDepthMean: "elements"
        case .pipelineDocsTotal, .tokensEmittedTotal, .stageErrorTotal, .poisonRoutedTotal, .stateSpillTotal: "count"
        case .stateSizeBytes, .checkpointBytes: "bytes"
        case .snapshotDuration, .checkpointPause, .recoveryTimeP50, .recoveryTimeP99: "ms"
        case .recordsLostPercent: "%"
        case .duplicateRatio: "ratio"
        case .memoryGrowthRate: "bytes/s"
        case .throughputDecayRate: "fraction/h"
        case .memoryReturned: "fraction"
        case .partitionSkewRatio: "ratio"
        case .activeWorkers: "count"
        case .windowLiveMax: "windows"
        case .nodesCPUPerItem, .serverCPUPerItem: "ns/item"
        }
    }

    /// Counted by the allocation pass (jemalloc).
    public var isAllocationCount: Bool { self == .allocations || self == .allocatedBytes }

    /// Counted by the instruction pass (a worker under valgrind's Callgrind).
    public var isInstructionCount: Bool { self == .instructions || self == .estimatedCycles }

    /// Whether the metric is fine-grained enough to gate on by default.
    /// CPU times come from getrusage in scheduler ticks, so they are recorded but not gated; cache-simulated
    /// cycle estimates are advisory.
    public var isGateableByDefault: Bool {
        switch self {
        case .cpuTime, .cpuUser, .cpuSystem, .cpuPercent, .currentRSS, .estimatedCycles, .nodesCPUPerItem, .serverCPUPerItem: false
        default: true
        }
    }
}
