import Foundation
import SluiceBench
import SluiceTestKit
import Testing

@Suite struct ResultsFileTests {
    static func sample() -> ResultsFile {
        var histogram = LatencyRecorder()
        for value in [100, 200, 300, 400, 100_000] as [UInt64] { histogram.record(value) }
        var benchmark = BenchmarkResult(
            name: "selftest/spin", status: .passed, innerIterations: 4,
            metrics: [
                MetricResult(
                    metric: .wallTime, sampleCount: 5, summary: CompactHistogram(histogram.histogram).makeSummary(),
                    roundValues: [1.5, 2.25], histogram: CompactHistogram(histogram.histogram, valueDivisor: 4)),
                .unavailable(.allocations, reason: "no jemalloc"),
            ])
        benchmark.parameters = ["work": .int(10), "slowdown": .double(1.1)]
        benchmark.itemsPerOperation = 10
        return ResultsFile(
            runID: "20261129T080102Z-pr-3f2a", suite: "pr", startedAt: "2026-11-29T08:01:02Z", isPartial: false,
            environment: EnvironmentFingerprint.current(), harnessOverheadNanoseconds: 31.5,
            benchmarks: [benchmark, BenchmarkResult(name: "x", status: .failed, error: "boom", innerIterations: 0, metrics: [])])
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-results-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func roundTripsThroughAFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("nested/run.results.json")
        let original = Self.sample()
        try original.write(to: url)
        let loaded = try ResultsFile.load(from: url)
        #expect(try loaded.encoded() == original.encoded())
        #expect(loaded.benchmarks[0].metric(.wallTime)?.histogram?.valueDivisor == 4)
        // No temporary files are left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path) == ["run.results.json"])
    }

    @Test func truncatedFileIsAClearError() throws {
        let data = try Self.sample().encoded()
        for length in [0, 1, data.count / 3, data.count - 2] {
            #expect {
                _ = try ResultsFile.decode(data.prefix(length), file: "reports/r.results.json")
            } throws: { error in
                guard let error = error as? HarnessError else { return false }
                return error.code == .invalidResults && error.file == "reports/r.results.json"
            }
        }
    }

    @Test func wrongTypeNamesTheField() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Self.sample().encoded()) as? [String: Any])
        var benchmarks = try #require(object["benchmarks"] as? [[String: Any]])
        benchmarks[1]["innerIterations"] = "four"
        object["benchmarks"] = benchmarks
        #expect {
            _ = try ResultsFile.decode(try JSONSerialization.data(withJSONObject: object), file: "r.json")
        } throws: { error in
            (error as? HarnessError)?.description == #"r.json: benchmarks[1].innerIterations: expected an integer, found "four""#
        }
    }

    @Test func otherSchemaVersionIsRefused() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Self.sample().encoded()) as? [String: Any])
        object["schemaVersion"] = 99
        #expect {
            _ = try ResultsFile.decode(try JSONSerialization.data(withJSONObject: object), file: "r.json")
        } throws: { error in
            (error as? HarnessError)?.field == "schemaVersion"
        }
    }

    /// The one strict reader refuses fields the model does not read, at the top level and deep inside, naming
    /// the file and the field path (a newer writer must bump `schemaVersion` instead).
    @Test func unknownFieldsAreRefusedNamingFileAndField() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Self.sample().encoded()) as? [String: Any])
        object["addedLater"] = ["x": 1]
        let topLevel = try #require(throws: HarnessError.self) {
            try ResultsFile.decode(try JSONSerialization.data(withJSONObject: object), file: "r.json")
        }
        #expect(topLevel.code == .invalidResults && topLevel.file == "r.json" && topLevel.field == "addedLater")
        #expect(topLevel.message.hasPrefix("unknown field"))

        object["addedLater"] = nil
        var benchmarks = try #require(object["benchmarks"] as? [[String: Any]])
        var metrics = try #require(benchmarks[0]["metrics"] as? [[String: Any]])
        metrics[0]["p50Typo"] = 3
        benchmarks[0]["metrics"] = metrics
        object["benchmarks"] = benchmarks
        let url = try SyntheticResults.temporaryDirectory("strict").appendingPathComponent("x.results.json")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        let nested = try #require(throws: HarnessError.self) { try ResultsFile.load(from: url) }
        #expect(nested.file == url.path && nested.field == "benchmarks[0].metrics[0].p50Typo", "\(nested)")
        #expect(HarnessExitCode(error: nested) == .badInput)
    }

    @Test func missingFileIsAClearError() {
        #expect {
            _ = try ResultsFile.load(from: URL(fileURLWithPath: "/nonexistent/x.results.json"))
        } throws: { error in
            (error as? HarnessError)?.file == "/nonexistent/x.results.json"
        }
    }

    @Test func textTableNamesEveryBenchmarkAndMarksFailures() {
        let table = ResultsTableFormatter.format(Self.sample())
        #expect(table.contains("selftest/spin"))
        #expect(table.contains("FAILED"))
        #expect(table.contains("x: failed: boom"))
        #expect(!table.contains("\u{1B}"))
    }

    @Test func fingerprintDescribesThisMachine() {
        let fingerprint = EnvironmentFingerprint.current()
        #expect(fingerprint.toolchain.hasPrefix("Swift version 6."))
        #expect(fingerprint.coreCount >= 1)
        #expect(fingerprint.machineClass.contains("-\(fingerprint.coreCount)c-"))
        #expect(fingerprint.allocator == (HarnessInfo.isJemallocAvailable ? "jemalloc" : "system"))
        #expect(fingerprint.buildConfiguration == "debug" || fingerprint.buildConfiguration == "release")
    }
}
