/// Synthetic benchmarks with known work and exactly known allocations, for the gate's self-test and the
/// harness's own tests. Their parameters inject known regressions.
enum SelftestBenchmarks {
    static let all: [Benchmark] = [spin, allocations]

    /// An error a selftest benchmark throws on request, to exercise the Functional Fail path.
    struct InjectedFailure: Error, CustomStringConvertible {
        var description: String { "injected failure (parameter `throws`)" }
    }

    struct SpinState {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        var iterations: Int
        var operations = 0
        var shouldThrow: Bool
        var corruptOutput: Bool
    }

    /// One step of a 64-bit linear congruential generator: a serial dependency chain the optimizer cannot fold.
    @inline(__always)
    static func step(_ x: UInt64) -> UInt64 { x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 }

    static func spinLoop(_ seed: UInt64, iterations: Int) -> UInt64 {
        var x = seed
        for _ in 0..<iterations { x = step(x) }
        return x
    }

    static let failureParameters: [BenchmarkParameterSpec] = [
        BenchmarkParameterSpec("throws", .bool, "throw from the operation (Functional Fail); default false"),
        BenchmarkParameterSpec("wrongOutput", .bool, "corrupt the output so the check fails; default false"),
    ]

    /// `selftest/spin`: `work × slowdown` dependent multiply-adds per operation.
    static let spin = Benchmark.synchronous(
        "selftest/spin",
        summary: "a serial arithmetic loop of known length; `slowdown` scales it by a known factor",
        parameters: [
            BenchmarkParameterSpec("work", .int, "loop steps per operation; default 5000"),
            BenchmarkParameterSpec("slowdown", .double, "factor applied to `work` (1.10 = 10 % slower); default 1"),
        ] + failureParameters,
        setup: { (parameters: BenchmarkParameters) throws -> BenchmarkSetup<SpinState> in
            let work = parameters.int("work", default: 5_000)
            let slowdown = parameters.double("slowdown", default: 1)
            let iterations = Swift.max(1, Int((Double(work) * slowdown).rounded()))
            let state = SpinState(
                iterations: iterations, shouldThrow: parameters.bool("throws", default: false),
                corruptOutput: parameters.bool("wrongOutput", default: false))
            return BenchmarkSetup(state: state, itemsPerOperation: Double(iterations))
        },
        operation: { (state: inout SpinState) throws in
            if state.shouldThrow { throw InjectedFailure() }
            state.seed = spinLoop(state.seed, iterations: state.iterations)
            state.operations += 1
            if state.corruptOutput { state.seed ^= 1 }
        },
        check: { (state: SpinState) -> String? in
            // Replays the same number of operations from the initial seed: the output is fully determined.
            var expected: UInt64 = 0x9E37_79B9_7F4A_7C15
            for _ in 0..<state.operations { expected = spinLoop(expected, iterations: state.iterations) }
            return expected == state.seed ? nil : "spin result \(state.seed) differs from the expected \(expected)"
        })

    final class AllocationSlots {
        let slots: UnsafeMutablePointer<UnsafeMutableRawPointer?>
        let capacity: Int
        init(capacity: Int) {
            self.capacity = capacity
            slots = .allocate(capacity: Swift.max(capacity, 1))
            slots.initialize(repeating: nil, count: Swift.max(capacity, 1))
        }
        deinit { slots.deallocate() }
    }

    struct AllocationState {
        var slots: AllocationSlots
        var count: Int
        var work: Int
        var checksum: UInt64 = 0
        var operations = 0
    }

    /// `selftest/allocations`: exactly `allocations + extraAllocations` heap allocations (64 bytes each) per
    /// operation, plus `work` loop steps. The pointers escape into a buffer, so the optimizer cannot remove them.
    static let allocations = Benchmark.synchronous(
        "selftest/allocations",
        summary: "exactly N 64-byte heap allocations per operation; `extraAllocations` injects more",
        parameters: [
            BenchmarkParameterSpec("allocations", .int, "allocations per operation; default 1"),
            BenchmarkParameterSpec("extraAllocations", .int, "allocations added per operation; default 0"),
            BenchmarkParameterSpec("work", .int, "loop steps per operation; default 1000"),
        ],
        setup: { (parameters: BenchmarkParameters) throws -> BenchmarkSetup<AllocationState> in
            let count = Swift.max(0, parameters.int("allocations", default: 1))
                + Swift.max(0, parameters.int("extraAllocations", default: 0))
            let state = AllocationState(
                slots: AllocationSlots(capacity: count), count: count,
                work: Swift.max(0, parameters.int("work", default: 1_000)))
            return BenchmarkSetup(state: state, itemsPerOperation: 1, bytesPerOperation: Double(count * 64))
        },
        operation: { (state: inout AllocationState) throws in
            let slots = state.slots.slots
            for index in 0..<state.count {
                let pointer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
                pointer.storeBytes(of: UInt64(index), as: UInt64.self)
                slots[index] = pointer
            }
            state.checksum = spinLoop(state.checksum, iterations: state.work)
            for index in 0..<state.count {
                state.checksum &+= slots[index]?.load(as: UInt64.self) ?? 0
                slots[index]?.deallocate()
                slots[index] = nil
            }
            state.operations += 1
        },
        check: { (state: AllocationState) -> String? in
            state.operations > 0 ? nil : "the operation never ran"
        })
}
