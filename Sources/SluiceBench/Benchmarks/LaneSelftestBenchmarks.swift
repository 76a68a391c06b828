/// Synthetic asynchronous benchmark with exactly known allocations, for the deterministic lanes' own tests and
/// detection figures: the counting passes must see one extra allocation per operation in async code too.
enum LaneSelftestBenchmarks {
    static let all: [Benchmark] = [asyncAllocations]

    struct State {
        var count: Int
        var tasks: Int
        var checksum: UInt64 = 0
        var operations = 0
    }

    /// Reads through an unoptimized call, so the optimizer cannot prove the allocation unused and drop it.
    @_optimize(none) @inline(never)
    static func escape(_ pointer: UnsafeMutableRawPointer) -> UInt64 { pointer.load(as: UInt64.self) }

    /// `selftest/async-allocations`: a task group of `tasks` child tasks, each making `allocations +
    /// extraAllocations` 64-byte heap allocations that escape into its result, per operation.
    static let asyncAllocations = Benchmark.asynchronous(
        "selftest/async-allocations",
        summary: "child tasks that make exactly N 64-byte heap allocations each; `extraAllocations` injects more",
        parameters: [
            BenchmarkParameterSpec("allocations", .int, "allocations per child task and operation; default 1"),
            BenchmarkParameterSpec("extraAllocations", .int, "allocations added per child task; default 0"),
            BenchmarkParameterSpec("tasks", .int, "child tasks per operation; default 2"),
        ],
        setup: { (parameters: BenchmarkParameters) async throws -> BenchmarkSetup<State> in
            let count = Swift.max(0, parameters.int("allocations", default: 1))
                + Swift.max(0, parameters.int("extraAllocations", default: 0))
            let tasks = Swift.max(1, parameters.int("tasks", default: 2))
            return BenchmarkSetup(state: State(count: count, tasks: tasks), itemsPerOperation: Double(tasks))
        },
        operation: { (state: inout State) async throws in
            let count = state.count
            state.checksum &+= await withTaskGroup(of: UInt64.self, returning: UInt64.self) { group in
                for task in 0..<state.tasks {
                    group.addTask {
                        var sum: UInt64 = 0
                        for index in 0..<count {
                            let pointer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
                            pointer.storeBytes(of: UInt64(task &+ index), as: UInt64.self)
                            sum &+= escape(pointer)
                            pointer.deallocate()
                        }
                        return sum
                    }
                }
                var total: UInt64 = 0
                for await sum in group { total &+= sum }
                return total
            }
            state.operations += 1
        },
        check: { (state: State) -> String? in
            state.operations > 0 ? nil : "the operation never ran"
        })
}
