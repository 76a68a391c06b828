import Foundation
@testable import SluiceBench
import Testing

@Suite struct ShardMergerTests {
    private let names = [
        "micro/tokenize/twitter", "micro/tokenize/canada", "micro/parse/citm", "meso/pipeline/fused",
        "meso/pipeline/unfused", "macro/replay", "micro/alloc/none",
    ]

    private func wholeRun() -> ResultsFile {
        SyntheticResults.results(
            benchmarks: names.sorted().enumerated().map { offset, name in
                SyntheticResults.benchmark(name, nanoseconds: Double(1000 * (offset + 1)), seed: UInt64(offset))
            })
    }

    /// Splits like `run --shard K/N`: sorted names, round-robin.
    private func shard(_ whole: ResultsFile, _ index: Int, of count: Int) -> ResultsFile {
        var part = whole
        part.benchmarks = whole.benchmarks.sorted { $0.name < $1.name }.enumerated()
            .filter { $0.offset % count == index - 1 }.map(\.element)
        part.shard = "\(index)/\(count)"
        part.isPartial = true
        part.runID = "run-shard-\(index)"
        part.startedAt = "2026-11-29T08:0\(index):00Z"
        return part
    }

    private func encoded(_ benchmarks: [BenchmarkResult]) throws -> [String: Data] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try Dictionary(uniqueKeysWithValues: benchmarks.map { ($0.name, try encoder.encode($0)) })
    }

    @Test(arguments: [1, 2, 3, 7, 9])
    func mergingAllShardsEqualsTheWholeRun(count: Int) throws {
        let whole = wholeRun()
        let inputs = (1...count).reversed().map {
            ShardMerger.Input(results: shard(whole, $0, of: count), source: "shard-\($0).json")
        }
        let merged = try ShardMerger.merge(inputs)
        #expect(merged.isPartial == false)
        #expect(merged.shard == nil)
        #expect(merged.suite == whole.suite)
        #expect(merged.environment == whole.environment)
        #expect(merged.benchmarks.map(\.name) == names.sorted())
        #expect(try encoded(merged.benchmarks) == encoded(whole.benchmarks))
        #expect(merged.runID == "run-shard-1-merged")
        #expect(merged.startedAt == "2026-11-29T08:01:00Z")
    }

    @Test func missingShardsLeaveThePartialMarked() throws {
        let whole = wholeRun()
        let merged = try ShardMerger.merge([
            .init(results: shard(whole, 1, of: 4), source: "a"), .init(results: shard(whole, 3, of: 4), source: "b"),
        ])
        #expect(merged.isPartial)
        #expect(merged.shard == "1,3/4")
    }

    /// A shard whose run was interrupted lacks benchmarks, so with every shard present the merge stays partial
    /// (before, it came out complete, passed `check` and could become a baseline); and one run given twice is an
    /// error, not a repeated run whose rounds would count twice.
    @Test func anInterruptedShardKeepsTheMergePartialAndARunGivenTwiceIsRefused() throws {
        let whole = wholeRun()
        var interrupted = shard(whole, 1, of: 2)
        let last = interrupted.benchmarks.count - 1
        interrupted.benchmarks[last] = SuiteRunner.skipped(interrupted.benchmarks[last].name,
                                                           reason: SuiteRunner.interruptedWhile)
        let merged = try ShardMerger.merge([
            .init(results: interrupted, source: "1"), .init(results: shard(whole, 2, of: 2), source: "2"),
        ])
        #expect(merged.isPartial && merged.shard == "1,2/2")
        // Shards of a filtered run hold only the filtered benchmarks: their merge is partial, and says the filter.
        var filtered = shard(whole, 2, of: 2)
        filtered.filter = "^micro/"
        let filteredMerge = try ShardMerger.merge([
            .init(results: shard(whole, 1, of: 2), source: "1"), .init(results: filtered, source: "2"),
        ])
        #expect(filteredMerge.isPartial && filteredMerge.filter == "^micro/")
        let error = #expect(throws: HarnessError.self) {
            try ShardMerger.merge([
                .init(results: shard(whole, 1, of: 2), source: "a.json"), .init(results: shard(whole, 1, of: 2), source: "b.json"),
                .init(results: shard(whole, 2, of: 2), source: "c.json"),
            ])
        }
        #expect(error?.message.contains("run run-shard-1 is given twice") == true, "\(String(describing: error))")
        #expect(throws: HarnessError.self) { try ResultsMerger.merge([whole, whole]) }
    }

    @Test func repeatedRunsOfAShardMergeHistogramsBucketWise() throws {
        let whole = wholeRun()
        var again = shard(whole, 1, of: 2)
        again.runID = "run-shard-1-again"
        again.benchmarks = again.benchmarks.map { benchmark in
            SyntheticResults.benchmark(benchmark.name, nanoseconds: 5000, seed: 99)
        }
        let first = shard(whole, 1, of: 2)
        let merged = try ShardMerger.merge([
            .init(results: first, source: "1a"), .init(results: again, source: "1b"),
            .init(results: shard(whole, 2, of: 2), source: "2"),
        ])
        #expect(!merged.isPartial)
        let name = first.benchmarks[0].name
        let combined = try #require(merged.benchmarks.first { $0.name == name }?.metric(.wallTime))
        let left = try #require(first.benchmarks[0].metric(.wallTime))
        let right = try #require(again.benchmarks[0].metric(.wallTime))
        #expect(combined.sampleCount == left.sampleCount + right.sampleCount)
        #expect(combined.roundValues == left.roundValues + right.roundValues)
        let histogram = try #require(combined.histogram)
        #expect(histogram.counts.reduce(0, +) == UInt64(left.sampleCount + right.sampleCount))
        for (value, count) in zip(left.histogram!.values, left.histogram!.counts) {
            let index = try #require(histogram.values.firstIndex(of: value))
            #expect(histogram.counts[index] >= count)
        }
    }

    @Test func duplicateBenchmarkAcrossShardsIsAnError() throws {
        let whole = wholeRun()
        var second = shard(whole, 2, of: 2)
        second.benchmarks.append(shard(whole, 1, of: 2).benchmarks[0])
        let error = try #require(throws: HarnessError.self) {
            try ShardMerger.merge([
                .init(results: shard(whole, 1, of: 2), source: "one.json"), .init(results: second, source: "two.json"),
            ])
        }
        #expect(error.code == .duplicateBenchmark)
        #expect(error.file == "one.json, two.json")
        #expect(error.message.contains(whole.benchmarks.sorted { $0.name < $1.name }[0].name))
    }

    @Test func differingFingerprintsAreRefusedByField() throws {
        let whole = wholeRun()
        var second = shard(whole, 2, of: 2)
        second.environment.kernel = "6.9.0-other"
        let error = try #require(throws: HarnessError.self) {
            try ShardMerger.merge([.init(results: shard(whole, 1, of: 2), source: "a"), .init(results: second, source: "b")])
        }
        #expect(error.code == .environmentMismatch)
        #expect(error.message.contains("kernel: 6.1.0-test ≠ 6.9.0-other"))
    }

    @Test func otherBadInputs() throws {
        let whole = wholeRun()
        #expect(throws: HarnessError.self) { try ShardMerger.merge([]) }
        let notShard = try #require(throws: HarnessError.self) {
            try ShardMerger.merge([.init(results: whole, source: "whole.json")])
        }
        #expect(notShard.code == .notAShard)
        var bad = shard(whole, 1, of: 2)
        bad.shard = "3/2"
        #expect(throws: HarnessError.self) { try ShardMerger.merge([.init(results: bad, source: "bad")]) }
        let mixed = try #require(throws: HarnessError.self) {
            try ShardMerger.merge([
                .init(results: shard(whole, 1, of: 2), source: "a"), .init(results: shard(whole, 2, of: 3), source: "b"),
            ])
        }
        #expect(mixed.code == .shardCountMismatch)
        var otherSuite = shard(whole, 2, of: 2)
        otherSuite.suite = "pr"
        let suite = try #require(throws: HarnessError.self) {
            try ShardMerger.merge([.init(results: shard(whole, 1, of: 2), source: "a"), .init(results: otherSuite, source: "b")])
        }
        #expect(suite.code == .suiteMismatch)
    }
}
