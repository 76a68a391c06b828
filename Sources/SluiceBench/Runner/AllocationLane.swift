/// The allocation pass of a measurement: runs operations with jemalloc's counting on and reports exact
/// allocation calls and bytes per operation.
///
/// The harness's own work stays outside the window: counters are read with plain loads right before and after
/// `runSynchronously`, whose loop does not allocate.
struct AllocationLane {
    let policy: MeasurementPolicy
    let innerIterations: Int
    let cancellation: RunCancellation?

    func measure(_ body: any PreparedBenchmark) async throws -> [MetricResult] {
        if let reason = AllocationCapture.unavailableReason {
            return [.unavailable(.allocations, reason: reason), .unavailable(.allocatedBytes, reason: reason)]
        }
        let operations = max(1, min(policy.allocationOperations, innerIterations))
        var calls: [Double] = []
        var bytes: [Double] = []
        var method: AllocationCapture.Method
        if AllocationCapture.installHooks() {
            defer { AllocationCapture.removeHooks() }
            // One operation first, so that lazy one-time allocations are not counted against the rounds.
            try await run(body, 1)
            if body.isSynchronous {
                method = .threadHooks
                let allocated = AllocationCapture.threadAllocatedPointer()
                for _ in 0..<policy.allocationRounds {
                    try checkCancellation()
                    let before = AllocationCapture.threadSnapshot(allocatedPointer: allocated)
                    try runSynchronously(body, operations)
                    let after = AllocationCapture.threadSnapshot(allocatedPointer: allocated)
                    calls.append(Double(after.calls &- before.calls) / Double(operations))
                    bytes.append(Double(after.bytes &- before.bytes) / Double(operations))
                }
            } else {
                // On a serial executor the benchmark's tasks run on one thread in a fixed order, so this
                // thread's counters are exact. Allocations on other threads meanwhile (work that left structured
                // concurrency) make the pass fall back to the process-wide counters, marked not exact.
                method = .serialExecutor
                let executor = SerialTaskExecutor()
                defer { executor.shutdown() }
                var global: [(calls: Double, bytes: Double)] = []
                try await withTaskExecutorPreference(executor) {
                    try await run(body, 1)
                    let allocated = AllocationCapture.threadAllocatedPointer()
                    for _ in 0..<policy.allocationRounds {
                        try checkCancellation()
                        let globalBefore = AllocationCapture.globalHookSnapshot()
                        let before = AllocationCapture.threadSnapshot(allocatedPointer: allocated)
                        try await run(body, operations)
                        let after = AllocationCapture.threadSnapshot(allocatedPointer: allocated)
                        let globalAfter = AllocationCapture.globalHookSnapshot()
                        calls.append(Double(after.calls &- before.calls) / Double(operations))
                        bytes.append(Double(after.bytes &- before.bytes) / Double(operations))
                        global.append((Double(globalAfter.calls &- globalBefore.calls) / Double(operations),
                                       Double(globalAfter.bytes &- globalBefore.bytes) / Double(operations)))
                    }
                }
                (calls, bytes, method) = Self.choose(
                    thread: (calls, bytes), global: (global.map(\.calls), global.map(\.bytes)))
            }
        } else if AllocationCapture.isThreadCacheDisabled, AllocationCapture.arenaAllocationCount() != nil {
            method = .arenaStatistics
            try await run(body, 1)
            for _ in 0..<policy.allocationRounds {
                try checkCancellation()
                let before = AllocationCapture.arenaAllocationCount() ?? 0
                try await run(body, operations)
                let after = AllocationCapture.arenaAllocationCount() ?? 0
                calls.append(Double(after &- before) / Double(operations))
            }
        } else {
            let reason = "jemalloc refused the counting hooks and its thread cache is on (run with MALLOC_CONF=tcache:false)"
            return [.unavailable(.allocations, reason: reason), .unavailable(.allocatedBytes, reason: reason)]
        }
        var results = [exact(.allocations, calls, method: method, operations: operations)]
        if bytes.isEmpty {
            results.append(.unavailable(.allocatedBytes, reason: "bytes are not counted by \(method.rawValue)"))
        } else {
            results.append(exact(.allocatedBytes, bytes, method: method, operations: operations))
        }
        return results
    }

    /// The serial executor's counts when every allocation of every round happened on its thread (the
    /// process-wide calls equal the thread's), else the process-wide counts, which are not exact.
    static func choose(thread: (calls: [Double], bytes: [Double]), global: (calls: [Double], bytes: [Double]))
        -> (calls: [Double], bytes: [Double], method: AllocationCapture.Method)
    {
        thread.calls == global.calls
            ? (thread.calls, thread.bytes, .serialExecutor) : (global.calls, global.bytes, .globalHooks)
    }

    private func exact(
        _ metric: BenchmarkMetric, _ values: [Double], method: AllocationCapture.Method, operations: Int
    ) -> MetricResult {
        var result = MetricResult(
            metric: metric, isExact: method.isExact, sampleCount: values.count * operations,
            summary: MetricSummary(exactValues: values), roundValues: values)
        result.method = method.rawValue
        return result
    }

    private func checkCancellation() throws {
        if cancellation?.isCancelled == true { throw RunInterrupted() }
    }

    private func runSynchronously(_ body: any PreparedBenchmark, _ iterations: Int) throws {
        do {
            try body.runSynchronously(iterations)
        } catch {
            throw BenchmarkFailure("the operation threw: \(error)")
        }
    }

    private func run(_ body: any PreparedBenchmark, _ iterations: Int) async throws {
        do {
            try await body.run(iterations)
        } catch {
            throw BenchmarkFailure("the operation threw: \(error)")
        }
    }
}
