import Histogram

/// Turns what a measurement collected into `MetricResult`s, one per requested metric.
/// A metric that cannot be produced is `MetricResult.unavailable` with the reason, never a zero.
struct MetricResultBuilder {
    let rounds: [RoundMeasurement]
    let wallHistogram: Histogram<UInt64>
    let innerIterations: Int
    let itemsPerOperation: Double?
    let bytesPerOperation: Double?
    let probes: BenchmarkProbes?
    /// Nil when the allocation lane did not run in this process.
    let allocationMetrics: [MetricResult]?
    /// Nil when the instruction lane did not run in this process.
    var instructionMetrics: [MetricResult]? = nil

    mutating func make(_ metric: BenchmarkMetric) -> MetricResult {
        switch metric {
        case .wallTime:
            return wallTime()
        case .throughputItems:
            return rate(metric, perOperation: itemsPerOperation, what: "items")
        case .throughputBytes:
            return rate(metric, perOperation: bytesPerOperation, what: "bytes")
        case .cpuUser:
            return perRound(metric) { Double($0.cpuUserNanoseconds) }
        case .cpuSystem:
            return perRound(metric) { Double($0.cpuSystemNanoseconds) }
        case .cpuTime:
            return perRound(metric) { Double($0.cpuUserNanoseconds + $0.cpuSystemNanoseconds) }
        case .cpuPercent:
            let wall = rounds.reduce(0) { $0 + Double($1.wallNanoseconds) }
            let cpu = rounds.reduce(0) { $0 + Double($1.cpuUserNanoseconds + $1.cpuSystemNanoseconds) }
            guard wall > 0 else { return .unavailable(metric, reason: "no rounds were measured") }
            return Self.single(metric, cpu / wall * 100)
        case .peakRSS, .currentRSS:
            guard let rss = ResourceUsage.residentSetSize() else {
                return .unavailable(metric, reason: "/proc/self/status is not readable here")
            }
            return Self.single(metric, Double(metric == .peakRSS ? rss.peak : rss.current))
        case .allocations, .allocatedBytes:
            guard let allocationMetrics else {
                return .unavailable(metric, reason: "the allocation lane did not run")
            }
            return allocationMetrics.first { $0.metric == metric }
                ?? .unavailable(metric, reason: "the allocation lane did not report it")
        case .instructions, .estimatedCycles:
            guard let instructionMetrics else {
                return .unavailable(metric, reason: "the instruction lane did not run (it needs worker processes)")
            }
            return instructionMetrics.first { $0.metric == metric }
                ?? .unavailable(metric, reason: "the instruction lane did not report it")
        case .latencyP99:
            guard let latency = probes?.latency, latency.count > 0 else {
                return .unavailable(metric, reason: "the benchmark records no per-item latency")
            }
            // One value per process: this process's p99 over every item it recorded.
            return Self.single(metric, Double(latency.histogram.valueAtPercentile(99)))
        case .latency, .stageLatency:
            guard let latency = metric == .latency ? probes?.latency : probes?.stageLatency, latency.count > 0 else {
                let kind = metric == .latency ? "per-item" : "stage"
                return .unavailable(metric, reason: "the benchmark records no \(kind) latency")
            }
            return MetricResult(
                metric: metric, sampleCount: Int(latency.count), summary: MetricSummary(latency.histogram),
                roundValues: [], histogram: CompactHistogram(latency.histogram))
        default:
            guard let value = probes?.values[metric] else {
                return .unavailable(metric, reason: "the benchmark has no \(metric.rawValue) probe")
            }
            return Self.single(metric, value)
        }
    }

    private func wallTime() -> MetricResult {
        guard !rounds.isEmpty else { return .unavailable(.wallTime, reason: "no rounds were measured") }
        let divisor = Double(innerIterations)
        return MetricResult(
            metric: .wallTime, sampleCount: Int(wallHistogram.totalCount),
            summary: MetricSummary(wallHistogram, divisor: divisor), roundValues: rounds.map(\.median),
            histogram: CompactHistogram(wallHistogram, valueDivisor: divisor))
    }

    /// Items or bytes per second, from each sample's ns per operation (Doubles, never rounded).
    private func rate(_ metric: BenchmarkMetric, perOperation: Double?, what: String) -> MetricResult {
        guard let perOperation else {
            return .unavailable(metric, reason: "the benchmark declares no \(what) per operation")
        }
        guard !rounds.isEmpty else { return .unavailable(metric, reason: "no rounds were measured") }
        func rate(_ nanoseconds: Double) -> Double { nanoseconds > 0 ? perOperation * 1e9 / nanoseconds : 0 }
        let samples = rounds.flatMap(\.samples).filter { $0 > 0 }.map(rate)
        return MetricResult(
            metric: metric, sampleCount: samples.count, summary: MetricSummary(exactValues: samples),
            roundValues: rounds.map { rate($0.median) })
    }

    /// A per-operation value computed per round (CPU times): tick-quantized, so recorded but not gateable.
    private func perRound(_ metric: BenchmarkMetric, _ value: (RoundMeasurement) -> Double) -> MetricResult {
        let measured = rounds.filter { $0.operations > 0 }
        guard !measured.isEmpty else { return .unavailable(metric, reason: "no rounds were measured") }
        let values = measured.map { value($0) / Double($0.operations) }
        return MetricResult(
            metric: metric, isGateable: false, sampleCount: values.count, summary: MetricSummary(exactValues: values),
            roundValues: values)
    }

    static func single(_ metric: BenchmarkMetric, _ value: Double) -> MetricResult {
        MetricResult(metric: metric, sampleCount: 1, summary: MetricSummary(exactValues: [value]), roundValues: [value])
    }
}
