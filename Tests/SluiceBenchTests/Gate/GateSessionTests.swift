import Foundation
import SluiceBench
import SluiceTestKit
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A measurer that answers in process: each `run` gives values drawn from a generator seeded by the request's
/// id, so a session is reproducible; `slowdown` scales the candidate's wall time per benchmark.
struct SyntheticMeasurer: GateMeasurer {
    var benchmarks: [String]
    var slowdown: [String: Double] = [:]
    var extraAllocations: [String: Double] = [:]
    var failing: Set<String> = []
    /// Spread between processes (log scale).
    var noise = 0.02
    var environment = GateFixtures.environment()
    /// The candidate's environment when it differs from the base's.
    var candidateEnvironment: EnvironmentFingerprint?
    /// Counts the measurements asked for.
    var measured = MeasurementCounter()
    /// Varies the draws between sessions.
    var salt: UInt64 = 0

    func hello(_ side: GateSide) async throws -> (benchmarks: [String], environment: EnvironmentFingerprint) {
        (benchmarks, side == .candidate ? candidateEnvironment ?? environment : environment)
    }

    func run(_ request: WorkerRequest, side: GateSide, environment: [String: String]) async throws -> BenchmarkResult {
        measured.count.add(1, ordering: .relaxed)
        let name = request.benchmark ?? ""
        if side == .candidate && failing.contains(name) { throw BenchmarkFailure("output check failed") }
        var seed: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in ((request.id ?? "") + "/\(salt)").utf8 { seed = (seed ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var generator = SeededRandomNumberGenerator(seed: seed)
        var metrics: [MetricResult] = []
        if request.lane == .allocation {
            metrics.append(GateFixtures.exact(.allocations, 100 + (side == .candidate ? extraAllocations[name] ?? 0 : 0)))
        } else {
            let factor = side == .candidate ? slowdown[name] ?? 1 : 1
            let processLevel = 1000 * factor * exp(noise * GateFixtures.gaussian(using: &generator))
            let rounds = (0..<(request.settings?.minRounds ?? 3)).map { _ in
                processLevel * exp(0.002 * GateFixtures.gaussian(using: &generator))
            }
            metrics.append(GateFixtures.roundsOnly(.wallTime, rounds))
        }
        var result = BenchmarkResult(name: name, status: .passed, innerIterations: 4, metrics: metrics)
        result.processCount = 1
        return result
    }
}

/// How many measurements a `SyntheticMeasurer` was asked for.
final class MeasurementCounter: Sendable {
    let count = Atomic<Int>(0)
}

@Suite struct GateSessionTests {
    static let names = ["calibration/memory-walk", "micro/a", "micro/b", "micro/c"]

    static func suite(extraRules: String = "") throws -> SuiteFile {
        let json = """
            {"schemaVersion": 1, "name": "pr", "tier": "micro",
             "settings": {"maxWarmupSeconds": 0.1, "minRounds": 3, "maxRounds": 3, "minRoundSeconds": 0.01, "processes": 1},
             "metrics": ["wall_time", "allocations"],
             "benchmarks": [\(names.map { #"{"name": "\#($0)"}"# }.joined(separator: ", "))],
             "thresholds": [{"benchmark": "micro/*", "metric": "wall_time", "percentile": "p50", "relative": 0.05},
                            {"benchmark": "micro/*", "metric": "allocations", "percentile": "p50", "absolute": 0}\(extraRules)],
             "calibration": ["calibration/memory-walk"]}
            """
        return try JSONDecoder().decode(SuiteFile.self, from: Data(json.utf8))
    }

    static func run(
        _ measurer: SyntheticMeasurer, seed: UInt64 = 7, looks: Int = 3, suite: SuiteFile? = nil,
        log: @Sendable (String) -> Void = { _ in }
    ) async throws -> GateSession.Outcome {
        let options = GateSession.Options(
            suite: try suite ?? Self.suite(), processesPerSide: 6, roundsPerProcess: 3, maxLooks: looks, seed: seed,
            today: "2026-12-06")
        return try await GateSession(options: options, measurer: measurer).run(summary: .empty, log: log)
    }

    @Test func unchangedCodePassesWithOneLook() async throws {
        let outcome = try await Self.run(SyntheticMeasurer(benchmarks: Self.names))
        #expect(outcome.report.outcome == .pass, "\(outcome.report.comparisons.map { "\($0.benchmark) \($0.note ?? "")" })")
        #expect(outcome.report.session?.looksTaken == 1)
        #expect(outcome.report.session?.processesPerSide == 6)
        // One value per process: 6 a side.
        let values = outcome.candidate.benchmarks.first { $0.name == "micro/a" }?.metric(.wallTime)?.processValues?["p50"]
        #expect(values?.count == 6)
    }

    /// A benchmark whose timing a `gated: false` rule leaves ungated (the pr suite's Foundation peers) gets two
    /// process pairs, as one without a timing threshold does, and its slowdown is shown, not judged.
    @Test func aBenchmarkWhoseTimingIsNotGatedGetsTwoPairsAndNoVerdict() async throws {
        let suite = try Self.suite(extraRules: """
            , {"benchmark": "micro/c", "metric": "wall_time", "percentile": "p50", "gated": false, "reason": "a peer"}
            """)
        var measurer = SyntheticMeasurer(benchmarks: Self.names)
        measurer.slowdown = ["micro/c": 1.5]
        let outcome = try await Self.run(measurer, suite: suite)
        func processes(_ name: String) -> Int? {
            outcome.candidate.benchmarks.first { $0.name == name }?.metric(.wallTime)?.processValues?["p50"]?.count
        }
        #expect(processes("micro/a") == 6 && processes("micro/c") == 2)
        #expect(outcome.report.outcome == .pass, "\(outcome.report.comparisons.map { "\($0.benchmark) \($0.note ?? "")" })")
        let peer = try #require(outcome.report.comparisons.first { $0.benchmark == "micro/c" && $0.metric == .wallTime })
        #expect(peer.outcome == .notGated && peer.note == "shown, not gated: a peer")
        #expect((peer.ratio ?? 0) > 1.3)
    }

    /// Each benchmark's progress line names it, shows the order of its process pairs, and says how long the
    /// session has been measuring (a gate takes minutes; the user sees where the time goes).
    @Test func progressLinesSayHowLongTheSessionHasBeenMeasuring() async throws {
        let measurer = SyntheticMeasurer(benchmarks: Self.names)
        let lines = Mutex<[(line: String, measuredBefore: Int)]>([])
        _ = try await Self.run(measurer, log: { line in
            lines.withLock { $0.append((line, measurer.measured.count.load(ordering: .relaxed))) }
        })
        let logged = lines.withLock { $0 }
        for (index, name) in Self.names.enumerated() {
            let entry = logged.first { $0.line.hasPrefix("gate: [\(index + 1)/\(Self.names.count)] \(name): ") }
            let line = entry?.line
            #expect(line?.contains("(B = base, C = candidate), then allocations once a side; ") == true, "\(logged)")
            #expect(line?.wholeMatch(of: /.*; (\d+s|\d+m\d\ds) measuring so far/) != nil, "\(line ?? "no line for \(name)")")
            // Logged after the benchmark's last worker (6 pairs and one allocation worker a side), so that the
            // time it shows includes the deterministic lanes.
            #expect(entry?.measuredBefore == (index + 1) * (6 * 2 + 2), "\(name): \(entry?.measuredBefore ?? -1) measured")
        }
    }

    /// Two builds whose environments cannot be compared (here the allocator) are refused when the workers say
    /// hello, before a single measurement, not after the whole session.
    @Test func incomparableBuildsAreRefusedBeforeAnythingIsMeasured() async throws {
        var measurer = SyntheticMeasurer(benchmarks: Self.names)
        measurer.candidateEnvironment = GateFixtures.environment(allocator: "system")
        let error = await #expect(throws: HarnessError.self) { try await Self.run(measurer) }
        #expect(error?.message.contains("allocator: jemalloc → system") == true, "\(error?.message ?? "")")
        #expect(measurer.measured.count.load(ordering: .relaxed) == 0)
        // The same builds, comparable: measured.
        measurer.candidateEnvironment = nil
        _ = try await Self.run(measurer)
        #expect(measurer.measured.count.load(ordering: .relaxed) > 0)
    }

    @Test func aClearSlowdownIsAnAlertNamingTheBenchmark() async throws {
        var measurer = SyntheticMeasurer(benchmarks: Self.names)
        measurer.slowdown = ["micro/b": 1.3]
        let outcome = try await Self.run(measurer)
        #expect(outcome.report.outcome == .performanceRegression)
        let alerts = outcome.report.comparisons(raising: .performanceAlert)
        #expect(alerts.map(\.benchmark) == ["micro/b"])
    }

    @Test func oneExtraAllocationIsCaughtInTheSameSession() async throws {
        var measurer = SyntheticMeasurer(benchmarks: Self.names)
        measurer.extraAllocations = ["micro/c": 1]
        let outcome = try await Self.run(measurer)
        #expect(outcome.report.comparisons(raising: .performanceAlert).map(\.benchmark) == ["micro/c"])
    }

    @Test func aBorderlineChangeIsRemeasuredAtLaterLooks() async throws {
        var measurer = SyntheticMeasurer(benchmarks: Self.names)
        measurer.noise = 0.08
        measurer.slowdown = ["micro/a": 1.07]
        let outcome = try await Self.run(measurer, seed: 11)
        let session = try #require(outcome.report.session)
        #expect(session.looksTaken > 1, "seed 11: \(outcome.report.comparisons.map { $0.note ?? "" })")
        #expect(session.remeasured.first?.contains("micro/a") == true)
        // The control is re-measured with every look, so it keeps as many processes as the most measured benchmark.
        let control = outcome.base.benchmarks.first { $0.name == "calibration/memory-walk" }?.metric(.wallTime)
        #expect(control?.processValues?["p50"]?.count == 6 * session.looksTaken)
    }

    @Test func aBenchmarkFailingOnTheCandidateIsAFunctionalFail() async throws {
        var measurer = SyntheticMeasurer(benchmarks: Self.names)
        measurer.failing = ["micro/a"]
        let outcome = try await Self.run(measurer)
        #expect(outcome.report.outcome == .functionalFailure)
        #expect(outcome.report.benchmarkChanges.contains { $0.benchmark == "micro/a" && $0.kind == .failed })
    }

    /// Many A/A sessions with noisy processes: no Performance Alert at all (the family-wise rate is 5 %, so in
    /// 20 sessions a single alarm would already be unlucky; none is expected with these seeds).
    @Test func aaSessionsRaiseNoAlerts() async throws {
        var measurer = SyntheticMeasurer(benchmarks: Self.names)
        measurer.noise = 0.05
        for seed in UInt64(1)...20 {
            measurer.salt = seed
            let outcome = try await Self.run(measurer, seed: seed, looks: 2)
            #expect(outcome.report.comparisons(raising: .performanceAlert).isEmpty, "seed \(seed)")
        }
    }
}
