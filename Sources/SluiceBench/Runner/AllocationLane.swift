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
                method = .globalHooks
                for _ in 0..<policy.allocationRounds {
                    try checkCancellation()
                    let before = AllocationCapture.globalHookSnapshot()
                    try await run(body, operations)
                    let after = AllocationCapture.globalHookSnapshot()
                    calls.append(Double(after.calls &- before.calls) / Double(operations))
                    bytes.append(Double(after.bytes &- before.bytes) / Double(operations))
                }
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

    private func exact(
        _ metric: BenchmarkMetric, _ values: [Double], method: AllocationCapture.Method, operations: Int
    ) -> MetricResult {
        var result = MetricResult(
            metric: metric, isExact: true, sampleCount: values.count * operations,
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
