/// `sluice-bench selftest`: the gate tested on itself, with injected regressions of known size.
///
/// Each of `runs` gate runs measures the registered synthetic benchmarks four times through `measure` (the
/// real runner, in worker processes): a baseline; an A/A candidate of the same build and parameters; a
/// candidate whose `selftest/spin` is slowed by `slowdown`; and a candidate whose `selftest/allocations` cases
/// each make one more allocation per operation. The A/A comparison counts false alarms (any Performance
/// Alert), the other two count detections (the injected metric's comparison is a Performance Alert).
public struct Selftest: Sendable {
    /// Measures one suite, returning its results (normally `SuiteRunner` in worker processes).
    public typealias Measure = @Sendable (SuiteFile) async throws -> ResultsFile

    /// The configuration in force.
    public let configuration: SelftestConfiguration
    private let measure: Measure

    /// Creates a self-test that measures through `measure`.
    public init(configuration: SelftestConfiguration, measure: @escaping Measure) {
        self.configuration = configuration
        self.measure = measure
    }

    /// What a candidate changes.
    enum Variant {
        case unchanged, slowed, extraAllocation
    }

    /// Runs every gate run and tallies them.
    ///
    /// Suspends while `measure` runs; `progress` receives one line per gate run. Throws what `measure` throws,
    /// and `GateError` if a comparison cannot be made (e.g. the environments differ between measurements).
    public func run(progress: @Sendable (String) -> Void = { _ in }) async throws -> SelftestReport {
        let comparator = try makeComparator()
        var report = SelftestReport(configuration: configuration)
        for index in 1...configuration.runs {
            let baseline = try await measureCases(.unchanged, timing: true, allocations: true)
            let unchanged = try await measureCases(.unchanged, timing: true, allocations: true)
            let slowed = try await measureCases(.slowed, timing: true, allocations: false)
            let extra = try await measureCases(.extraAllocation, timing: false, allocations: true)
            var run = SelftestReport.Run(index: index)
            let aa = try comparator.compare(baseline: baseline, candidate: unchanged)
            run.aaAlerts = aa.comparisons(raising: .performanceAlert).map { "\($0.benchmark) \($0.metric.rawValue)" }
            run.aaInconclusive = aa.comparisons(raising: .inconclusive).map { "\($0.benchmark) \($0.metric.rawValue)" }
            run.aaFunctionalFailures = aa.benchmarkChanges.filter { $0.verdictClass == .functionalFail }
                .map { "\($0.benchmark): \($0.detail ?? "")" }
            let spin = try comparator.compare(baseline: baseline, candidate: slowed).comparisons.first {
                $0.benchmark == SelftestConfiguration.spinCase && $0.metric == .wallTime
            }
            run.slowdownOutcome = spin?.outcome
            run.slowdownRatio = spin?.ratio
            run.slowdownInterval = spin?.interval
            let allocations = try comparator.compare(baseline: baseline, candidate: extra)
            for count in configuration.allocationCounts {
                let name = SelftestConfiguration.allocationCase(count)
                let comparison = allocations.comparisons.first { $0.benchmark == name && $0.metric == .allocations }
                run.allocationOutcomes[name] = comparison?.outcome ?? .missing
            }
            report.runs.append(run)
            progress(run.summaryLine)
        }
        return report
    }

    /// The gate the self-test judges with: wall time p50 at `timingThreshold`, and "any extra allocation fails".
    func makeComparator() throws(GateError) -> GateComparator {
        let rules = [
            ThresholdRule(benchmark: SelftestConfiguration.spinCase, metric: .wallTime, percentile: "p50",
                          relative: configuration.timingThreshold, absolute: nil),
            ThresholdRule(benchmark: "selftest/allocations/*", metric: .allocations, percentile: "p50",
                          relative: 0.15, absolute: 0),
        ]
        return GateComparator(configuration: GateConfiguration(
            thresholds: ThresholdSet(rules: rules), waivers: try WaiverSet(nil, today: "1970-01-01", file: nil),
            requiredMetrics: [], confidence: configuration.confidence))
    }

    /// Measures the chosen cases of a variant, one suite per case, and gathers them into one results file whose
    /// benchmarks carry the case names.
    func measureCases(_ variant: Variant, timing: Bool, allocations: Bool) async throws -> ResultsFile {
        var suites: [(name: String, suite: SuiteFile)] = []
        if timing {
            let slowdown = variant == .slowed ? configuration.slowdown : 1
            suites.append((SelftestConfiguration.spinCase, makeSuite(
                benchmark: "selftest/spin", metrics: [.wallTime], settings: configuration.timingSettings,
                parameters: ["work": .int(configuration.spinWork), "slowdown": .double(slowdown)])))
        }
        if allocations {
            for count in configuration.allocationCounts {
                suites.append((SelftestConfiguration.allocationCase(count), makeSuite(
                    benchmark: "selftest/allocations", metrics: [.allocations],
                    settings: configuration.allocationSettings,
                    parameters: [
                        "allocations": .int(count), "extraAllocations": .int(variant == .extraAllocation ? 1 : 0),
                        "work": .int(0),
                    ])))
            }
        }
        var combined: ResultsFile?
        for (name, suite) in suites {
            var results = try await measure(suite)
            results.benchmarks = results.benchmarks.map { benchmark in
                var renamed = benchmark
                renamed.name = name
                return renamed
            }
            if combined == nil {
                results.suite = "selftest"
                combined = results
            } else {
                combined?.benchmarks += results.benchmarks
            }
        }
        guard let combined else {
            throw GateError(.badInput, "the self-test has no case to measure")
        }
        return combined
    }

    func makeSuite(
        benchmark: String, metrics: [BenchmarkMetric], settings: RunSettings, parameters: [String: JSONParameter]
    ) -> SuiteFile {
        SuiteFile(
            schemaVersion: SuiteFile.currentSchemaVersion, name: "selftest", tier: .micro,
            description: "generated by sluice-bench selftest", settings: settings, metrics: metrics,
            requiredMetrics: metrics,
            benchmarks: [SuiteBenchmark(name: benchmark, parameters: parameters, settings: nil, metrics: nil)],
            thresholds: nil, waivers: nil)
    }
}
