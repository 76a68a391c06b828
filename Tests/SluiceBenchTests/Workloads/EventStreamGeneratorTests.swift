import Foundation
import SluiceTestKit
import Testing

@testable import SluiceBench

@Suite struct EventStreamGeneratorTests {
    static let seeds: [UInt64] = [1, 42, 0xDEAD_BEEF]

    @Test(arguments: seeds)
    func sameSeedGivesSameBytes(seed: UInt64) {
        let first = EventStreamGenerator(seed: seed).generateInMemory(targetBytes: 200_000)
        let second = EventStreamGenerator(seed: seed).generateInMemory(targetBytes: 200_000)
        #expect(first.bytes == second.bytes, "seed \(seed)")
        #expect(first.expectation == second.expectation, "seed \(seed)")
        let other = EventStreamGenerator(seed: seed &+ 1).generateInMemory(targetBytes: 200_000)
        #expect(other.bytes != first.bytes, "seed \(seed) and \(seed &+ 1) gave the same stream")
    }

    @Test(arguments: seeds)
    func blockSizeDoesNotChangeTheStream(seed: UInt64) {
        let whole = EventStreamGenerator(seed: seed).generateInMemory(targetBytes: 100_000)
        var blocks: [UInt8] = []
        var blockCount = 0
        let expectation = EventStreamGenerator(seed: seed, blockSize: 1_000).generate(targetBytes: 100_000) {
            blocks.append(contentsOf: $0)
            blockCount += 1
        }
        #expect(blocks == whole.bytes, "seed \(seed)")
        #expect(expectation == whole.expectation, "seed \(seed)")
        #expect(blockCount > 50, "seed \(seed): generation was not streamed block by block")
    }

    /// The expectation matches what an independent parser (Foundation) finds in the bytes.
    @Test(arguments: seeds)
    func expectationMatchesTheBytes(seed: UInt64) throws {
        let (bytes, expectation) = EventStreamGenerator(seed: seed, keyCount: 50).generateInMemory(targetBytes: 150_000)
        #expect(bytes.count >= 150_000 && bytes.count < 151_000, "seed \(seed): \(bytes.count) bytes")
        #expect(expectation.byteCount == bytes.count)
        var aggregates: [String: KeyTotals] = [:]
        var lines = 0
        var kept = 0
        for line in Data(bytes).split(separator: UInt8(ascii: "\n")) {
            lines += 1
            let event = try #require(try JSONSerialization.jsonObject(with: line) as? [String: Any], "seed \(seed)")
            let payload = try #require(event["payload"] as? [String: Any])
            let type = try #require(event["type"] as? String)
            let value = try #require(payload["value"] as? Int)
            guard type != "heartbeat" else { continue }
            kept += 1
            aggregates[try #require(event["key"] as? String), default: KeyTotals()].add(
                Int64(value) * EventStreamGenerator.weight(ofType: type))
        }
        #expect(lines == expectation.eventCount, "seed \(seed)")
        #expect(kept == expectation.keptCount, "seed \(seed)")
        #expect(aggregates == expectation.aggregates, "seed \(seed)")
        #expect(aggregates.count > 10 && kept < lines, "seed \(seed): keys or heartbeats missing")
    }

    @Test func fileBackedStreamHoldsTheSameBytes() throws {
        let memory = try GeneratedEventStream(megabytes: 0.2, seed: 7)
        let file = try GeneratedEventStream(megabytes: 0.2, seed: 7, forceFile: true)
        guard case .memory(let bytes) = memory.storage, case .file(let url) = file.storage else {
            Issue.record("unexpected storage")
            return
        }
        #expect(try Data(contentsOf: url) == Data(bytes))
        #expect(memory.expectation == file.expectation)
        var source = file.makeSource(chunkSize: 4_096)
        var chunks: [ArraySlice<UInt8>] = []
        while try source.read(into: &chunks, maxCount: 8) {}
        #expect(chunks.flatMap { $0 } == bytes)
    }
}
