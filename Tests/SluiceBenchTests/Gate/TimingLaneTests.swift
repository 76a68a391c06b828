import Foundation
import SluiceBench
import SluiceTestKit
import Testing

/// The timing lane's rules: host comparability, Holm across the suite, and the environment control.
@Suite struct TimingLaneTests {
    static let rules = #"[{"benchmark": "micro/*", "metric": "wall_time", "percentile": "p50", "relative": 0.05}, "#
        + #"{"benchmark": "micro/*", "metric": "allocations", "percentile": "p50", "absolute": 0}]"#

    static func processes(_ median: Double, _ factor: Double = 1, seed: UInt64) -> [Double] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return GateFixtures.rounds(median: median * factor, noise: 0.01, count: 6, using: &generator)
    }

    @Test func anotherCPUModelMakesTimingNotComparableButAllocationsStillJudge() throws {
        var other = GateFixtures.environment()
        other.cpuModel = "AMD EPYC 7B13"
        let baseline = GateFixtures.results(runID: "b", [
            GateFixtures.benchmark("micro/a", [GateFixtures.timing(.wallTime, Self.processes(100, seed: 1)), GateFixtures.exact(.allocations, 10)])
        ])
        let candidate = GateFixtures.results(runID: "c", environment: other, [
            GateFixtures.benchmark("micro/a", [GateFixtures.timing(.wallTime, Self.processes(100, 1.4, seed: 2)), GateFixtures.exact(.allocations, 11)])
        ])
        let report = try GateFixtures.comparator(rules: Self.rules).compare(baseline: baseline, candidate: candidate)
        #expect(report.host?.isComparable == false)
        let timing = try #require(report.comparisons.first { $0.metric == .wallTime })
        #expect(timing.outcome == .notGated)
        #expect(timing.verdictClass == nil)
        #expect(timing.note?.contains("not comparable on this host") == true)
        #expect(timing.note?.contains("cpuModel: Test CPU → AMD EPYC 7B13") == true)
        let allocations = try #require(report.comparisons.first { $0.metric == .allocations })
        #expect(allocations.outcome == .regressed)
        #expect(report.outcome == .performanceRegression)
    }

    @Test(arguments: ["coreCount", "kernel", "toolchain", "buildConfiguration", "allocator"])
    func everyHostFieldCounts(field: String) {
        let base = GateFixtures.environment()
        var other = base
        switch field {
        case "coreCount": other.coreCount = 4
        case "kernel": other.kernel = "6.12.0"
        case "toolchain": other.toolchain = "Swift version 6.2"
        case "buildConfiguration": other.buildConfiguration = "debug"
        default: other.allocator = "system"
        }
        let comparison = HostComparison(baseline: base, candidate: other)
        #expect(!comparison.isComparable)
        #expect(comparison.differences.first?.hasPrefix(field) == true)
        #expect(HostComparison(baseline: base, candidate: base).isComparable)
    }

    @Test func aClearSlowdownPastTheLimitIsAnAlertWithItsPValue() throws {
        let baseline = GateFixtures.results(runID: "b", [
            GateFixtures.benchmark("micro/a", [GateFixtures.timing(.wallTime, Self.processes(100, seed: 3))])
        ])
        let candidate = GateFixtures.results(runID: "c", [
            GateFixtures.benchmark("micro/a", [GateFixtures.timing(.wallTime, Self.processes(100, 1.3, seed: 4))])
        ])
        let report = try GateFixtures.comparator(rules: Self.rules).compare(baseline: baseline, candidate: candidate)
        let timing = try #require(report.comparisons.first { $0.metric == .wallTime })
        #expect(timing.outcome == .regressed)
        #expect(timing.pValue.map { abs($0 - 1.0 / 924) < 1e-12 } == true)
        #expect(timing.replicates == [6, 6])
        #expect(report.method.multipleComparisons?.contains("Holm") == true)
    }

    /// A timing change of a benchmark whose instructions per operation did not move is noted as the same work
    /// (its outcome stays: memory behaviour does not show in instructions); one whose instructions moved is not.
    @Test(arguments: [(1_000_000.0, true), (1_000_050.0, true), (1_050_000.0, false)])
    func aTimingChangeWithTheSameInstructionsIsNotedAsTheSameWork(candidateInstructions: Double, isSameWork: Bool) throws {
        let rules = #"[{"benchmark": "micro/*", "metric": "wall_time", "percentile": "p50", "relative": 0.05}, "#
            + #"{"benchmark": "micro/*", "metric": "instructions", "percentile": "p50", "relative": 0.1}]"#
        let baseline = GateFixtures.results(runID: "b", [
            GateFixtures.benchmark("micro/a", [GateFixtures.timing(.wallTime, Self.processes(100, seed: 3)),
                                               GateFixtures.exact(.instructions, 1_000_000)])
        ])
        let candidate = GateFixtures.results(runID: "c", [
            GateFixtures.benchmark("micro/a", [GateFixtures.timing(.wallTime, Self.processes(100, 1.3, seed: 4)),
                                               GateFixtures.exact(.instructions, candidateInstructions)])
        ])
        let report = try GateFixtures.comparator(rules: rules).compare(baseline: baseline, candidate: candidate)
        let timing = try #require(report.comparisons.first { $0.metric == .wallTime })
        #expect(timing.outcome == .regressed)
        #expect(timing.note?.contains("the same work: instructions per operation unchanged") == isSameWork,
                "\(timing.note ?? "")")
        #expect((timing.sameWork == true) == isSameWork)
        let instructions = try #require(report.comparisons.first { $0.metric == .instructions })
        #expect(instructions.note?.contains("the same work") != true)
        // The report's first sentence says where to look.
        let markdown = MarkdownReportFormatter().format(report)
        #expect(markdown.contains("It executes the same instructions per operation as the base") == isSameWork)
    }

    @Test func perRoundValuesOfAStoredFileNeverAlert() throws {
        let baseline = GateFixtures.results(runID: "b", [
            GateFixtures.benchmark("micro/a", [GateFixtures.roundsOnly(.wallTime, Self.processes(100, seed: 5))])
        ])
        let candidate = GateFixtures.results(runID: "c", [
            GateFixtures.benchmark("micro/a", [GateFixtures.roundsOnly(.wallTime, Self.processes(100, 1.3, seed: 6))])
        ])
        let report = try GateFixtures.comparator(rules: Self.rules).compare(baseline: baseline, candidate: candidate)
        let timing = try #require(report.comparisons.first { $0.metric == .wallTime })
        #expect(timing.outcome == .inconclusive)
        #expect(timing.note?.contains("never an alert") == true)
    }

    /// Twenty benchmarks, each about 6 % slower with moderate evidence (p ≈ 0.008 alone): without control of the
    /// family-wise error every one would alert; under Holm none does, they are Inconclusive.
    @Test func holmAcrossTheSuiteTurnsModerateEvidenceIntoInconclusive() throws {
        let names = (0..<20).map { "micro/b\($0)" }
        let base = [100.0, 104, 98, 103, 99, 101]
        let cand = [106.0, 112, 104, 111, 107, 101]  // U = 33 of 36: p = 7/924
        let p = try #require(ShiftTest.pValueAbove(baseline: base, candidate: cand))
        #expect(p < 0.05 && p > 0.05 / 20)
        let baseline = GateFixtures.results(runID: "b", names.map {
            GateFixtures.benchmark($0, [GateFixtures.timing(.wallTime, base)]) })
        let candidate = GateFixtures.results(runID: "c", names.map {
            GateFixtures.benchmark($0, [GateFixtures.timing(.wallTime, cand)]) })
        let report = try GateFixtures.comparator(rules: Self.rules).compare(baseline: baseline, candidate: candidate)
        let timing = report.comparisons.filter { $0.metric == .wallTime }
        #expect(timing.count == 20)
        #expect(timing.allSatisfy { $0.outcome == .inconclusive })
        #expect(report.outcome == .inconclusive)
    }

    @Test func laterLooksTestAtTheirOwnSpentLevel() throws {
        var comparator = try GateFixtures.comparator(rules: Self.rules)
        var configuration = comparator.configuration
        configuration.sequential = AlphaSpending(alpha: 0.05, looks: 3)
        configuration.look = 3
        comparator = GateComparator(configuration: configuration)
        let baseline = GateFixtures.results(runID: "b", [
            GateFixtures.benchmark("micro/a", [GateFixtures.timing(.wallTime, Self.processes(100, seed: 7))])
        ])
        let candidate = GateFixtures.results(runID: "c", [
            GateFixtures.benchmark("micro/a", [GateFixtures.timing(.wallTime, Self.processes(100, 1.3, seed: 8))])
        ])
        let report = try comparator.compare(baseline: baseline, candidate: candidate)
        #expect(report.method.look == 3)
        #expect(abs((report.method.lookLevel ?? 0) - configuration.sequential.level(atLook: 3)) < 1e-12)
        #expect(report.comparisons.first { $0.metric == .wallTime }?.note?.contains("look 3 of 3") == true)
    }
}

/// The environment control: compared in every run of every shipped suite, and normalising instead of vetoing.
@Suite struct EnvironmentControlTests {
    static func suites() throws -> [SuiteFile] {
        let loader = SuiteLoader()
        let names = try FileManager.default.contentsOfDirectory(atPath: loader.suitesDirectory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { try loader.load(named: String($0.dropLast(5))) }
    }

    @Test func everyCalibrationBenchmarkOfEveryShippedSuiteYieldsAComparison() throws {
        let suites = try Self.suites()
        #expect(!suites.isEmpty)
        var checked = 0
        for suite in suites {
            let configuration = try GateConfiguration(suite: suite, file: suite.name, today: "2026-12-06")
            for control in suite.calibration ?? [] {
                #expect(suite.benchmarks.contains { $0.name == control },
                        "\(suite.name): calibration benchmark \(control) is not in the suite, so it never runs")
                let benchmarks = suite.benchmarks.map { entry in
                    GateFixtures.benchmark(entry.name, [GateFixtures.timing(.wallTime, [10, 10.1, 10.2, 9.9, 10.05, 9.95])])
                }
                let report = try GateComparator(configuration: configuration).compare(
                    baseline: GateFixtures.results(runID: "b", suite: suite.name, benchmarks),
                    candidate: GateFixtures.results(runID: "c", suite: suite.name, benchmarks))
                let comparison = report.comparisons.first { $0.benchmark == control && $0.metric == .wallTime }
                #expect(comparison?.interval != nil, "\(suite.name): \(control) was not compared")
                #expect(comparison?.note?.hasPrefix("environment control") == true)
                checked += 1
            }
        }
        #expect(checked > 0, "no shipped suite has a calibration benchmark")
    }

    static func run(control: Double, benchmark: Double) throws -> GateReport {
        let rules = #"[{"benchmark": "micro/*", "metric": "wall_time", "percentile": "p50", "relative": 0.1}]"#
        let thresholds = ThresholdSet(rules: try GateFixtures.rules(rules))
        var configuration = GateConfiguration(
            thresholds: thresholds, waivers: try WaiverSet(nil, today: "2026-11-29", file: nil))
        configuration.calibrationBenchmarks = ["calibration/memory-walk"]
        let base = [100.0, 100.5, 99.5, 100.2, 99.8, 100.1]
        func side(_ controlFactor: Double, _ factor: Double) -> [BenchmarkResult] {
            [GateFixtures.benchmark("calibration/memory-walk", [GateFixtures.timing(.wallTime, base.map { $0 * controlFactor })]),
             GateFixtures.benchmark("micro/a", [GateFixtures.timing(.wallTime, base.map { $0 * factor })])]
        }
        return try GateComparator(configuration: configuration).compare(
            baseline: GateFixtures.results(runID: "b", side(1, 1)),
            candidate: GateFixtures.results(runID: "c", side(control, benchmark)))
    }

    @Test func aMachineThatSlowedDownAsAWholeRaisesNothing() throws {
        let report = try Self.run(control: 1.2, benchmark: 1.2)
        #expect(report.outcome == .pass)
        let timing = try #require(report.comparisons.first { $0.benchmark == "micro/a" })
        #expect(timing.note?.contains("normalised by the control") == true)
        let control = try #require(report.comparisons.first { $0.benchmark == "calibration/memory-walk" })
        #expect(control.note?.contains("moved") == true)
    }

    @Test func aRegressionWellBeyondTheControlsMovementStillAlerts() throws {
        let report = try Self.run(control: 1.2, benchmark: 1.6)
        #expect(report.outcome == .performanceRegression)
        let timing = try #require(report.comparisons.first { $0.benchmark == "micro/a" })
        #expect(timing.outcome == .regressed)
        #expect(abs((timing.ratio ?? 0) - 1.6 / 1.2) < 0.01)
    }

    @Test func aSteadyControlLeavesTheValuesAlone() throws {
        let report = try Self.run(control: 1, benchmark: 1.3)
        let timing = try #require(report.comparisons.first { $0.benchmark == "micro/a" })
        #expect(timing.outcome == .regressed)
        #expect(timing.note?.contains("normalised") == false)
    }
}
