/// Judges a soak run from the slopes of its interval snapshots after warm-up.
///
/// - Memory growth: the slope of a memory series (RSS, or jemalloc's allocated bytes) in bytes per second.
///   A **leak** is reported when the whole confidence interval lies above `maxMemoryGrowthBytesPerSecond`;
///   **stable** when the whole interval lies below it; otherwise **inconclusive**.
/// - Throughput decay: the slope of throughput relative to its median. It is judged only when the run can
///   resolve the limit, that is when the interval of the slope is narrower than `maxThroughputDecayPerHour`
///   (both per hour). Then a **decay** is reported when the whole interval lies below `−maxThroughputDecayPerHour`
///   and **stable** when it lies above it. A run too short or too noisy to resolve the limit is **inconclusive**,
///   which passes: a 30 s slope extrapolated to an hour judges CPU boost and noise, not the code.
///
/// Readers see the slope as the change over the judged part of the run ("−1.7 % over the run"); the per-hour
/// rate is stated only when the judged span is at least `minimumExtrapolationSeconds`.
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

    /// The shortest judged span, in seconds, whose throughput slope is also stated per hour (15 minutes):
    /// shorter runs state only the change over the run.
    public static let minimumExtrapolationSeconds = 900.0

    /// The outcome for the memory series: `stable`, `leak`, `inconclusive` or `insufficientData`.
    public var memory: Outcome
    /// Slope of the judged memory series (by default jemalloc's allocated bytes, else RSS), in bytes per second;
    /// nil with too few points after warm-up.
    public var memorySlope: TrendSlope?
    /// The outcome for throughput: `stable`, `decay`, `inconclusive` (which passes) or `insufficientData`.
    public var throughput: Outcome
    /// Throughput slope in fraction of the median per hour.
    public var throughputSlope: TrendSlope?
    /// Seconds between the first and the last judged snapshot (after warm-up).
    public var judgedSeconds: Double
    /// The throughput decay limit the verdict used, as a fraction per hour.
    public var maxThroughputDecayPerHour: Double

    /// Whether the run passes: no leak and no decay (inconclusive passes, and is reported as such).
    public var isPassing: Bool { memory != .leak && throughput != .decay }

    /// Whether the judged span is long enough to state the throughput slope per hour.
    public var canExtrapolatePerHour: Bool { judgedSeconds >= Self.minimumExtrapolationSeconds }

    /// Whether the throughput interval is narrower than the limit, so that the run can tell a decay from none.
    public var canResolveThroughputLimit: Bool {
        guard let slope = throughputSlope else { return false }
        return slope.upper - slope.lower < maxThroughputDecayPerHour
    }

    /// The throughput change over the judged span as a fraction of the median, with its interval
    /// (`-0.017` = 1.7 % slower at the end than at the start of the judged part).
    public var throughputChangeOverRun: (estimate: Double, lower: Double, upper: Double)? {
        guard let slope = throughputSlope else { return nil }
        let hours = judgedSeconds / 3600
        return (slope.slope * hours, slope.lower * hours, slope.upper * hours)
    }

    /// The throughput finding in words, e.g. "−1.7 % over the run [−3.1 %, −0.2 %] (25 s after warm-up); the
    /// interval is wider than the 0.035 % the 5 %/h limit allows over 25 s: inconclusive".
    public var throughputSummary: String {
        guard let change = throughputChangeOverRun, let slope = throughputSlope else {
            return "throughput: too few snapshots after warm-up"
        }
        let percent = ReportNumberFormat.signedPercent
        var text = "\(percent(change.estimate)) over the run [\(percent(change.lower)), \(percent(change.upper))] "
            + "(\(Self.duration(judgedSeconds)) after warm-up)"
        if canExtrapolatePerHour {
            text += ", \(percent(slope.slope))/h [\(percent(slope.lower)), \(percent(slope.upper))]"
        }
        let limit = ReportNumberFormat.percent(maxThroughputDecayPerHour) + "/h"
        if canResolveThroughputLimit {
            text += "; limit \(limit): \(throughput.rawValue)"
        } else {
            let allowed = ReportNumberFormat.percent(maxThroughputDecayPerHour * judgedSeconds / 3600)
            text += "; the interval is wider than the \(allowed) the \(limit) limit allows over "
                + "\(Self.duration(judgedSeconds)), so the run cannot resolve it: \(throughput.rawValue)"
        }
        return text
    }

    /// Judges `snapshots`, skipping those inside the warm-up.
    /// Complexity: O(m² log m) with m = min(snapshots, 400) (see `TrendSlope.estimate`).
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
        let limit = limits.maxThroughputDecayPerHour
        if !sortedRates.isEmpty, sortedRates[sortedRates.count / 2] > 0 {
            let median = sortedRates[sortedRates.count / 2]
            // Relative throughput, with time in hours, so the slope reads as "fraction of median per hour".
            throughputSlope = TrendSlope.estimate(
                times: judged.map { $0.elapsedSeconds / 3600 }, values: rates.map { $0 / median })
            if let slope = throughputSlope {
                if slope.upper - slope.lower >= limit {
                    throughputOutcome = .inconclusive  // the run cannot resolve the limit
                } else if slope.upper < -limit {
                    throughputOutcome = .decay
                } else if slope.lower >= -limit {
                    throughputOutcome = .stable
                } else {
                    throughputOutcome = .inconclusive
                }
            }
        }
        let span = (judged.last?.elapsedSeconds ?? 0) - (judged.first?.elapsedSeconds ?? 0)
        return SoakVerdict(memory: memoryOutcome, memorySlope: memorySlope, throughput: throughputOutcome,
            throughputSlope: throughputSlope, judgedSeconds: span, maxThroughputDecayPerHour: limit)
    }

    /// `25 s`, `14 min`, `1.5 h`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 120 { return ReportNumberFormat.plain((seconds * 10).rounded() / 10) + " s" }
        if seconds < 7200 { return ReportNumberFormat.plain((seconds / 6).rounded() / 10) + " min" }
        return ReportNumberFormat.plain((seconds / 360).rounded() / 10) + " h"
    }
}
