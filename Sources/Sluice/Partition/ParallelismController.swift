/// How a dynamically scaled keyed stage sizes its worker count.
///
/// The controller smooths utilisation (busy time over wall time per worker) and backlog (queued elements over
/// channel capacity) with an exponential moving average, changes nothing while the smoothed load stays inside the
/// hysteresis band around the target, and never changes twice within the minimum dwell time (Flink's autoscaler
/// has the same three guards: a target, a stabilisation window and a scale-down delay).
public struct ParallelismPolicy: Sendable, Hashable {
    /// The fewest workers.
    public var minimumWorkers: Int
    /// The most workers (at most the key-group count).
    public var maximumWorkers: Int
    /// The per-worker utilisation to aim for, in (0, 1).
    public var targetUtilization: Double
    /// Half-width of the band around the target inside which nothing changes.
    public var band: Double
    /// Weight of the newest sample in the moving averages, in (0, 1].
    public var smoothing: Double
    /// The least time between two changes.
    public var minimumDwellNanoseconds: UInt64
    /// How often the stage asks the controller (at most once per skew window).
    public var decisionIntervalNanoseconds: UInt64
    /// Smoothed backlog (fraction of channel capacity queued) above which the stage counts as saturated.
    public var backlogHigh: Double

    /// Creates a policy. - Precondition: `1 <= minimumWorkers <= maximumWorkers`, `0 < band < targetUtilization < 1`,
    /// `0 < smoothing <= 1`.
    public init(
        minimumWorkers: Int = 1, maximumWorkers: Int = 8, targetUtilization: Double = 0.75, band: Double = 0.15,
        smoothing: Double = 0.5, minimumDwellNanoseconds: UInt64 = 2_000_000_000,
        decisionIntervalNanoseconds: UInt64 = 250_000_000, backlogHigh: Double = 0.5
    ) {
        precondition(minimumWorkers >= 1 && minimumWorkers <= maximumWorkers, "need 1 <= minimum <= maximum")
        precondition(band > 0 && band < targetUtilization && targetUtilization < 1, "need 0 < band < target < 1")
        precondition(smoothing > 0 && smoothing <= 1, "smoothing must be in (0, 1]")
        self.minimumWorkers = minimumWorkers
        self.maximumWorkers = maximumWorkers
        self.targetUtilization = targetUtilization
        self.band = band
        self.smoothing = smoothing
        self.minimumDwellNanoseconds = minimumDwellNanoseconds
        self.decisionIntervalNanoseconds = decisionIntervalNanoseconds
        self.backlogHigh = backlogHigh
    }
}

/// The pure decision logic of dynamic parallelism: observations in, a new worker count (or none) out.
///
/// Tested on virtual time: it never reads a clock, the caller passes `now`.
public struct ParallelismController: Sendable {
    /// The policy it follows.
    public let policy: ParallelismPolicy
    /// The current worker count.
    public private(set) var workers: Int
    /// The smoothed utilisation, once observed.
    public private(set) var utilization: Double?
    /// The smoothed backlog, once observed.
    public private(set) var backlog: Double?
    private var lastChange: UInt64

    /// Creates a controller at `workers` workers; the dwell time counts from `now`.
    public init(policy: ParallelismPolicy, workers: Int, now: UInt64) {
        self.policy = policy
        self.workers = min(max(workers, policy.minimumWorkers), policy.maximumWorkers)
        lastChange = now
    }

    /// Feeds one observation and returns the new worker count when the controller decides to change it.
    /// - Parameters:
    ///   - utilization: mean busy fraction of the workers since the last observation, in [0, 1].
    ///   - backlog: queued elements over total channel capacity, in [0, 1].
    public mutating func observe(utilization sample: Double, backlog queued: Double, now: UInt64) -> Int? {
        let alpha = policy.smoothing
        let smoothed = utilization.map { $0 + alpha * (sample - $0) } ?? sample
        let smoothedBacklog = backlog.map { $0 + alpha * (queued - $0) } ?? queued
        utilization = smoothed
        backlog = smoothedBacklog
        // Saturated workers under-report demand (utilisation cannot exceed 1): a deep backlog adds to it.
        let load = smoothed + (smoothedBacklog > policy.backlogHigh ? smoothedBacklog : 0)
        let target = policy.targetUtilization
        guard abs(load - target) > policy.band, now &- lastChange >= policy.minimumDwellNanoseconds else { return nil }
        let demand = load * Double(workers)
        // The count whose per-worker load is closest to the target, preferring one inside the band.
        let candidates = Set([Int((demand / target).rounded(.down)), Int((demand / target).rounded(.up))])
            .map { min(max($0, policy.minimumWorkers), policy.maximumWorkers) }
            .sorted { abs(demand / Double($0) - target) < abs(demand / Double($1) - target) }
        var desired = candidates.first ?? workers
        if desired == workers {
            desired = min(max(workers + (load > target ? 1 : -1), policy.minimumWorkers), policy.maximumWorkers)
        }
        guard desired != workers else { return nil }
        workers = desired
        lastChange = now
        // The old averages described the old worker count; rescale them to the new one.
        utilization = min(1, demand / Double(desired))
        backlog = 0
        return desired
    }
}
