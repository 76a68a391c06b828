import Sluice
import SluiceTestKit
import Testing

@Suite struct FusionEquivalenceTests {
    static let seeds: [UInt64] = {
        var generator = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_F05E)
        return (0..<40).map { _ in generator.next() }
    }()

    @Test(arguments: seeds)
    func fusedAndUnfusedSyncRunsAgree(seed: UInt64) async throws {
        let generated = GeneratedCase(seed: seed)
        let batchSize = Int(seed % 37) + 1
        let fused = try await RandomPipelineRunner(
            input: generated.input, runner: SyncExecutor(engine: SyncEngine(fusion: .enabled, batchSize: batchSize))
        ).outcome(generated.stages)
        let unfused = try await RandomPipelineRunner(
            input: generated.input, runner: SyncExecutor(engine: SyncEngine(fusion: .disabled, batchSize: 64))
        ).outcome(generated.stages)
        #expect(fused == unfused, "\(generated)")
    }

    @Test func planFusesAdjacentPureStagesOnly() throws {
        let pipeline = Pipeline.source(1...10)
            .map("a") { $0 + 1 }
            .filter("b") { $0 > 2 }
            .map("c") { $0 * 2 }
            .scan("d", initial: 0) { $0 + $1 }
            .map("e") { $0 - 1 }
            .map("f") { $0 + 1 }
            .sink("out", OutputCollector<Int>())
        let fused = try SyncEngine(fusion: .enabled).run(pipeline)
        #expect(fused.segments == [["a", "b", "c"], ["d"], ["e", "f"]])
        #expect(fused.fusedStageCount == 2)
        #expect(fused.fusedOpsPerStageAverage == 2.5)
        let unfused = try SyncEngine(fusion: .disabled).run(pipeline)
        #expect(unfused.segments == [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]])
        #expect(unfused.fusedStageCount == 0)
        #expect(unfused.fusedOpsPerStageAverage == nil)
        #expect(fused.stages.map(\.processed) == unfused.stages.map(\.processed))
    }

    @Test func fusedChainReportsPerStageCounts() throws {
        let output = OutputCollector<Int>()
        let pipeline = Pipeline.source(1...100)
            .map("double") { $0 * 2 }
            .filter("byThree") { $0 % 3 == 0 }
            .flatMap("twice") { [$0, $0] }
            .sink("out", output)
        let statistics = try SyncEngine(batchSize: 7).run(pipeline)
        // flatMap emits many outputs per input: the planner cuts around it rather than fusing it.
        #expect(statistics.segments == [["double", "byThree"], ["twice"]])
        #expect(statistics[stage: "numbers"] == nil)
        #expect(statistics[stage: "source"]?.emitted == 100)
        #expect(statistics[stage: "double"]?.processed == 100)
        #expect(statistics[stage: "byThree"]?.processed == 100)
        #expect(statistics[stage: "byThree"]?.emitted == 33)
        #expect(statistics[stage: "twice"]?.emitted == 66)
        #expect(statistics[stage: "out"]?.processed == 66)
        #expect(output.elements.prefix(4) == [6, 6, 12, 12])
    }
}
