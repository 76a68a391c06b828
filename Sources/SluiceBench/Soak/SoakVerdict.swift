/// Judges a soak run from the slopes of its interval snapshots after warm-up.
///
/// - Memory growth: the slope of a memory series (RSS, or jemalloc's allocated bytes) in bytes per second.
///   A **leak** is reported when the whole confidence interval lies above `maxMemoryGrowthBytesPerSecond`;
///   **stable** when the whole interval lies below it; otherwise **inconclusive**.
/// - Throughput decay: the slope of throughput relative to its median, in fraction per hour. A **decay** is
///   reported when the whole interval lies below `−maxThroughputDecayPerHour`.
public struct SoakVerdict: Hashable, Sendable, Codable {
    /// The outcome for one series.
    public enum Outcome: String, Hashable, Sendable, Codable {
        case stable
        case leak
        case decay
        case inconclusive
        /// Too few points after warm-up to judge.
        case insufficientData = "insufficient-data"
    }

    /// Limits a soak run is judged against.
    public struct Limits: Hashable, Sendable, Codable {
        /// Largest memory growth that is not a leak, in bytes per second.
        public var maxMemoryGrowthBytesPerSecond: Double
        /// Largest throughput loss that is not a decay, as a fraction of the median per hour (0.05 = 5 %/h).
        public var maxThroughputDecayPerHour: Double
        /// Seconds at the start that are warm-up and are not judged.
        public var warmupSeconds: Double

        /// Creates limits.
        public init(maxMemoryGrowthBytesPerSecond: Double = 16 * 1024, maxThroughputDecayPerHour: Double = 0.05,
            warmupSeconds: Double = 5) {
            self.maxMemoryGrowthBytesPerSecond = maxMemoryGrowthBytesPerSecond
            self.maxThroughputDecayPerHour = maxThroughputDecayPerHour
            self.warmupSeconds = warmupSeconds
        }
    }

    public var memory: Outcome
    public var memorySlope: TrendSlope?
    public var throughput: Outcome
    /// Throughput slope in fraction of the median per hour.
    public var throughputSlope: TrendSlope?

    /// Whether the run passes: no leak and no decay (inconclusive passes, and is reported as such).
    public var isPassing: Bool { memory != .leak && throughput != .decay }

    /// Judges `snapshots`, skipping those inside the warm-up.
    public static func judge(_ snapshots: [SoakSnapshot], memory: KeyPath<SoakSnapshot, Double?> = \.memoryBytes,
        limits: Limits) -> SoakVerdict {
        let judged = snapshots.filter { $0.elapsedSeconds >= limits.warmupSeconds }
        let memoryPoints = judged.compactMap { snapshot in snapshot[keyPath: memory].map { (snapshot.elapsedSeconds, $0) } }
        let memorySlope = TrendSlope.estimate(times: memoryPoints.map(\.0), values: memoryPoints.map(\.1))
        let memoryOutcome: Outcome
        if let memorySlope {
            if memorySlope.lower > limits.maxMemoryGrowthBytesPerSecond {
                memoryOutcome = .leak
            } else if memorySlope.upper <= limits.maxMemoryGrowthBytesPerSecond {
                memoryOutcome = .stable
            } else {
                memoryOutcome = .inconclusive
            }
        } else {
            memoryOutcome = .insufficientData
        }

        let rates = judged.map(\.throughputPerSecond)
        let sortedRates = rates.sorted()
        var throughputSlope: TrendSlope?
        var throughputOutcome = Outcome.insufficientData
        if !sortedRates.isEmpty, sortedRates[sortedRates.count / 2] > 0 {
            let median = sortedRates[sortedRates.count / 2]
            // Relative throughput, with time in hours, so the slope reads as "fraction of median per hour".
            throughputSlope = TrendSlope.estimate(
                times: judged.map { $0.elapsedSeconds / 3600 }, values: rates.map { $0 / median })
            if let slope = throughputSlope {
                if slope.upper < -limits.maxThroughputDecayPerHour {
                    throughputOutcome = .decay
                } else if slope.lower >= -limits.maxThroughputDecayPerHour {
                    throughputOutcome = .stable
                } else {
                    throughputOutcome = .inconclusive
                }
            }
        }
        return SoakVerdict(memory: memoryOutcome, memorySlope: memorySlope, throughput: throughputOutcome,
            throughputSlope: throughputSlope)
    }
}
