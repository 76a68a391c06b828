import Sluice

/// The meso tier: FusionChain (3, 5 and 10 pure stages, fused and unfused, under the `SyncEngine`) and segment
/// chains (stages in tasks joined by bounded channels). Each checks its output against a plain-loop checksum.
enum MesoBenchmarks {
    static let all: [Benchmark] =
        [3, 5, 10].flatMap { [fusionChain(length: $0, fusion: .enabled), fusionChain(length: $0, fusion: .disabled)] }
        + [segmentChain(length: 3, batchSize: 256), segmentChain(length: 5, batchSize: 256),
           segmentChain(length: 3, batchSize: 16)]

    static let elementsParameter = BenchmarkParameterSpec(
        "elements", .int, "elements per operation; default 65536")

    static func makeInput(_ parameters: BenchmarkParameters) throws -> [UInt64] {
        let count = parameters.int("elements", default: 65_536)
        guard count > 0 else {
            throw HarnessError(code: .benchmarkSetup, message: "elements must be positive", field: "elements")
        }
        return (0..<UInt64(count)).map { $0 &* 0x2545_F491_4F6C_DD1D }
    }

    struct FusionState {
        var workload: FusionChainWorkload
        var expected: ChainChecksum
        var statistics: PipelineStatistics?
    }

    /// `meso/fusion/typed/chain<length>/{fused,unfused}`: the whole input through `length` pure stages written as
/// `ElementTransform` types (the closure-stage chains are `FusionBenchmarks`' `meso/fusion/chain<length>/...`).
    /// The fused variant declares the unfused one as its peer, so figures show the fusion speed-up.
    static func fusionChain(length: Int, fusion: FusionMode, brokenStage: Int? = nil) -> Benchmark {
        let variant = fusion == .enabled ? "fused" : "unfused"
        let benchmark = Benchmark.synchronous(
            "meso/fusion/typed/chain\(length)/\(variant)",
            summary: "\(length) pure map stages under the SyncEngine, fusion \(fusion) (batches of 256)",
            parameters: [elementsParameter],
            setup: { parameters in
                let input = try makeInput(parameters)
                let workload = FusionChainWorkload(
                    length: length, fusion: fusion, input: input, brokenStage: brokenStage)
                return BenchmarkSetup(
                    state: FusionState(
                        workload: workload, expected: ChainChecksum.reference(input: input, length: length)),
                    itemsPerOperation: Double(input.count))
            },
            operation: { state in state.statistics = try state.workload.run() },
            check: { state in
                guard let actual = state.workload.box.checksum else { return "the chain has not run" }
                if actual != state.expected {
                    return "checksum \(actual.sum) over \(actual.count) elements, "
                        + "a plain loop gives \(state.expected.sum) over \(state.expected.count)"
                }
                let fused = state.statistics?.fusedStageCount ?? -1
                let expectedFused = fusion == .enabled ? 1 : 0
                return fused == expectedFused ? nil : "\(fused) fused segments, expected \(expectedFused)"
            },
            probes: { state in
                var values: [BenchmarkMetric: Double] = [:]
                if let statistics = state.statistics {
                    values[.pipelineDocsTotal] = Double(statistics.sinkCount)
                    values[.stageErrorTotal] = Double(statistics.stages.reduce(0) { $0 + $1.errors })
                }
                return BenchmarkProbes(stageLatency: state.workload.box.batchLatencies, values: values)
            })
        return fusion == .enabled ? benchmark.peer("meso/fusion/typed/chain\(length)/unfused") : benchmark
    }

    struct SegmentState {
        var workload: SegmentChainWorkload
        var expected: ChainChecksum
        var checksum: ChainChecksum?
        var stageLatency = LatencyRecorder()
        var maxDepth = 0
        /// Sum and count of the channels' mean depths (not an array: its growth would allocate in some
        /// operations and not in others, and the allocation lane counts every operation exactly).
        var meanDepthSum = 0.0
        var meanDepthCount = 0
        var atCapacity: UInt64 = 0
        var observed: UInt64 = 0
        var blocked: UInt64 = 0
        var operations = 0
    }

    /// `meso/segments/chain<length>/batch<n>`: each stage a task, bounded channels (capacity 1024) between them.
    static func segmentChain(length: Int, batchSize: Int, brokenStage: Int? = nil) -> Benchmark {
        Benchmark.asynchronous(
            "meso/segments/chain\(length)/batch\(batchSize)",
            summary: "\(length) map stages, each in its own task, joined by bounded channels (capacity 1024, "
                + "policy wait), hand-off in batches of \(batchSize)",
            parameters: [
                elementsParameter, BenchmarkParameterSpec("capacity", .int, "channel capacity; default 1024"),
            ],
            setup: { parameters in
                let input = try makeInput(parameters)
                let capacity = parameters.int("capacity", default: 1_024)
                guard capacity >= batchSize else {
                    throw HarnessError(
                        code: .benchmarkSetup, message: "capacity must be at least the batch size \(batchSize)",
                        field: "capacity")
                }
                let workload = SegmentChainWorkload(
                    length: length, input: input, capacity: capacity, batchSize: batchSize, brokenStage: brokenStage)
                return BenchmarkSetup(
                    state: SegmentState(
                        workload: workload, expected: ChainChecksum.reference(input: input, length: length)),
                    itemsPerOperation: Double(input.count))
            },
            operation: { state in
                let outcome = try await state.workload.run()
                state.checksum = outcome.checksum
                state.stageLatency.merge(outcome.stageLatency)
                state.operations += 1
                for channel in outcome.channels {
                    state.maxDepth = max(state.maxDepth, channel.maxDepth)
                    if let mean = channel.approximateMeanDepth {
                        state.meanDepthSum += mean
                        state.meanDepthCount += 1
                    }
                    state.atCapacity &+= channel.nanosecondsAtCapacity ?? 0
                    state.observed &+= channel.observedNanoseconds ?? 0
                    state.blocked &+= channel.producerBlockedNanoseconds ?? 0
                }
            },
            check: { state in
                guard let checksum = state.checksum else { return "the chain has not run" }
                return checksum == state.expected
                    ? nil
                    : "checksum \(checksum.sum) over \(checksum.count) elements, "
                        + "a plain loop gives \(state.expected.sum) over \(state.expected.count)"
            },
            probes: { state in
                var values: [BenchmarkMetric: Double] = [:]
                if state.operations > 0 {
                    values[.channelDepthMax] = Double(state.maxDepth)
                    values[.pipelineDocsTotal] = Double(state.workload.input.count)
                    values[.producerBlockedTime] = Double(state.blocked) / Double(state.operations)
                }
                if state.meanDepthCount > 0 {
                    values[.channelDepthMean] = state.meanDepthSum / Double(state.meanDepthCount)
                }
                if state.observed > 0 {
                    values[.channelTimeAtCapacity] = Double(state.atCapacity) / Double(state.observed)
                }
                return BenchmarkProbes(stageLatency: state.stageLatency, values: values)
            })
    }
}
