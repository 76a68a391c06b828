import Foundation
import SluiceBench
import Testing

@Suite struct HistoryStoreTests {
    private func makeStore() throws -> HistoryStore {
        let directory = try SyntheticResults.temporaryDirectory("history")
        return HistoryStore(directory: directory, environment: SyntheticResults.fingerprint())
    }

    @Test func storeIsNamedByTheEnvironmentKey() throws {
        let store = try makeStore()
        #expect(store.fileURL.lastPathComponent == "x86_64-2c-24g-swift6.3.1-release-jemalloc.jsonl")
    }

    @Test func appendedSummariesRoundTrip() throws {
        let store = try makeStore()
        let results = SyntheticResults.results(benchmarks: [
            SyntheticResults.benchmark("micro/a", nanoseconds: 1000, seed: 1),
            BenchmarkResult(
                name: "micro/b", status: .passed, innerIterations: 1,
                metrics: [.unavailable(.allocations, reason: "jemalloc is not installed")]),
        ])
        let written = try store.append(results: results, commitDate: "2026-11-28T10:00:00Z")
        let loaded = try store.load()
        #expect(loaded == [written])
        let entry = try #require(loaded.first)
        #expect(entry.commit == results.environment.commit)
        #expect(entry.commitDate == "2026-11-28T10:00:00Z")
        #expect(entry.runDate == results.startedAt)
        #expect(entry.environment == results.environment)
        let wall = try #require(entry.benchmarks[0].metrics.first { $0.metric == "wall_time" })
        #expect(wall.p50 == results.benchmarks[0].metric(.wallTime)?.summary?.p50)
        #expect(wall.p99 == results.benchmarks[0].metric(.wallTime)?.summary?.p99)
        #expect(wall.unit == "ns" && wall.direction == .lowerIsBetter && wall.sampleCount == 40)
        // An unavailable metric is left out, never written as a zero.
        #expect(entry.benchmarks[1].metrics.isEmpty)
    }

    @Test func appendKeepsEveryEarlierByte() throws {
        let store = try makeStore()
        var previous = Data()
        for index in 0..<5 {
            let results = SyntheticResults.results(
                benchmarks: [SyntheticResults.benchmark("micro/a", nanoseconds: 1000, seed: UInt64(index))],
                runID: "run-\(index)")
            try store.append(results: results)
            let contents = try Data(contentsOf: store.fileURL)
            #expect(contents.starts(with: previous), "append \(index) rewrote earlier lines")
            #expect(contents.last == UInt8(ascii: "\n"))
            previous = contents
        }
        #expect(try store.load().map(\.runID) == (0..<5).map { "run-\($0)" })
    }

    /// One run appended twice (say `trend --append r.json` run again) is one line: a second line would count
    /// the run twice in its trend. The file is left exactly as it was.
    @Test func aRunAlreadyInTheStoreIsNotAppendedAgain() throws {
        let store = try makeStore()
        let results = SyntheticResults.results(
            benchmarks: [SyntheticResults.benchmark("micro/a", nanoseconds: 1000, seed: 1)], runID: "run-once")
        #expect(try store.append(HistoryEntry(results: results, commitDate: nil, runDate: nil)))
        let before = try Data(contentsOf: store.fileURL)
        #expect(try !store.append(HistoryEntry(results: results, commitDate: nil, runDate: nil)))
        #expect(try Data(contentsOf: store.fileURL) == before)
        #expect(try store.load().map(\.runID) == ["run-once"])
    }

    @Test func concurrentAppendsLoseNothing() async throws {
        let store = try makeStore()
        let results = SyntheticResults.results(benchmarks: [
            SyntheticResults.benchmark("micro/a", nanoseconds: 1000, seed: 3)
        ])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    var copy = results
                    copy.runID = "run-\(index)"
                    try store.append(results: copy)
                }
            }
            try await group.waitForAll()
        }
        let runIDs = Set(try store.load().map(\.runID))
        #expect(runIDs == Set((0..<16).map { "run-\($0)" }))
    }

    @Test func recordAppendsToTheEnvironmentsStore() throws {
        let directory = try SyntheticResults.temporaryDirectory("history-record")
        defer { try? FileManager.default.removeItem(at: directory) }
        let results = SyntheticResults.results(benchmarks: [
            SyntheticResults.benchmark("micro/a", nanoseconds: 1000, seed: 9)
        ])
        // Not a git repository: the commit date is unknown, and the entry is still written.
        let (entry, file, isNew) = try HistoryStore.record(results, in: directory, repository: directory)
        #expect(isNew)
        #expect(file.lastPathComponent == "\(results.environment.environmentKey).jsonl")
        #expect(entry.commitDate == nil)
        #expect(try HistoryStore(fileURL: file).load() == [entry])
    }

    @Test func missingFileIsAnEmptyHistory() throws {
        #expect(try makeStore().load().isEmpty)
    }

    enum Damage: String, CaseIterable, Sendable {
        case truncated, notJSON, missingField, tornLastLine

        func apply(_ line: String) -> String {
            switch self {
            case .truncated: String(line.prefix(line.count / 2)) + "\n"
            case .notJSON: "this is not json\n"
            case .missingField: line.replacingOccurrences(of: "\"runID\"", with: "\"runId\"")
            case .tornLastLine: String(line.dropLast())
            }
        }
    }

    @Test(arguments: Damage.allCases)
    func damagedLineNamesFileAndLine(damage: Damage) throws {
        let label = damage.rawValue
        let store = try makeStore()
        let results = SyntheticResults.results(benchmarks: [
            SyntheticResults.benchmark("micro/a", nanoseconds: 1000, seed: 5)
        ])
        try store.append(results: results)
        var second = results
        second.runID = results.runID + "-2"
        try store.append(results: second)
        let text = try String(contentsOf: store.fileURL, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let damaged = lines[0] + "\n" + damage.apply(lines[1] + "\n")
        try Data(damaged.utf8).write(to: store.fileURL)
        let error = try #require(throws: HarnessError.self, "\(label)") { try store.load() }
        #expect(error.code == .damagedLine, "\(label)")
        #expect(error.field == "line 2", "\(label)")
        #expect(error.description.hasPrefix("\(store.fileURL.path): line 2: "), "\(label): \(error)")
        // Appending to a damaged store fails the same way and leaves the file as it was.
        let appendError = try #require(throws: HarnessError.self) { try store.append(results: results) }
        #expect(appendError.field == "line 2")
        #expect(try String(contentsOf: store.fileURL, encoding: .utf8) == damaged)
    }

    @Test func unknownSchemaVersionIsRefusedWithItsLine() throws {
        let store = try makeStore()
        try store.append(results: SyntheticResults.results(benchmarks: []))
        var text = try String(contentsOf: store.fileURL, encoding: .utf8)
        text += text.replacingOccurrences(of: "\"schemaVersion\":1", with: "\"schemaVersion\":99")
        try Data(text.utf8).write(to: store.fileURL)
        let error = try #require(throws: HarnessError.self) { try store.load() }
        #expect(error.code == .unsupportedSchemaVersion)
        #expect(error.field == "line 2")
        #expect(error.message.contains("99"))
    }

    /// A history line goes through the one strict reader: an unknown field or a wrong type is a damaged line
    /// whose error names the file, the line and the field path inside it.
    @Test(arguments: [
        (#""runID":"#, #""runIDx":"r","runID":"#, "runIDx: unknown field"),
        (#""commit":"#, #""commit":7,"ignored":"#, "commit: expected a string, found 7"),
    ])
    func aLineWithAnUnknownFieldOrWrongTypeNamesTheField(original: String, damaged: String, detail: String) throws {
        let store = try makeStore()
        defer { try? FileManager.default.removeItem(at: store.fileURL.deletingLastPathComponent()) }
        try store.append(results: SyntheticResults.results(benchmarks: [
            SyntheticResults.benchmark("micro/a", nanoseconds: 1000, seed: 5)
        ]))
        let text = try String(contentsOf: store.fileURL, encoding: .utf8)
        #expect(text.contains(original))
        try Data(text.replacingOccurrences(of: original, with: damaged).utf8).write(to: store.fileURL)
        let error = try #require(throws: HarnessError.self) { try store.load() }
        #expect(error.code == .damagedLine)
        #expect(error.file == store.fileURL.path && error.field == "line 1", "\(error)")
        #expect(error.message.contains(detail), "\(error)")
        #expect(HarnessExitCode(error: error) == .badInput)
    }
}
