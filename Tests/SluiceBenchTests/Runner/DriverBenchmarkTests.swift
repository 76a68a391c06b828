import Foundation
import SluiceTestKit
import Synchronization
import Testing

@testable import SluiceBench

/// Driver benchmarks (soak, chaos) through `SuiteRunner`, on virtual time with a fake memory probe.
@Suite struct DriverBenchmarkTests {
    /// Memory readings: a flat base, seeded noise, and the bytes the test says leaked (never process-wide).
    final class Meter: Sendable {
        private struct State {
            var leaked = 0.0
            var random: SeededRandomNumberGenerator
        }
        private let state: Mutex<State>
        let leakPerStep: Double
        init(seed: UInt64, leakPerStep: Double) {
            state = Mutex(State(random: SeededRandomNumberGenerator(seed: seed)))
            self.leakPerStep = leakPerStep
        }
        func step() { state.withLock { $0.leaked += leakPerStep } }
        var probe: MemoryProbe {
            MemoryProbe {
                self.state.withLock { state in
                    let noise = Double.random(in: -20_000...20_000, using: &state.random)
                    return .init(rssBytes: 50_000_000 + noise, allocatedBytes: 10_000_000 + state.leaked + noise)
                }
            }
        }
    }

    /// Collects run events.
    final class Events: Sendable {
        let all = Mutex<[RunEvent]>([])
        var snapshots: [(String, SoakSnapshot)] {
            all.withLock { $0.compactMap { if case .snapshot(let n, let s, _) = $0 { (n, s) } else { nil } } }
        }
        var diagnostics: [String] {
            all.withLock { $0.compactMap { if case .diagnostic(let m) = $0 { m } else { nil } } }
        }
    }

    static func suite(_ json: String, registry: BenchmarkRegistry = .standard) throws -> SuiteFile {
        try SuiteLoader(registry: registry).parse(Data(json.utf8), file: "test.json")
    }

    static func runner(
        _ suite: SuiteFile, registry: BenchmarkRegistry = .standard, clock: ManualClock, stepNanoseconds: UInt64,
        meter: Meter, events: Events, isolation: RunConfiguration.Isolation = .inProcess,
        cancellation: RunCancellation = RunCancellation()
    ) -> SuiteRunner {
        var runner = SuiteRunner(
            configuration: RunConfiguration(
                suite: suite, isolation: isolation, runID: "driver-test", registry: registry),
            clock: clock, cancellation: cancellation, overhead: .zero,
            onEvent: { event in events.all.withLock { $0.append(event) } })
        runner.driverHooks = DriverHooks(memory: meter.probe) {
            clock.advance(by: stepNanoseconds)
            meter.step()
        }
        return runner
    }

    // MARK: The driver kind

    static let tiny = Benchmark.driver(
        "soak/tiny", summary: "emits snapshots on virtual time",
        parameters: [BenchmarkParameterSpec("failAbove", .double, "fail above this slope")]
    ) { context in
        let duration = context.durationSeconds ?? 1
        let start = context.clock.nowNanoseconds()
        var times: [Double] = []
        var values: [Double] = []
        while Double(context.clock.nowNanoseconds() - start) / 1e9 < duration && !context.isCancelled() {
            context.step()
            let elapsed = Double(context.clock.nowNanoseconds() - start) / 1e9
            let memory = context.memory.sample().allocatedBytes ?? 0
            times.append(elapsed)
            values.append(memory)
            context.onSnapshot(SoakSnapshot(elapsedSeconds: elapsed, throughputPerSecond: 10, allocatedBytes: memory))
        }
        guard let slope = TrendSlope.estimate(times: times, values: values) else { throw BenchmarkFailure("no slope") }
        let failAbove = context.parameters.double("failAbove", default: .infinity)
        return DriverOutcome(
            metrics: [.slope(.memoryGrowthRate, slope), .driven(.recordsLostPercent, 0)],
            failure: slope.slope > failAbove ? "growth \(slope.slope) above \(failAbove)" : nil)
    }

    static func tinySuite(parameters: String = "{}") throws -> SuiteFile {
        try suite(
            """
            {"schemaVersion": 1, "name": "tiny", "tier": "soak",
             "settings": {"maxWarmupSeconds": 0, "minRounds": 1, "maxRounds": 1, "minRoundSeconds": 0, "processes": 1,
                          "durationSeconds": 5},
             "metrics": ["memory_growth_rate", "records_lost_percent", "duplicate_ratio"],
             "benchmarks": [{"name": "soak/tiny", "parameters": \(parameters)}]}
            """, registry: BenchmarkRegistry([tiny]))
    }

    @Test func aDriverRunsOnceForItsDurationAndReportsItsMetrics() async throws {
        let clock = ManualClock()
        let events = Events()
        let meter = Meter(seed: 7, leakPerStep: 1_000)
        let outcome = try await Self.runner(
            try Self.tinySuite(), registry: BenchmarkRegistry([Self.tiny]), clock: clock,
            stepNanoseconds: 500_000_000, meter: meter, events: events
        ).run()
        #expect(outcome.exitCode == .pass)
        let result = try #require(outcome.results.benchmarks.first)
        #expect(result.status == .passed && result.innerIterations == 1)
        #expect(result.metrics.map(\.metric) == [.memoryGrowthRate, .recordsLostPercent, .duplicateRatio])
        let growth = try #require(result.metric(.memoryGrowthRate))
        let interval = try #require(growth.confidenceInterval)
        // 1000 bytes per 0.5 s step: 2000 B/s, inside ±20 kB of seeded noise.
        #expect(interval.lower <= growth.summary!.p50 && growth.summary!.p50 <= interval.upper, "seed 7")
        #expect(growth.summary?.min == interval.lower && growth.summary?.max == interval.upper)
        #expect(result.metric(.duplicateRatio)?.unavailableReason != nil)
        #expect(events.snapshots.count == 10)
        #expect(events.all.withLock { events in
            events.contains { if case .started(_, let estimate) = $0 { estimate == 5 } else { false } }
        })
        // The new fields survive a round trip through the results file.
        let decoded = try JSONDecoder().decode(ResultsFile.self, from: try outcome.results.encoded())
        #expect(decoded.benchmarks[0].metric(.memoryGrowthRate)?.confidenceInterval == interval)
        #expect(decoded.benchmarks[0].metric(.memoryGrowthRate)?.unit == "bytes/s")
    }

    @Test func aDriverFailureIsAFunctionalFailWithItsMessage() async throws {
        let clock = ManualClock()
        let outcome = try await Self.runner(
            try Self.tinySuite(parameters: #"{"failAbove": 100}"#), registry: BenchmarkRegistry([Self.tiny]),
            clock: clock, stepNanoseconds: 500_000_000, meter: Meter(seed: 8, leakPerStep: 100_000), events: Events()
        ).run()
        #expect(outcome.exitCode == .functionalFailure)
        let result = try #require(outcome.results.benchmarks.first)
        #expect(result.status == .failed && result.error?.contains("above 100") == true, "seed 8")
        #expect(result.metric(.memoryGrowthRate)?.summary != nil)  // metrics are kept on failure
    }

    @Test func inWorkerModeADriverRunsInTheRunnersProcessAndSaysSo() async throws {
        let events = Events()
        let outcome = try await Self.runner(
            try Self.tinySuite(), registry: BenchmarkRegistry([Self.tiny]), clock: ManualClock(),
            stepNanoseconds: 500_000_000, meter: Meter(seed: 9, leakPerStep: 0), events: events,
            isolation: .workers(executable: URL(fileURLWithPath: "/nonexistent/sluice-bench"))
        ).run()
        #expect(outcome.exitCode == .pass)
        #expect(events.diagnostics.contains { $0.contains("runs once, in the runner's process") })
    }

    @Test func anInterruptedDriverStopsEarlyAndIsSkipped() async throws {
        let clock = ManualClock()
        let cancellation = RunCancellation()
        let events = Events()
        var runner = Self.runner(
            try Self.tinySuite(), registry: BenchmarkRegistry([Self.tiny]), clock: clock,
            stepNanoseconds: 500_000_000, meter: Meter(seed: 10, leakPerStep: 0), events: events,
            cancellation: cancellation)
        let steps = Mutex(0)
        runner.driverHooks.step = {
            clock.advance(by: 500_000_000)
            if steps.withLock({ $0 += 1; return $0 }) == 4 { cancellation.cancel() }
        }
        let outcome = try await runner.run()
        #expect(outcome.exitCode == .interrupted)
        #expect(outcome.results.isPartial && outcome.results.benchmarks.first?.status == .skipped)
        #expect(events.snapshots.count == 4)
    }

    // MARK: Registered soak and chaos benchmarks

    static func soakSuite(_ name: String, expect: String, leak: Double) throws -> SuiteFile {
        try suite(
            """
            {"schemaVersion": 1, "name": "soak-test", "tier": "soak",
             "settings": {"maxWarmupSeconds": 0, "minRounds": 1, "maxRounds": 1, "minRoundSeconds": 0, "processes": 1,
                          "durationSeconds": 20},
             "metrics": ["memory_growth_rate", "throughput_decay_rate", "throughput_items"],
             "benchmarks": [{"name": "\(name)", "parameters": {"expect": "\(expect)", "leakBytesPerSecond": \(leak),
                             "events": 20, "warmupSeconds": 5}}]}
            """)
    }

    /// Soak through the registry: 100 ms of virtual time per batch; the fake meter leaks `leakPerSecond`.
    static func runSoak(_ name: String, expect: String, leakPerSecond: Double, seed: UInt64) async throws
        -> BenchmarkResult
    {
        let outcome = try await runner(
            try soakSuite(name, expect: expect, leak: leakPerSecond), clock: ManualClock(),
            stepNanoseconds: 100_000_000, meter: Meter(seed: seed, leakPerStep: leakPerSecond / 10), events: Events()
        ).run()
        return try #require(outcome.results.benchmarks.first)
    }

    @Test func theSoakSelftestCatchesTheLeak() async throws {
        let result = try await Self.runSoak("soak/selftest/leak", expect: "leak", leakPerSecond: 128 * 1024, seed: 11)
        #expect(result.status == .passed, "seed 11: \(result.error ?? "")")
        let growth = try #require(result.metric(.memoryGrowthRate)?.confidenceInterval)
        #expect(growth.lower > 16 * 1024, "seed 11")
        #expect(result.metric(.memoryGrowthRate)?.method?.hasSuffix("verdict leak") == true)
    }

    @Test func theSoakSelftestWithoutTheLeakPasses() async throws {
        let result = try await Self.runSoak("soak/selftest/no-leak", expect: "pass", leakPerSecond: 0, seed: 12)
        #expect(result.status == .passed, "seed 12: \(result.error ?? "")")
        // 15 s judged: the change is stated over the run, never extrapolated to a per-hour rate.
        let decay = try #require(result.metric(.throughputDecayRate))
        #expect(decay.summary == nil, "seed 12")
        #expect(decay.unavailableReason?.contains("over the run") == true, "seed 12: \(decay.unavailableReason ?? "")")
        #expect(decay.unavailableReason?.contains("not extrapolated per hour") == true, "seed 12")
    }

    @Test func aWrongSoakVerdictIsAFunctionalFail() async throws {
        // Expects a leak, but memory is flat: the self-test itself failed.
        let missed = try await Self.runSoak("soak/selftest/leak", expect: "leak", leakPerSecond: 0, seed: 13)
        #expect(missed.status == .failed && missed.error?.contains("expected a leak verdict") == true, "seed 13")
        // A leak where none is expected fails the soak.
        let leaking = try await Self.runSoak("soak/token-stream", expect: "pass", leakPerSecond: 256 * 1024, seed: 14)
        #expect(leaking.status == .failed && leaking.error?.contains("memory leak") == true, "seed 14")
    }

    @Test func theChaosBenchmarkLosesNothingAtLeastOnce() async throws {
        let suite = try Self.suite(
            """
            {"schemaVersion": 1, "name": "chaos-test", "tier": "chaos",
             "settings": {"maxWarmupSeconds": 0, "minRounds": 1, "maxRounds": 1, "minRoundSeconds": 0, "processes": 1,
                          "durationSeconds": 6},
             "metrics": ["recovery_time_ms_p50", "recovery_time_ms_p99", "records_lost_percent", "duplicate_ratio",
                         "channel_depth_max", "memory_returned"],
             "benchmarks": [{"name": "chaos/pipeline/at-least-once", "parameters": {
                 "recordsPerStep": 8, "consumerBatch": 16, "channelCapacity": 512, "keyCount": 16,
                 "stageFailureEverySeconds": 1.5, "poisonBurstEverySeconds": 2, "poisonBurstSize": 10,
                 "malformedBurstEverySeconds": 2.5, "malformedBurstSize": 7, "truncatedBurstEverySeconds": 3,
                 "truncatedBurstSize": 5, "slowConsumerEverySeconds": 4, "slowConsumerSeconds": 0.5,
                 "slowdownFactor": 16, "memoryPressureEverySeconds": 3, "memoryPressureBytes": 1048576,
                 "memoryPressureSeconds": 0.2, "seed": 21, "maxLossPercent": 0}}]}
            """)
        let events = Events()
        let outcome = try await Self.runner(
            suite, clock: ManualClock(), stepNanoseconds: 1_000_000, meter: Meter(seed: 21, leakPerStep: 0),
            events: events
        ).run()
        let result = try #require(outcome.results.benchmarks.first)
        #expect(result.status == .passed, "seed 21: \(result.error ?? "")")
        #expect(result.metric(.recordsLostPercent)?.summary?.p50 == 0, "seed 21")
        #expect(result.metric(.duplicateRatio)?.summary?.p50 == 0, "seed 21")
        let p50 = try #require(result.metric(.recoveryTimeP50)?.summary?.p50)
        #expect(try #require(result.metric(.recoveryTimeP99)?.summary?.p50) >= p50)
        #expect(try #require(result.metric(.channelDepthMax)?.summary?.p50) > 16, "seed 21")
        #expect(events.snapshots.count >= 5)
    }

    @Test func aChaosLossAboveTheAbsoluteLimitIsAFunctionalFail() {
        let report = ChaosReport(
            recoveryMillisecondsP50: 10, recoveryMillisecondsP99: 12, recoveryMillisecondsMax: 12, producedCount: 1000,
            deliveredCount: 990, poisonQuarantinedCount: 5, poisonSuppressedCount: 0, invalidInjectedCount: 3,
            invalidRejectedCount: 3, lossPercent: 0.5, duplicateRatio: 0, stageFailures: 2, restarts: 2, peakDepth: 40,
            memoryPressureEvents: 0, memoryReturnedFractionRSS: nil, memoryReturnedFractionAllocated: nil,
            snapshots: [], aggregateMatches: true)
        let outcome = ChaosBenchmarks.outcome(
            report, configuration: ChaosConfiguration(durationSeconds: 1), parameters: BenchmarkParameters())
        #expect(outcome.failure == "chaos: lost 0.5 % of records (limit 0.0 %)")
        let lenient = ChaosBenchmarks.outcome(
            report, configuration: ChaosConfiguration(durationSeconds: 1),
            parameters: BenchmarkParameters(["maxLossPercent": .double(1)]))
        #expect(lenient.failure == nil)
        #expect(lenient.metrics.first { $0.metric == .memoryReturned }?.unavailableReason != nil)
    }

    @Test func driverFiguresArePrintedUnderTheTable() throws {
        let slope = try #require(TrendSlope.estimate(times: [1, 2, 3, 4, 5], values: [0, 100, 200, 300, 400]))
        let results = GateFixtures.results(runID: "r", suite: "soak", [
            GateFixtures.benchmark("soak/a", [.slope(.memoryGrowthRate, slope, method: "x; verdict leak")]),
            GateFixtures.benchmark("micro/b", [GateFixtures.timing(.wallTime, [1, 2, 3])]),
            GateFixtures.benchmark("chaos/c", [
                .driven(.recordsLostPercent, 0), .unavailable(.memoryReturned, reason: "no pressure"),
            ]),
        ])
        #expect(DriverFiguresFormatter.format(results) == """
            soak/a
              memory_growth_rate  100 bytes/s  [100, 100] 95 %  verdict leak
            chaos/c
              records_lost_percent  0 %
              memory_returned       unavailable: no pressure

            """)
    }

    // MARK: Snapshot log and gate

    @Test func snapshotsAreWrittenAsJSONLinesPerBenchmark() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-snapshots-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = SnapshotLog(folder: folder, runID: "run-1")
        for second in 1...3 {
            log.handle(.snapshot(
                name: "soak/token-stream",
                snapshot: SoakSnapshot(elapsedSeconds: Double(second), throughputPerSecond: 5),
                durationSeconds: 60))
        }
        log.handle(.diagnostic("ignored"))
        log.close()
        #expect(log.writtenPaths == [folder.appendingPathComponent("run-1.soak-token-stream.snapshots.jsonl").path])
        let text = try String(contentsOfFile: log.writtenPaths[0], encoding: .utf8)
        let lines = try text.split(separator: "\n").map {
            try JSONDecoder().decode(SnapshotLog.Line.self, from: Data($0.utf8))
        }
        #expect(lines.map(\.snapshot.elapsedSeconds) == [1, 2, 3])
        #expect(lines.allSatisfy { $0.benchmark == "soak/token-stream" && $0.durationSeconds == 60 })
    }

    @Test func progressShowsElapsedRemainingThroughputAndRSS() {
        let line = ProgressDisplay.renderSnapshot(
            name: "chaos/x", SoakSnapshot(elapsedSeconds: 12, throughputPerSecond: 123_456, rssBytes: 45_100_000),
            durationSeconds: 60)
        #expect(line == "chaos/x  12s elapsed, 48s left, 1.23e+05 items/s, RSS 45.1 MB")
        let written = Mutex<[String]>([])
        let quiet = ProgressDisplay(isTerminal: false) { text in written.withLock { $0.append(text) } }
        let verbose = ProgressDisplay(isTerminal: false, verbose: true) { text in written.withLock { $0.append(text) } }
        let event = RunEvent.snapshot(
            name: "chaos/x", snapshot: SoakSnapshot(elapsedSeconds: 1, throughputPerSecond: 1), durationSeconds: 2)
        quiet.handle(event)
        #expect(written.withLock { $0.isEmpty })
        verbose.handle(event)
        verbose.handle(.benchmarkStarted(index: 1, total: 1, name: "chaos/x"))
        #expect(written.withLock { $0.count == 1 && !$0[0].contains("\u{1B}") })
    }

    @Test(arguments: [
        (BenchmarkMetric.recordsLostPercent, 0.0, 0.5, true), (.recordsLostPercent, 0.0, 0.0, false),
        (.memoryGrowthRate, 100, 20_000, true), (.memoryGrowthRate, 100, 9_000, false),
    ])
    func driverMetricsAreGatedDirectly(metric: BenchmarkMetric, baseline: Double, candidate: Double, regresses: Bool)
        throws
    {
        let comparator = try GateFixtures.comparator(rules: """
            [{"benchmark": "chaos/*", "metric": "records_lost_percent", "percentile": "p50", "absolute": 0},
             {"benchmark": "soak/*", "metric": "memory_growth_rate", "percentile": "p50", "absolute": 16384}]
            """)
        let name = metric == .memoryGrowthRate ? "soak/p" : "chaos/p"
        let base = GateFixtures.results(runID: "b", suite: "chaos", [
            GateFixtures.benchmark(name, [.driven(metric, baseline)]),
        ])
        let cand = GateFixtures.results(runID: "c", suite: "chaos", [
            GateFixtures.benchmark(name, [.driven(metric, candidate)]),
        ])
        let report = try comparator.compare(baseline: base, candidate: cand)
        let comparison = try #require(report.comparisons.first)
        #expect((comparison.outcome == .regressed) == regresses, "\(comparison.note ?? "")")
    }
}
