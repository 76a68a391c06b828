import Foundation
import SluiceBench
import SluiceTestKit
import Testing

@Suite struct CallgrindCaptureTests {
    static let instructionsOnly = """
        version: 1
        creator: callgrind-3.19.0
        desc: Trigger: Client Request: sluice-bench region
        events: Ir
        summary: 600020
        totals: 600020
        """

    static let withCacheSimulation = """
        events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
        summary: 1000 400 200 3 5 7 1 2 4
        totals: 1000 400 200 3 5 7 1 2 4
        """

    @Test func readsInstructionsFromTheTotalsLine() throws {
        let counts = try CallgrindCapture.parse(Self.instructionsOnly, file: "callgrind.out.1")
        #expect(counts.instructions == 600_020)
        #expect(counts.estimatedCycles == nil, "no cache simulation, no cycle estimate (never 0)")
    }

    @Test func estimatesCyclesFromTheCacheSimulation() throws {
        let counts = try CallgrindCapture.parse(Self.withCacheSimulation, file: nil)
        #expect(counts.instructions == 1_000)
        // Ir + 10 × (3 + 5 + 7) + 100 × (1 + 2 + 4)
        #expect(counts.estimatedCycles == 1_000 + 150 + 700)
    }

    @Test func aDumpWithoutTotalsNamesTheFileAndField() {
        do {
            _ = try CallgrindCapture.parse("events: Ir\n", file: "callgrind.out.3")
            Issue.record("expected an error")
        } catch let error as HarnessError {
            #expect(error.file == "callgrind.out.3" && error.field == "totals")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func outsideCallgrindTheLaneSaysWhy() {
        // Tests never run under valgrind: the reason is the header (no valgrind at build time) or the process.
        let reason = CallgrindCapture.unavailableReason
        #expect(reason?.contains("valgrind") == true, "\(reason ?? "nil")")
    }

    @Test func theInstructionPassReportsUnavailableOutsideCallgrind() async throws {
        let benchmark = try #require(BenchmarkRegistry.standard.benchmark(named: "selftest/spin"))
        let run = BenchmarkMeasurement(
            benchmark: benchmark, parameters: BenchmarkParameters(["work": .int(10)]), settings: RunSettings(),
            metrics: [.instructions, .estimatedCycles], clock: ManualClock(), overhead: .zero)
        _ = try await run.prepare(innerIterations: 1, warmsUp: false)
        try await run.measureInstructions()
        let result = run.makeResult()
        for metric in [BenchmarkMetric.instructions, .estimatedCycles] {
            let value = try #require(result.metric(metric))
            #expect(value.unavailableReason != nil && value.summary == nil, "unavailable, never 0")
        }
    }

    /// jemalloc's timed purging made instruction counts depend on the clock; counted workers turn it off, after the
    /// caller's own options (jemalloc lets a later option win).
    @Test func countedWorkersTurnJemallocsTimedPurgingOff() {
        #expect(CallgrindLauncher.mallocConfiguration(inherited: nil) == "dirty_decay_ms:-1,muzzy_decay_ms:-1")
        #expect(CallgrindLauncher.mallocConfiguration(inherited: "") == "dirty_decay_ms:-1,muzzy_decay_ms:-1")
        #expect(
            CallgrindLauncher.mallocConfiguration(inherited: "narenas:1,dirty_decay_ms:5000")
                == "narenas:1,dirty_decay_ms:5000,dirty_decay_ms:-1,muzzy_decay_ms:-1")
    }

    @Test func withoutValgrindTheLauncherSaysHowToInstallIt() {
        #expect(throws: HarnessError.self) {
            _ = try CallgrindLauncher(
                executable: URL(fileURLWithPath: "/proc/self/exe"), cacheSimulation: false, searchPath: "/nonexistent")
        }
    }
}

@Suite struct WorkerEnvironmentTests {
    @Test(arguments: [0, 100, 2_000])
    func theEnvironmentHasTheSameSizeWhateverTheCallerHas(extraBytes: Int) {
        let inherited = ["SLUICE_SHARED_DIR": "/work/" + String(repeating: "s", count: extraBytes),
                         "UNRELATED": String(repeating: "u", count: 5_000)]
        let environment = WorkerEnvironment.make(extra: ["A": "1"], inherited: inherited)
        #expect(WorkerEnvironment.byteCount(environment) == WorkerEnvironment.targetBytes)
        #expect(environment["UNRELATED"] == nil, "the caller's other variables are not passed on")
        #expect(environment["SLUICE_SHARED_DIR"] == inherited["SLUICE_SHARED_DIR"])
        #expect(environment["SWIFT_DETERMINISTIC_HASHING"] == "1" && environment["A"] == "1")
    }
}
