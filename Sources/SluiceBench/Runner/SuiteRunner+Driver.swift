import Sluice

/// The memory probe and per-step hook a `SuiteRunner` gives driver benchmarks.
public struct DriverHooks: Sendable {
    /// Reads process memory (default: this process's RSS and jemalloc counters).
    public var memory: MemoryProbe
    /// Called once per unit of driver work: tests advance a `ManualClock` here. Default: nothing.
    public var step: @Sendable () -> Void

    /// Creates hooks.
    public init(memory: MemoryProbe = .process, step: @escaping @Sendable () -> Void = {}) {
        self.memory = memory
        self.step = step
    }
}

extension SuiteRunner {
    /// Runs a driver benchmark once, in this process (also in worker mode: its snapshots stream to the display
    /// and the JSON-lines log from here), and keeps the metrics the suite asks for.
    ///
    /// A driver that throws or returns a failure is a Functional Fail; its metrics are still recorded.
    func runDriver(
        _ benchmark: Benchmark, parameters: BenchmarkParameters, settings: RunSettings, metrics: [BenchmarkMetric]
    ) async throws -> BenchmarkResult {
        guard let drive = benchmark.drive else { preconditionFailure("runDriver needs a driver benchmark") }
        if cancellation.isCancelled { throw RunInterrupted() }
        _ = ResourceUsage.resetPeakResidentSetSize()
        let onEvent = self.onEvent
        let name = benchmark.name
        let duration = settings.durationSeconds
        let context = DriverContext(
            parameters: parameters, durationSeconds: duration, clock: clock, memory: driverHooks.memory,
            step: driverHooks.step,
            onSnapshot: { snapshot in
                onEvent(.snapshot(name: name, snapshot: snapshot, durationSeconds: duration ?? 0))
            }, isCancelled: { [cancellation] in cancellation.isCancelled })
        if case .workers = configuration.isolation {
            onEvent(.diagnostic("\(name): a driver benchmark runs once, in the runner's process"))
        }
        let outcome: DriverOutcome
        do {
            outcome = try await drive(context)
        } catch let failure as BenchmarkFailure {
            throw failure
        } catch {
            throw BenchmarkFailure("\(name) threw: \(error)")
        }
        if cancellation.isCancelled { throw RunInterrupted() }
        let measured = metrics.map { metric in
            outcome.metrics.first { $0.metric == metric }
                ?? Self.driverMetric(metric)
                ?? .unavailable(metric, reason: "the driver \(name) does not report \(metric.rawValue)")
        }
        var result = BenchmarkResult(
            name: name, status: outcome.failure == nil ? .passed : .failed, error: outcome.failure, innerIterations: 1,
            metrics: measured)
        result.parameters = parameters.values.isEmpty ? nil : parameters.values
        result.processCount = 1
        return result
    }

    /// Process metrics every driver gets for free.
    static func driverMetric(_ metric: BenchmarkMetric) -> MetricResult? {
        switch metric {
        case .peakRSS: ResourceUsage.residentSetSize().map { .driven(.peakRSS, Double($0.peak), method: "VmHWM") }
        case .currentRSS:
            ResourceUsage.residentSetSize().map { .driven(.currentRSS, Double($0.current), method: "VmRSS") }
        default: nil
        }
    }
}
