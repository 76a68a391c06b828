import Foundation
import SluiceBench
import SluiceTestKit
import Testing

@Suite struct BaselineStoreTests {
    typealias F = GateFixtures

    static func sample(runID: String = "run-1", partial: Bool = false) -> ResultsFile {
        F.results(runID: runID, isPartial: partial, [
            F.benchmark("micro/a", [F.timing(.wallTime, [100, 101, 99]), F.exact(.allocations, 7)]),
        ])
    }

    @Test func updateWritesUnderTheEnvironmentKeyAndLoadsBack() throws {
        let root = try F.temporaryDirectory()
        let store = BaselineStore(root: root)
        let written = try store.update(suite: "pr", with: [Self.sample()])
        let key = F.environment().environmentKey
        #expect(written.path == root.appendingPathComponent("\(key)/pr.json").path)
        let loaded = try store.load(environmentKey: key, suite: "pr")
        #expect(loaded.runID == "run-1" && loaded.benchmarks.first?.metrics.count == 2)
        #expect(store.availableEnvironments(suite: "pr") == [key])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: written.deletingLastPathComponent().path)
        #expect(leftovers == ["pr.json"])
    }

    @Test func anotherHostsBaselineOfTheSameLanesIsUsedForTheCounts() throws {
        let root = try F.temporaryDirectory()
        let store = BaselineStore(root: root)
        _ = try store.update(suite: "pr", with: [Self.sample()])  // x86_64-2c-8g-swift6.3.1-release-jemalloc
        let loaded = try store.load(environmentKey: "x86_64-16c-64g-swift6.3.1-release-jemalloc", suite: "pr")
        #expect(loaded.runID == "run-1")
        #expect(throws: GateError.self, "another architecture") {
            try store.load(environmentKey: "aarch64-2c-8g-swift6.3.1-release-jemalloc", suite: "pr")
        }
        #expect(throws: GateError.self, "another allocator") {
            try store.load(environmentKey: "x86_64-16c-64g-swift6.3.1-release-system", suite: "pr")
        }
    }

    @Test func missingBaselineHasItsOwnCodeAndSaysHowToRecordOne() throws {
        let store = BaselineStore(root: try F.temporaryDirectory())
        #expect {
            try store.load(environmentKey: "x86_64-2c-8g-swift6.3.1-release-jemalloc", suite: "pr")
        } throws: { error in
            let error = error as? HarnessError
            return error?.code == .missingBaseline && error?.exitCode == .missingBaseline
                && error?.message.contains("sluice-bench baseline update --suite pr") == true
        }
    }

    @Test func mergingSeveralRunsConcatenatesTheirRounds() throws {
        let store = BaselineStore(root: try F.temporaryDirectory())
        let url = try store.update(suite: "pr", with: [Self.sample(runID: "r1"), Self.sample(runID: "r2")])
        let merged = try BaselineStore.loadBaseline(at: url)
        #expect(merged.runID == "r1+r2")
        #expect(merged.benchmarks.first?.metric(.wallTime)?.roundValues == [100, 101, 99, 100, 101, 99])
        #expect(merged.benchmarks.first?.metric(.wallTime)?.sampleCount == 60)
    }

    @Test func refusalsLeaveTheExistingBaselineUntouched() throws {
        let store = BaselineStore(root: try F.temporaryDirectory())
        let url = try store.update(suite: "pr", with: [Self.sample(runID: "good")])
        let before = try Data(contentsOf: url)
        let failing = F.results(runID: "bad", [F.benchmark("micro/a", status: .failed, error: "boom", [])])
        let otherEnvironment = F.results(runID: "other", environment: F.environment(allocator: "system"), [])
        for attempt in [[Self.sample(runID: "partial", partial: true)], [failing], [Self.sample(), otherEnvironment]] {
            #expect(throws: HarnessError.self) { try store.update(suite: "pr", with: attempt) }
        }
        #expect(throws: HarnessError.self) { try store.update(suite: "nightly", with: [Self.sample()]) }
        #expect(try Data(contentsOf: url) == before)
    }

    @Test func histogramsMergeWithTheirDivisor() throws {
        let part = CompactHistogram(significantDigits: 3, highestTrackableValue: 1_000_000, values: [1000, 2000],
                                    counts: [1, 1], valueDivisor: 10)
        let merged = try #require(ResultsMergerProbe.merge([part, part]))
        #expect(merged.counts == [2, 2])
        let summary = try #require(merged.summary)
        #expect(summary.min == 100 && summary.max == 200 && summary.p50 == 100)
    }
}

/// Reaches the histogram merge through the public merge of two results files.
enum ResultsMergerProbe {
    static func merge(_ histograms: [CompactHistogram]) -> (counts: [UInt64], summary: MetricSummary?)? {
        let files = histograms.enumerated().map { index, histogram in
            GateFixtures.results(runID: "r\(index)", [
                GateFixtures.benchmark("micro/a", [MetricResult(
                    metric: .latency, sampleCount: 2, summary: nil, roundValues: [1], histogram: histogram)]),
            ])
        }
        guard let merged = try? ResultsMerger.merge(files),
            let metric = merged.benchmarks.first?.metric(.latency), let histogram = metric.histogram
        else { return nil }
        return (histogram.counts, metric.summary)
    }
}

@Suite struct JSONFileReaderTests {
    typealias F = GateFixtures

    static func write(_ text: String) throws -> URL {
        let url = try F.temporaryDirectory().appendingPathComponent("file.json")
        try Data(text.utf8).write(to: url)
        return url
    }

    static func readError(_ text: String) throws -> HarnessError? {
        let url = try write(text)
        do {
            _ = try JSONFileReader.read(ResultsFile.self, from: url, kind: "results file", schemaVersion: 1)
            return nil
        } catch {
            return error
        }
    }

    @Test func truncatedFileIsBadInput() throws {
        let data = try ResultsMerger.encode(BaselineStoreTests.sample())
        let truncated = String(decoding: data.prefix(data.count / 2), as: UTF8.self)
        let error = try #require(try Self.readError(truncated))
        #expect(error.code == .badInput && error.message.contains("not valid JSON"))
        #expect(error.file?.hasSuffix("file.json") == true)
    }

    @Test func emptyFileIsBadInput() throws {
        let error = try #require(try Self.readError(""))
        #expect(error.code == .badInput && error.message.contains("empty"))
    }

    @Test func wrongSchemaVersionIsBadInputNamingTheField() throws {
        let error = try #require(try Self.readError(#"{"schemaVersion": 99}"#))
        #expect(error.code == .badInput && error.field == "schemaVersion" && error.message.contains("99"))
    }

    @Test func wrongTypeNamesTheField() throws {
        var json = String(decoding: try ResultsMerger.encode(BaselineStoreTests.sample()), as: UTF8.self)
        json = json.replacingOccurrences(of: #""isPartial" : false"#, with: #""isPartial" : "no""#)
        let error = try #require(try Self.readError(json))
        #expect(error.code == .badInput && error.field == "isPartial")
    }

    @Test func missingFileUsesTheGivenCode() throws {
        let url = try F.temporaryDirectory().appendingPathComponent("absent.json")
        #expect {
            try JSONFileReader.read(ResultsFile.self, from: url, kind: "baseline", schemaVersion: 1,
                                    missingCode: .missingBaseline)
        } throws: { ($0 as? HarnessError)?.code == .missingBaseline }
    }
}

@Suite struct AtomicFileWriterTests {
    @Test func concurrentWritersNeverLeaveATornFile() async throws {
        let url = try GateFixtures.temporaryDirectory().appendingPathComponent("report.json")
        let contents = (0..<4).map { writer in Data(String(repeating: "\(writer)", count: 200_000).utf8) }
        await withTaskGroup(of: Void.self) { group in
            for data in contents {
                group.addTask {
                    for _ in 0..<20 { try? AtomicFileWriter.write(data, to: url) }
                }
            }
            // Read while the writers run: every read must see one writer's whole content.
            group.addTask {
                for _ in 0..<200 {
                    if let read = try? Data(contentsOf: url) {
                        #expect(contents.contains(read), "torn read of \(read.count) bytes")
                    }
                }
            }
        }
        #expect(contents.contains(try Data(contentsOf: url)))
        let names = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        #expect(names == ["report.json"], "temporary files left: \(names)")
    }

    @Test func failedWriteLeavesTheTargetUntouched() throws {
        let directory = try GateFixtures.temporaryDirectory()
        let url = directory.appendingPathComponent("keep.json")
        try AtomicFileWriter.write(Data("old".utf8), to: url)
        // A folder in the way of the target makes the rename fail.
        let blocked = directory.appendingPathComponent("blocked")
        try FileManager.default.createDirectory(
            at: blocked.appendingPathComponent("inner"), withIntermediateDirectories: true)
        #expect(throws: HarnessError.self) { try AtomicFileWriter.write(Data("new".utf8), to: blocked) }
        #expect(try Data(contentsOf: url) == Data("old".utf8))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["blocked", "keep.json"])
    }

}

extension BaselineStoreTests {
    /// A baseline goes through the one strict reader: an unknown field or a value of the wrong type names the
    /// baseline file and the field, and is bad input (exit 6).
    @Test(arguments: [
        (#""isPartial" : false"#, #""isPartial" : false, "isPartiall" : false"#, "isPartiall", "unknown field"),
        (#""isPartial" : false"#, #""isPartial" : "no""#, "isPartial", "expected a boolean"),
        (#""runID" : "run-1""#, #""runID" : 12"#, "runID", "expected a string"),
    ])
    func aDamagedBaselineNamesFileAndField(original: String, damaged: String, field: String, message: String) throws {
        let root = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = BaselineStore(root: root)
        let written = try store.update(suite: "pr", with: [Self.sample()])
        let text = try String(contentsOf: written, encoding: .utf8)
        #expect(text.contains(original))
        try Data(text.replacingOccurrences(of: original, with: damaged).utf8).write(to: written)
        let error = try #require(throws: HarnessError.self) {
            try store.load(environmentKey: F.environment().environmentKey, suite: "pr")
        }
        #expect(error.file == written.path && error.field == field, "\(error)")
        #expect(error.message.hasPrefix(message), "\(error)")
        #expect(HarnessExitCode(error: error) == .badInput)
    }

    /// The committed baselines are read by the same strict reader as every other results file.
    @Test func everyCommittedBaselineLoadsStrictly() throws {
        let root = SharedFixtures.packageRoot.appendingPathComponent("baselines")
        let keys = try FileManager.default.contentsOfDirectory(atPath: root.path)
        var loaded = 0
        for key in keys {
            let folder = root.appendingPathComponent(key)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasSuffix(".json") {
                _ = try BaselineStore.loadBaseline(at: folder.appendingPathComponent(name))
                loaded += 1
            }
        }
        #expect(loaded > 0)
    }
}
