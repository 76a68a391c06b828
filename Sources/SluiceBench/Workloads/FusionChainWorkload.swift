import Sluice
import Synchronization

/// One pure arithmetic stage of the meso chains: `x · multiplier + addend` (wrapping).
struct ChainStep: ElementTransform {
    var multiplier: UInt64
    var addend: UInt64

    /// Stage `index` (1-based) of a chain: odd multipliers so no information is lost along the chain.
    static func nominal(_ index: Int) -> ChainStep {
        ChainStep(multiplier: UInt64(2 * index + 1) &* 0x9E37_79B1, addend: UInt64(index) &* 7_919)
    }

    @inline(__always)
    func callAsFunction(_ input: UInt64) -> UInt64 { input &* multiplier &+ addend }
}

/// The checksum of a chain's output, and the reference computed by a plain loop.
struct ChainChecksum: Sendable, Hashable {
    var count = 0
    var sum: UInt64 = 0

    mutating func add(_ value: UInt64) {
        count += 1
        sum = (sum &+ value) &* 31
    }

    /// The checksum a correct `length`-stage chain gives over `input`, computed with a plain loop.
    /// O(input × length).
    static func reference(input: [UInt64], length: Int) -> ChainChecksum {
        let steps = (1...length).map(ChainStep.nominal)
        var checksum = ChainChecksum()
        for var value in input {
            for step in steps { value = step(value) }
            checksum.add(value)
        }
        return checksum
    }
}

/// A sink folding a chain's output into a checksum it publishes on `finish`, and timing one batch in 16
/// (the interval between two consecutive batches: one source read plus the chain on one batch).
struct ChecksumSink: PipelineSink {
    let result: ChecksumBox
    var checksum = ChainChecksum()
    var batches = 0
    var mark: UInt64 = 0

    mutating func consume(_ batch: [UInt64]) throws {
        for value in batch { checksum.add(value) }
        batches += 1
        if batches & 15 == 0 {
            mark = result.clock.nowNanoseconds()
        } else if batches & 15 == 1 && mark != 0 {
            result.recordBatchLatency(result.clock.nowNanoseconds() &- mark)
        }
    }

    mutating func finish() throws { result.publish(checksum) }
}

/// Where a `ChecksumSink` publishes: the last run's checksum and the batch latencies. Guarded by `Mutex`es.
final class ChecksumBox: Sendable {
    private let last = Mutex<ChainChecksum?>(nil)
    private let latency = Mutex(LatencyRecorder())
    let clock = SystemMonotonicClock()

    func publish(_ checksum: ChainChecksum) { last.withLock { $0 = checksum } }
    func recordBatchLatency(_ nanoseconds: UInt64) { latency.withLock { $0.record(nanoseconds) } }
    var checksum: ChainChecksum? { last.withLock { $0 } }
    var batchLatencies: LatencyRecorder { latency.withLock { $0 } }
}

/// The FusionChain workload: `length` pure `ChainStep` stages under the `SyncEngine`, fused or not.
struct FusionChainWorkload: Sendable {
    var length: Int
    var fusion: FusionMode
    var input: [UInt64]
    /// Stage index (1-based) computing a wrong value, for the test that the check catches a broken stage.
    var brokenStage: Int?
    let box = ChecksumBox()

    func step(_ index: Int) -> ChainStep {
        var step = ChainStep.nominal(index)
        if index == brokenStage { step.addend &+= 1 }
        return step
    }

    /// Runs the chain once over `input`. O(input × length).
    func run() throws -> PipelineStatistics {
        let engine = SyncEngine(fusion: fusion, metrics: .disabled)
        let source = Pipeline.source("numbers", input)
        let sink = ChecksumSink(result: box)
        switch length {
        case 3:
            return try engine.run(source.map("s1", step(1)).map("s2", step(2)).map("s3", step(3)).sink(sink))
        case 5:
            let chain = source.map("s1", step(1)).map("s2", step(2)).map("s3", step(3)).map("s4", step(4))
                .map("s5", step(5))
            return try engine.run(chain.sink(sink))
        case 10:
            let first = source.map("s1", step(1)).map("s2", step(2)).map("s3", step(3)).map("s4", step(4))
                .map("s5", step(5))
            let chain = first.map("s6", step(6)).map("s7", step(7)).map("s8", step(8)).map("s9", step(9))
                .map("s10", step(10))
            return try engine.run(chain.sink(sink))
        default:
            preconditionFailure("FusionChain lengths are 3, 5 and 10")
        }
    }
}
