import Foundation
import SluiceBench
import SluiceTestKit
import Synchronization
import Testing

@Suite struct SuiteRunnerTests {
    func runner(
        _ names: [String], broken: Set<String> = [], filter: String? = nil, shard: BenchmarkShard? = nil,
        cancellation: RunCancellation = RunCancellation(), onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in }
    ) throws -> SuiteRunner {
        let clock = ManualClock()
        let registry = BenchmarkRegistry(names.map { name in
            FakeBenchmarks.steady(clock: clock, nanoseconds: 100, name: name, isBroken: broken.contains(name))
        })
        let configuration = RunConfiguration(
            suite: try FakeBenchmarks.suite(names), filter: filter, shard: shard, isolation: .inProcess,
            runID: "test-run", registry: registry)
        return SuiteRunner(
            configuration: configuration, clock: clock, cancellation: cancellation, overhead: .zero, onEvent: onEvent)
    }

    @Test func allPassingIsExitCodePass() async throws {
        let outcome = try await runner(["fake/a", "fake/b"]).run()
        #expect(outcome.exitCode == .pass)
        #expect(outcome.results.benchmarks.map(\.name) == ["fake/a", "fake/b"])
        #expect(outcome.results.benchmarks.allSatisfy { $0.status == .passed })
        #expect(!outcome.results.isPartial)
        #expect(outcome.results.runID == "test-run")
        #expect(outcome.results.harnessOverheadNanoseconds == 0)
    }

    @Test func aFailedCheckIsAFunctionalFailureAndTheRunGoesOn() async throws {
        let outcome = try await runner(["fake/a", "fake/b", "fake/c"], broken: ["fake/b"]).run()
        #expect(outcome.exitCode == .functionalFailure)
        #expect(outcome.results.benchmarks.map(\.status) == [.passed, .failed, .passed])
        #expect(outcome.results.benchmarks[1].error?.contains("broken") == true)
    }

    @Test func filterAndShardSelect() async throws {
        let names = ["fake/a", "fake/b", "fake/c", "other/d"]
        let filtered = try await runner(names, filter: "^fake/").run()
        #expect(filtered.results.benchmarks.map(\.name) == ["fake/a", "fake/b", "fake/c"])
        // A filter that leaves a benchmark out makes the run partial: it cannot pass `check` or become a baseline.
        #expect(filtered.results.isPartial)
        #expect(try await !runner(names, filter: "/").run().results.isPartial, "a filter that keeps every benchmark")
        #expect(filtered.results.filter == "^fake/")
        // A filter that matches, with a shard left empty by it, is an empty shard, not an error; the shard is
        // marked filtered, so the merge of the shards stays partial too.
        let emptyShard = try await runner(names, filter: "^other/", shard: BenchmarkShard(index: 2, count: 2)).run()
        #expect(emptyShard.results.benchmarks.isEmpty && emptyShard.results.filter == "^other/")
        let error = await #expect(throws: HarnessError.self) { try await runner(names, filter: "^nothing").run() }
        #expect(error?.message == "'^nothing' matches no benchmark of suite \(try FakeBenchmarks.suite(names).name)")
        #expect(error?.field == "--filter")
        let sharded = try await runner(names, shard: BenchmarkShard(index: 2, count: 2)).run()
        #expect(sharded.results.benchmarks.map(\.name) == ["fake/b", "other/d"])
        #expect(sharded.results.shard == "2/2")
        #expect(sharded.results.isPartial)
    }

    @Test func badFilterIsBadInput() async throws {
        await #expect(throws: HarnessError.self) { try await runner(["fake/a"], filter: "(").run() }
    }

    @Test func cancellationWritesPartialResults() async throws {
        let cancellation = RunCancellation()
        let outcome = try await runner(["fake/a", "fake/b", "fake/c"], cancellation: cancellation) { event in
            if case .benchmarkFinished(let index, _, _) = event, index == 1 { cancellation.cancel() }
        }.run()
        #expect(outcome.exitCode == .interrupted)
        #expect(outcome.results.isPartial)
        #expect(outcome.results.benchmarks.map(\.status) == [.passed, .skipped, .skipped])
    }

    @Test func progressEventsCountBenchmarks() async throws {
        let events = Mutex([String]())
        _ = try await runner(["fake/a", "fake/b"]) { event in
            switch event {
            case .started(let total, _): events.withLock { $0.append("started \(total)") }
            case .benchmarkStarted(let index, let total, let name): events.withLock { $0.append("\(index)/\(total) \(name)") }
            default: break
            }
        }.run()
        #expect(events.withLock { $0 } == ["started 2", "1/2 fake/a", "2/2 fake/b"])
    }

    @Test func progressIsSilentOffATerminal() {
        let written = Mutex("")
        let display = ProgressDisplay(isTerminal: false) { text in written.withLock { $0 += text } }
        display.handle(.started(total: 2, estimatedSeconds: 1))
        display.handle(.benchmarkStarted(index: 1, total: 2, name: "x"))
        #expect(written.withLock { $0 }.isEmpty)
        let terminal = ProgressDisplay(isTerminal: true) { text in written.withLock { $0 += text } }
        terminal.handle(.started(total: 2, estimatedSeconds: 1))
        terminal.handle(.benchmarkStarted(index: 1, total: 2, name: "x"))
        #expect(written.withLock { $0 }.contains("1/2 x"))
    }

    @Test func multiProcessPartsMerge() throws {
        var recorder = LatencyRecorder()
        recorder.record(1_000)
        func part(_ rounds: [Double]) -> BenchmarkResult {
            BenchmarkResult(
                name: "m", status: .passed, innerIterations: 10,
                metrics: [
                    MetricResult(
                        metric: .wallTime, sampleCount: 1, summary: nil, roundValues: rounds,
                        histogram: CompactHistogram(recorder.histogram, valueDivisor: 10))
                ])
        }
        let merged = try BenchmarkResult.merging([part([1, 2]), part([3])])
        #expect(merged.metric(.wallTime)?.roundValues == [1, 2, 3])
        #expect(merged.metric(.wallTime)?.histogram?.counts == [2])
        #expect(merged.metric(.wallTime)?.summary?.p50 == 100)
        #expect(merged.processCount == 2)
    }
}

/// Ctrl-C in a run with worker processes stops the worker after the round it is in, not after its whole share.
@Suite struct WorkerCancellationTests {
    @Test func aCancelledWorkerRunStopsAfterTheCurrentRound() async throws {
        let executable = AsyncAllocationLaneTests.executable
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "build sluice-bench first")
        var suite = try FakeBenchmarks.suite(["selftest/spin"])
        // Two processes: timing rounds then run in worker processes (one process measures in process).
        suite.settings = RunSettings(maxWarmupSeconds: 0, minRounds: 400, maxRounds: 400, minRoundSeconds: 0.002,
                                     processes: 2)
        suite.metrics = [.wallTime]
        let cancellation = RunCancellation()
        let rounds = Mutex((total: 0, afterCancel: 0))
        let configuration = RunConfiguration(
            suite: suite, isolation: .workers(executable: executable), capturesAllocations: false, runID: "cancel")
        let outcome = try await SuiteRunner(configuration: configuration, cancellation: cancellation) { event in
            guard case .roundFinished = event else { return }
            rounds.withLock { counts in
                if cancellation.isCancelled { counts.afterCancel += 1 }
                counts.total += 1
                if counts.total == 3 { cancellation.cancel() }
            }
        }.run()
        #expect(outcome.exitCode == .interrupted)
        #expect(outcome.results.isPartial && outcome.results.benchmarks.map(\.status) == [.skipped])
        let counts = rounds.withLock { $0 }
        // The round that saw the cancel stops the worker: at most one more round event arrives, not the rest of
        // the worker's 200.
        #expect(counts.afterCancel <= 1 && counts.total < 10, "\(counts)")
    }
}
