import Sluice
import SluiceTestKit
import Testing

@testable import SluiceBench

@Suite struct MesoWorkloadTests {
    static let parameters = BenchmarkParameters(["elements": .int(3_000)])

    static func outcome(
        _ benchmark: Benchmark, _ parameters: BenchmarkParameters = parameters
    ) async throws -> String? {
        let instance = try await benchmark.makeInstance(parameters)
        try await instance.run(2)
        return instance.check()
    }

    @Test(arguments: [3, 5, 10])
    func fusionChainsPassTheirCheck(length: Int) async throws {
        #expect(try await Self.outcome(MesoBenchmarks.fusionChain(length: length, fusion: .enabled)) == nil)
        #expect(try await Self.outcome(MesoBenchmarks.fusionChain(length: length, fusion: .disabled)) == nil)
    }

    @Test(arguments: [(3, 1), (5, 5), (10, 7)])
    func aBrokenFusedStageIsCaught(length: Int, broken: Int) async throws {
        for fusion in [FusionMode.enabled, .disabled] {
            let message = try await Self.outcome(
                MesoBenchmarks.fusionChain(length: length, fusion: fusion, brokenStage: broken))
            #expect(message?.contains("plain loop") == true, "chain \(length), stage \(broken), fusion \(fusion)")
        }
    }

    @Test func segmentChainsPassTheirCheckAndReportProbes() async throws {
        let benchmark = MesoBenchmarks.segmentChain(length: 3, batchSize: 16)
        let instance = try await benchmark.makeInstance(Self.parameters)
        try await instance.run(2)
        #expect(instance.check() == nil)
        let probes = try #require(instance.probes())
        let depth = try #require(probes.values[.channelDepthMax])
        #expect(depth >= 1 && depth <= 1_024)
        // One latency per batch per stage: 3 000 elements in batches of at most 16, three stages, two runs.
        #expect((probes.stageLatency?.count ?? 0) >= UInt64(2 * 3 * (3_000 / 16)))
    }

    @Test(arguments: [1, 2, 3])
    func aBrokenSegmentIsCaught(broken: Int) async throws {
        let message = try await Self.outcome(
            MesoBenchmarks.segmentChain(length: 3, batchSize: 256, brokenStage: broken))
        #expect(message?.contains("plain loop") == true, "stage \(broken)")
    }

    @Test func theFusedChainDeclaresTheUnfusedOneAsItsPeer() {
        let registry = BenchmarkRegistry.standard
        for length in [3, 5, 10] {
            let fused = registry.benchmark(named: "meso/fusion/chain\(length)/fused")
            #expect(fused?.peer == "meso/fusion/chain\(length)/unfused")
            #expect(fused?.peer.flatMap(registry.benchmark(named:)) != nil)
        }
    }
}
