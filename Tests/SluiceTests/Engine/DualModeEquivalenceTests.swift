import Sluice
import SluiceTestKit
import Testing

@Suite struct DualModeEquivalenceTests {
    static let seeds: [UInt64] = {
        var generator = SeededRandomNumberGenerator.fromEnvironment(default: 0xD0A1_0DE5)
        return (0..<30).map { _ in generator.next() }
    }()

    /// Every seed on the real executor; the first ten also under the schedule controller (random walk and PCT),
    /// where the pipeline's seed also seeds the schedule.
    static let cases: [(UInt64, ConcurrencyRunner)] =
        seeds.map { ($0, .real) }
        + seeds.prefix(10).flatMap { seed in ConcurrencyRunner.all.dropFirst().map { (seed, $0) } }

    /// The same generated pipeline gives the same output, per-stage counts and dead letters on the sync engine and
    /// on the concurrent engine, fused and unfused, with small batches and channels so backpressure engages.
    @Test(arguments: cases)
    func syncAndConcurrentRunsAgree(seed: UInt64, runner: ConcurrencyRunner) async throws {
        let generated = GeneratedCase(seed: seed)
        let reference = try await RandomPipelineRunner(
            input: generated.input, runner: SyncExecutor(engine: SyncEngine(batchSize: 16))
        ).outcome(generated.stages)
        let batchSize = Int(seed % 13) + 1
        for fusion in [FusionMode.enabled, .disabled] {
            let engine = ConcurrentEngine(fusion: fusion, batchSize: batchSize, channelCapacity: batchSize * 2)
            let (input, stages) = (generated.input, generated.stages)
            let concurrent = try await runner.run(seed: seed) {
                try await RandomPipelineRunner(input: input, runner: ConcurrentExecutor(engine: engine)).outcome(stages)
            }
            #expect(concurrent == reference, "fusion \(fusion), batch \(batchSize), \(runner), \(generated)")
        }
    }

    @Test func concurrentRunReportsSegmentsTasksAndChannels() async throws {
        let output = OutputCollector<Int>()
        let pipeline = Pipeline.source(1...1_000)
            .map("a") { $0 + 1 }
            .filter("b") { $0 % 2 == 0 }
            .scan("c", initial: 0) { $0 + $1 }
            .map("d") { $0 * 2 }
            .sink("out", output)
        let fused = try await ConcurrentEngine(batchSize: 32, channelCapacity: 64).run(pipeline)
        #expect(fused.segments == [["a", "b"], ["c"], ["d"]])
        #expect(fused.activeWorkers == 5)  // source, three segments, sink
        #expect(fused.channels.count == 4)
        #expect(fused.channels.allSatisfy { $0.maxDepth <= 64 })
        #expect(fused.channels.first?.sentCount == 1_000)
        #expect(output.elements.count == 500)

        let unfused = try await ConcurrentEngine(fusion: .disabled, batchSize: 32, channelCapacity: 64).run(pipeline)
        #expect(unfused.activeWorkers == 6)
        #expect(unfused.stages.map(\.processed) == fused.stages.map(\.processed))
        #expect(unfused.stages.map(\.emitted) == fused.stages.map(\.emitted))
    }

    @Test(arguments: ConcurrencyRunner.all)
    func failingSinkFailsTheRunWithoutHanging(runner: ConcurrencyRunner) async throws {
        struct SinkFailure: Error {}
        try await runner.forEachSeed(real: 1, controlled: 5) { seed async throws in
            let log = HookLog()
            let pipeline = Pipeline.source(0..<10_000)
                .stage("s", MapOperator<Int, Int> { $0 }, hooks: log.hooks)
                .sink(BatchSink<Int> { batch in if batch.contains(5_000) { throw SinkFailure() } })
            await #expect(throws: SinkFailure.self, "\(runner), seed \(seed)") {
                try await ConcurrentEngine(batchSize: 8, channelCapacity: 16).run(pipeline)
            }
            #expect(log.entries == ["start s", "stop s"], "\(runner), seed \(seed)")
        }
    }

    /// Cancelling a run's task ends the run with an error. (A child task in a group rather than `Task {}`: an
    /// unstructured task does not inherit the schedule controller's executor preference.)
    @Test(arguments: ConcurrencyRunner.all)
    func cancellingTheRunEndsIt(runner: ConcurrencyRunner) async throws {
        let pipeline = Pipeline.source("endless", GeneratorSource(state: 0) { next, buffer, count in
            for _ in 0..<count { buffer.append(next); next += 1 }
            return true
        })
        .map { $0 }
        .sink(BatchSink<Int> { _ in })
        try await runner.forEachSeed(real: 1, controlled: 5) { seed async throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await ConcurrentEngine(batchSize: 4, channelCapacity: 8).run(pipeline) }
                group.cancelAll()
                await #expect(throws: (any Error).self, "\(runner), seed \(seed)") { try await group.next() }
            }
        }
    }
}
