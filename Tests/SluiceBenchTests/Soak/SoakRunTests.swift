import SluiceBench
import SluiceTestKit
import Testing

@Suite struct SoakRunTests {
    /// A workload that processes 100 items per batch and can be told to fail its check.
    struct Steady: SoakWorkload {
        var batches = 0
        var failAt: Int?
        var channelDepth: Int? { 3 }
        mutating func runBatch() throws -> Int {
            batches += 1
            if batches == failAt { throw SoakWorkloadError(message: "wrong output at batch \(batches)") }
            return 100
        }
    }

    /// Memory readings that only the deliberate leak moves (process-wide readings move with parallel tests).
    final class LeakMeter: @unchecked Sendable {  // confined to the test's single thread
        var base = 100_000_000.0
    }

    static func run(leakBytesPerSecond: Double, failAt: Int? = nil) -> SoakRun.Report {
        let clock = ManualClock()
        let meter = LeakMeter()
        let configuration = SoakRun.Configuration(
            durationSeconds: 60, snapshotIntervalSeconds: 1,
            limits: .init(maxMemoryGrowthBytesPerSecond: 16 * 1024, warmupSeconds: 5),
            leakBytesPerSecond: leakBytesPerSecond)
        var generator = SeededRandomNumberGenerator(seed: 21)
        let run = SoakRun(
            configuration: configuration, clock: clock,
            memory: MemoryProbe { .init(rssBytes: nil, allocatedBytes: meter.base, activeBytes: nil) },
            step: {
                clock.advance(by: 10_000_000)  // 10 ms a batch
                meter.base += Double.random(in: -20_000...20_000, using: &generator)  // allocator noise
                meter.base += leakBytesPerSecond / 100
            })
        var workload = Steady(failAt: failAt)
        return run.run(&workload)
    }

    @Test func aLeakOfKBytesPerSecondIsCaught() {
        let report = Self.run(leakBytesPerSecond: 64 * 1024)
        #expect(report.verdict.memory == .leak, "seed 21: \(String(describing: report.verdict.memorySlope))")
        #expect(!report.verdict.isPassing)
        #expect(report.leakedBytes >= 60 * 64 * 1024 - 64 * 1024)
    }

    @Test func theSameRunWithoutTheLeakPasses() {
        let report = Self.run(leakBytesPerSecond: 0)
        #expect(report.verdict.memory == .stable, "seed 21: \(String(describing: report.verdict.memorySlope))")
        #expect(report.verdict.isPassing)
        #expect(report.leakedBytes == 0)
    }

    @Test func snapshotsCarryThroughputAndDepth() throws {
        let report = Self.run(leakBytesPerSecond: 0)
        #expect(report.snapshots.count == 59 || report.snapshots.count == 60)
        let first = try #require(report.snapshots.first)
        #expect(abs(first.throughputPerSecond - 10_000) < 1)  // 100 items per 10 ms
        #expect(first.channelDepth == 3)
        #expect(first.p99Nanoseconds == 10_000_000 || (first.p99Nanoseconds ?? 0) > 9_900_000)
        #expect(report.itemsProcessed == 600_000)
    }

    @Test func aFailedOutputCheckEndsTheRunAsAFailure() {
        let report = Self.run(leakBytesPerSecond: 0, failAt: 50)
        #expect(report.failure == "wrong output at batch 50")
        #expect(report.itemsProcessed == 4_900)
    }

    @Test func theRealTokenStreamWorkloadChecksItsOutput() throws {
        var workload = try TokenStreamSoakWorkload(events: 200, seed: 5)
        #expect(try workload.runBatch() == 200)
        #expect(try workload.runBatch() == 200)
    }
}
