import Foundation
@testable import SluiceBench
import SluiceTestKit
import Testing

/// Whether the `sluice-bench` worker measured by these tests has jemalloc: the package links it into
/// `sluice-bench` when the library is on this machine and `SLUICE_JEMALLOC` is not 0 (see Package.swift). This
/// test process itself keeps the system allocator, so `HarnessInfo.isJemallocAvailable` is false here.
enum WorkerAllocator {
    static let isJemalloc: Bool = {
        guard ProcessInfo.processInfo.environment["SLUICE_JEMALLOC"] != "0" else { return false }
        return HarnessInfo.jemallocLibraryPaths.contains { FileManager.default.fileExists(atPath: $0) }
    }()
}

/// The allocation lane, measured in a worker process as the runner does (jemalloc's thread cache off). This
/// test process does not link jemalloc: other tests allocate on other threads here, and installing the counting
/// hooks while threads come and go is what jemalloc 5.3.0 does not survive.
@Suite struct AllocationLaneTests {
    func allocations(_ parameters: [String: JSONParameter], name: String = "selftest/allocations", operations: Int = 50)
        async throws -> BenchmarkResult
    {
        let client = try WorkerClient(
            executable: AsyncAllocationLaneTests.executable, environment: ["MALLOC_CONF": "tcache:false"])
        defer { client.close() }
        let request = WorkerRequest(
            op: .run, id: "t", benchmark: name,
            parameters: name == "selftest/allocations" ? parameters.merging(["work": .int(10)]) { a, _ in a } : parameters,
            settings: RunSettings(maxWarmupSeconds: 0, minRounds: 1, maxRounds: 1, minRoundSeconds: 0, processes: 1),
            metrics: [.allocations, .allocatedBytes], lane: .allocation, innerIterations: operations,
            policy: MeasurementPolicy(allocationRounds: 3, allocationOperations: operations))
        let response = try await client.exchange(request)
        return try #require(response.result, "\(response.event): \(response.message ?? "")")
    }

    @Test(arguments: [0, 1, 7])
    func exactlyNAllocationsPerOperationAreReportedAsN(count: Int) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: AsyncAllocationLaneTests.executable.path))
        let result = try await allocations(["allocations": .int(count)])
        let calls = try #require(result.metric(.allocations))
        let bytes = try #require(result.metric(.allocatedBytes))
        guard WorkerAllocator.isJemalloc else {
            #expect(calls.unavailableReason != nil && calls.summary == nil, "without jemalloc: unavailable, not 0")
            #expect(bytes.unavailableReason != nil && bytes.summary == nil)
            return
        }
        #expect(calls.isExact)
        #expect(calls.roundValues == [Double](repeating: Double(count), count: 3), "method: \(calls.method ?? "?")")
        #expect(calls.summary?.p50 == Double(count))
        // 64-byte requests are 64-byte jemalloc size classes.
        #expect(bytes.roundValues == [Double](repeating: Double(count * 64), count: 3))
    }

    @Test func anExtraAllocationIsCountedExactly() async throws {
        try #require(WorkerAllocator.isJemalloc)
        let base = try await allocations(["allocations": .int(7)])
        let extra = try await allocations(["allocations": .int(7), "extraAllocations": .int(1)])
        let difference = try #require(extra.metric(.allocations)?.summary?.p50) - (base.metric(.allocations)?.summary?.p50 ?? 0)
        #expect(difference == 1)
    }

    @Test func foundationParsingAllocatesAndIsCountedPerOperation() async throws {
        try #require(WorkerAllocator.isJemalloc)
        let result = try await allocations([:], name: "micro/foundation/numbers", operations: 2)
        let values = try #require(result.metric(.allocations)?.roundValues)
        // Deterministic parsing: the same count in every round, and many allocations (one per number at least).
        #expect(values.count == 3 && Set(values).count == 1)
        #expect((values.first ?? 0) > 1_000, "\(values)")
    }
}

/// Asynchronous benchmarks run on a serial task executor in the allocation lane, so their counts are exact:
/// the same in every round and in every run, and one extra allocation per operation is visible (issue 12, §2).
/// Measured in a worker process, as the runner does: in this test process other tests allocate at the same time,
/// which the lane detects and reports as not exact.
@Suite struct AsyncAllocationLaneTests {
    /// The `sluice-bench` built beside this test binary.
    static var executable: URL {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("sluice-bench")
    }

    static func measure(_ name: String, _ parameters: [String: JSONParameter]) async throws -> MetricResult {
        let client = try WorkerClient(executable: executable, environment: ["MALLOC_CONF": "tcache:false"])
        defer { client.close() }
        let request = WorkerRequest(
            op: .run, id: "t", benchmark: name, parameters: parameters,
            settings: RunSettings(maxWarmupSeconds: 0, minRounds: 1, maxRounds: 1, minRoundSeconds: 0, processes: 1),
            metrics: [.allocations, .allocatedBytes], lane: .allocation, innerIterations: 4,
            policy: MeasurementPolicy(allocationRounds: 3, allocationOperations: 4))
        let response = try await client.exchange(request)
        let result = try #require(response.result, "\(response.event): \(response.message ?? "")")
        return try #require(result.metric(.allocations))
    }

    @Test(arguments: ["meso/segments/chain3/batch256", "micro/channel/sluice/batch256", "micro/channel/mpsc/batch256"])
    func asynchronousCountsAreExactAndRepeat(name: String) async throws {
        try #require(WorkerAllocator.isJemalloc, "allocation counts need jemalloc (ci/test installs it)")
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build sluice-bench first")
        let first = try await Self.measure(name, ["elements": .int(5_000)])
        let second = try await Self.measure(name, ["elements": .int(5_000)])
        #expect(first.isExact, "method: \(first.method ?? "?")")
        #expect(first.method?.contains("serial task executor") == true, "method: \(first.method ?? "?")")
        #expect(Set(first.roundValues).count == 1, "rounds differ: \(first.roundValues)")
        #expect(first.roundValues == second.roundValues, "runs differ: \(first.roundValues) vs \(second.roundValues)")
        #expect((first.roundValues.first ?? 0) > 0)
    }

    @Test func oneExtraAllocationPerTaskIsCountedExactlyInAsyncCode() async throws {
        try #require(WorkerAllocator.isJemalloc, "allocation counts need jemalloc (ci/test installs it)")
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build sluice-bench first")
        let base = try await Self.measure("selftest/async-allocations", ["allocations": .int(3), "tasks": .int(1)])
        let extra = try await Self.measure(
            "selftest/async-allocations", ["allocations": .int(3), "tasks": .int(1), "extraAllocations": .int(1)])
        #expect(base.isExact && extra.isExact, "\(base.method ?? "?")")
        let difference = (extra.roundValues.first ?? 0) - (base.roundValues.first ?? 0)
        #expect(difference == 1, "base \(base.roundValues), extra \(extra.roundValues)")
    }

    /// Work that leaves the executor (a detached task, a Dispatch queue) allocates on other threads: then the
    /// process-wide counts are reported, marked not exact. (Not run with real threads here: this test process
    /// keeps jemalloc's thread cache on, and installing the hooks while other threads allocate is not safe then;
    /// workers run with it off.)
    @Test func allocationsOffTheExecutorThreadFallBackToProcessWideCountsNotExact() {
        let exact = AllocationLane.choose(thread: ([5, 5], [320, 320]), global: ([5, 5], [300, 300]))
        #expect(exact.method == .serialExecutor && exact.method.isExact && exact.calls == [5, 5])
        #expect(exact.bytes == [320, 320], "bytes from thread.allocatedp (usable sizes)")
        let escaped = AllocationLane.choose(thread: ([5, 5], [320, 320]), global: ([5, 6], [300, 364]))
        #expect(escaped.method == .globalHooks && !escaped.method.isExact)
        #expect(escaped.calls == [5, 6] && escaped.bytes == [300, 364])
    }
}
