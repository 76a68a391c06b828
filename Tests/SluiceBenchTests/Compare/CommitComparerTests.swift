import Foundation
@testable import SluiceBench
import SluiceTestKit
import Testing

/// An in-memory worker: each benchmark's round value is `base × factor × (1 ± 1 %)`, seeded.
final class FakeCompareWorker: CompareWorker, @unchecked Sendable {  // Confined to the test's task.
    var benchmarks: [String: Double]
    var failing: Set<String> = []
    var generator: SeededRandomNumberGenerator
    var sessions: [String: (name: String, rounds: [Double], iterations: Int)] = [:]
    var log: [String] = []
    let label: String

    init(label: String, benchmarks: [String: Double], seed: UInt64) {
        self.label = label
        self.benchmarks = benchmarks
        self.generator = SeededRandomNumberGenerator(seed: seed)
    }

    func hello() async throws(CompareError) -> (benchmarks: [String], environment: EnvironmentFingerprint?) {
        (benchmarks.keys.sorted(), SyntheticResults.fingerprint(commit: String(repeating: label, count: 40)))
    }

    func prepare(
        session: String, benchmark: SuiteBenchmark, settings: RunSettings, metrics: [BenchmarkMetric],
        innerIterations: Int?
    ) async throws -> Int {
        if failing.contains(benchmark.name) { throw CompareBenchmarkFailure(message: "output check failed") }
        sessions[session] = (benchmark.name, [], innerIterations ?? 64)
        return innerIterations ?? 64
    }

    func round(session: String) async throws -> Double {
        guard let state = sessions[session], let base = benchmarks[state.name] else {
            throw CompareError(code: .workerFailed, message: "unknown session")
        }
        let value = base * (1 + Double.random(in: -0.01...0.01, using: &generator))
        sessions[session]?.rounds.append(value)
        log.append(label)
        return value
    }

    func finish(session: String) async throws -> BenchmarkResult {
        guard let state = sessions.removeValue(forKey: session) else {
            throw CompareError(code: .workerFailed, message: "unknown session")
        }
        guard !state.rounds.isEmpty else {
            return BenchmarkResult(name: state.name, status: .skipped, error: "no rounds", innerIterations: 0, metrics: [])
        }
        let sorted = state.rounds.sorted()
        let median = sorted[sorted.count / 2]
        let summary = MetricSummary(
            min: sorted[0], p25: median, p50: median, p75: median, p90: median, p99: sorted.last!,
            p999: sorted.last!, max: sorted.last!, mean: median, standardDeviation: 0)
        return BenchmarkResult(
            name: state.name, status: .passed, innerIterations: state.iterations,
            metrics: [MetricResult(metric: .wallTime, sampleCount: state.rounds.count, summary: summary, roundValues: state.rounds)])
    }

    func close() {}
}

@Suite struct CommitComparerTests {
    static func suite(_ names: [String]) throws -> SuiteFile {
        let benchmarks = names.map { "{\"name\": \"\($0)\"}" }.joined(separator: ",")
        let json = """
            {"schemaVersion": 1, "name": "tiny", "tier": "micro",
             "settings": {"maxWarmupSeconds": 0.1, "minRounds": 5, "maxRounds": 10, "minRoundSeconds": 0.01, "processes": 1},
             "metrics": ["wall_time"], "benchmarks": [\(benchmarks)]}
            """
        return try JSONDecoder().decode(SuiteFile.self, from: Data(json.utf8))
    }

    private func compare(
        a: [String: Double], b: [String: Double], suite names: [String], seed: UInt64 = 7,
        failingInB: Set<String> = []
    ) async throws -> (CommitComparer.Outcome, FakeCompareWorker, FakeCompareWorker) {
        let suite = try Self.suite(names)
        let workerA = FakeCompareWorker(label: "a", benchmarks: a, seed: seed)
        let workerB = FakeCompareWorker(label: "b", benchmarks: b, seed: seed &+ 1)
        workerB.failing = failingInB
        let gate = try GateConfiguration(suite: suite, file: nil, today: "2026-11-29")
        let comparer = CommitComparer(gate: gate, rounds: 12, seed: seed)
        let outcome = try await comparer.run(
            suite: suite, workerA: workerA, workerB: workerB, runID: "compare-test", startedAt: "2026-11-29T08:00:00Z")
        return (outcome, workerA, workerB)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func sameBuildReportsNoChange(seed: UInt64) async throws {
        let (outcome, _, _) = try await compare(
            a: ["micro/x": 1000], b: ["micro/x": 1000], suite: ["micro/x"], seed: seed)
        #expect(outcome.gateReport.outcome == .pass, "seed \(seed)")
        let wall = try #require(outcome.gateReport.comparisons.first { $0.metric == .wallTime })
        #expect(wall.outcome == .unchanged, "seed \(seed): \(wall)")
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func slowdownInBIsARegression(seed: UInt64) async throws {
        let (outcome, _, _) = try await compare(
            a: ["micro/x": 1000, "micro/y": 500], b: ["micro/x": 1300, "micro/y": 500], suite: ["micro/x", "micro/y"],
            seed: seed)
        #expect(outcome.gateReport.outcome == .performanceRegression, "seed \(seed)")
        let x = try #require(outcome.gateReport.comparisons.first { $0.benchmark == "micro/x" && $0.metric == .wallTime })
        #expect(x.outcome == .regressed, "seed \(seed)")
        #expect(abs((x.ratio ?? 0) - 1.3) < 0.03, "seed \(seed)")
        let y = try #require(outcome.gateReport.comparisons.first { $0.benchmark == "micro/y" && $0.metric == .wallTime })
        #expect(y.outcome == .unchanged, "seed \(seed)")
    }

    @Test func roundsAlternateInASeededOrder() async throws {
        let (outcome, workerA, workerB) = try await compare(a: ["micro/x": 10], b: ["micro/x": 10], suite: ["micro/x"])
        let order = try #require(outcome.order["micro/x"])
        let pairs = order.split(separator: " ")
        #expect(pairs.count == 12)
        #expect(Set(pairs).isSubset(of: ["AB", "BA"]))
        #expect(pairs.contains("AB") && pairs.contains("BA"), "a seeded order uses both: \(order)")
        #expect(workerA.log.count == 12 && workerB.log.count == 12)
        let (again, _, _) = try await compare(a: ["micro/x": 10], b: ["micro/x": 10], suite: ["micro/x"])
        #expect(again.order == outcome.order, "the same seed gives the same order")
    }

    @Test func benchmarksOnOneSideAreListedNotCompared() async throws {
        let (outcome, _, _) = try await compare(
            a: ["micro/x": 10, "micro/old": 5], b: ["micro/x": 10, "micro/new": 5],
            suite: ["micro/x", "micro/old", "micro/new", "micro/none"])
        #expect(outcome.onlyInA == ["micro/old", "micro/none"])
        #expect(outcome.onlyInB == ["micro/new", "micro/none"])
        #expect(Set(outcome.gateReport.comparisons.map(\.benchmark)) == ["micro/x"])
        let suite = try Self.suite(["micro/x"])
        let report = CompareReport(
            runID: "r", suite: suite.name, a: .init(revision: "A", commit: String(repeating: "a", count: 40), buildWasCached: false),
            b: .init(revision: "B", commit: String(repeating: "b", count: 40), buildWasCached: true), rounds: 12, seed: 7,
            isWorkTreeDirty: true, dirtyFiles: ["Sources/x.swift"], outcome: outcome)
        let markdown = report.markdown
        #expect(markdown.contains("`micro/old`: only in A"))
        #expect(markdown.contains("`micro/new`: only in B"))
        #expect(markdown.contains("`micro/none`: in neither build"))
        #expect(markdown.contains("uncommitted changes (`--allow-dirty`)"))
        #expect(markdown.contains("1 unchanged benchmark (headline metric each)"))
        #expect(markdown.contains("| Benchmark | Metric | B | B/A | Interval | Limit |"))
        let decoded = try JSONDecoder().decode(CompareReport.self, from: try report.json())
        #expect(decoded.onlyInA == report.onlyInA && decoded.seed == 7)
    }

    @Test func failureOnOneSideIsAFunctionalFail() async throws {
        let (outcome, _, _) = try await compare(
            a: ["micro/x": 10, "micro/y": 10], b: ["micro/x": 10, "micro/y": 10], suite: ["micro/x", "micro/y"],
            failingInB: ["micro/y"])
        #expect(outcome.gateReport.outcome == .functionalFailure)
        #expect(outcome.gateReport.benchmarkChanges.contains { $0.benchmark == "micro/y" && $0.kind == .failed })
    }
}
