/// Environment controls: benchmarks of the machine, not of Sluice. The gate compares them like any other; when
/// one of them moves, the machine changed under the run (a noisy neighbour on a shared host, a different memory
/// placement), and timing alerts in that run are downgraded to inconclusive instead of blamed on the code.
enum CalibrationBenchmarks {
    static let all: [Benchmark] = [memoryWalk]

    final class Buffer {
        let words: [UInt64]
        let gather: [Int]
        init(megabytes: Int, gathers: Int) {
            let count = megabytes * 1_048_576 / 8
            var x: UInt64 = 0x2545_F491_4F6C_DD1D
            var words = [UInt64](repeating: 0, count: count)
            for index in 0..<count {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17
                words[index] = x
            }
            var indices: [Int] = []
            indices.reserveCapacity(gathers)
            for _ in 0..<gathers {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17
                indices.append(Int(x % UInt64(count)))
            }
            self.words = words
            self.gather = indices
        }
    }

    struct WalkState {
        var buffer: Buffer
        var expected: UInt64
        var last: UInt64 = 0
    }

    static func walk(_ buffer: Buffer) -> UInt64 {
        var sum: UInt64 = 0
        buffer.words.withUnsafeBufferPointer { words in
            for word in words { sum &+= word }  // bandwidth: a sequential pass over the whole buffer
            for index in buffer.gather { sum ^= words[index] }  // latency: scattered loads that miss the caches
        }
        return sum
    }

    /// `calibration/memory-walk`: a sequential pass over 32 MiB plus 65 536 scattered loads.
    static let memoryWalk = Benchmark.synchronous(
        "calibration/memory-walk",
        summary: "the machine's memory speed (a 32 MiB sequential pass plus 65 536 scattered loads): an environment control",
        setup: { (_: BenchmarkParameters) throws -> BenchmarkSetup<WalkState> in
            let buffer = Buffer(megabytes: 32, gathers: 65_536)
            return BenchmarkSetup(
                state: WalkState(buffer: buffer, expected: walk(buffer)), bytesPerOperation: Double(32 * 1_048_576))
        },
        operation: { (state: inout WalkState) throws in
            state.last = walk(state.buffer)
        },
        check: { (state: WalkState) -> String? in
            state.last == state.expected ? nil : "memory walk sum \(state.last), expected \(state.expected)"
        })
}
