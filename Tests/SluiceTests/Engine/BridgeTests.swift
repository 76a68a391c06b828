import Sluice
import Testing

@Suite struct BridgeTests {
    @Test func syncSegmentFeedsConcurrentSegmentThroughABoundedChannel() async throws {
        let bridge = Bridge<Int>(capacity: 8)
        let output = OutputCollector<Int>()
        let upstream = Pipeline.source(0..<1_000).map("double") { $0 * 2 }.sink("bridge", bridge.sink)
        let downstream = Pipeline.source("bridge", bridge.source).filter("byFour") { $0 % 4 == 0 }.sink(output)
        let (up, down) = try await withThrowingTaskGroup(of: PipelineStatistics.self) { group in
            group.addTask { try await SyncEngine(batchSize: 5).runAsync(upstream) }
            group.addTask { try await ConcurrentEngine(batchSize: 4, channelCapacity: 8).run(downstream) }
            var results: [PipelineStatistics] = []
            for try await statistics in group { results.append(statistics) }
            return (results.first { $0.engine == "sync" }, results.first { $0.engine == "concurrent" })
        }
        #expect(output.elements == stride(from: 0, to: 2_000, by: 4).map { $0 })
        #expect(up?.sinkCount == 1_000)
        #expect(down?.sourceCount == 1_000)
        let channel = bridge.channel.statistics()
        #expect(channel.maxDepth <= 8)
        #expect(channel.sentCount == 1_000)
    }

    @Test func concurrentSegmentFeedsSyncSegment() async throws {
        let bridge = Bridge<String>(capacity: 16)
        let output = OutputCollector<Int>()
        let upstream = Pipeline.source(1...300).map { "\($0)" }.sink(bridge.sink)
        let downstream = Pipeline.source(bridge.source).map { $0.count }.reduce(initial: 0) { $0 += $1 }.sink(output)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await ConcurrentEngine(batchSize: 7, channelCapacity: 14).run(upstream) }
            group.addTask { _ = try await SyncEngine().runAsync(downstream) }
            try await group.waitForAll()
        }
        #expect(output.elements == [9 + 180 + 603])  // digits of 1...300
    }

    @Test func upstreamFailureEndsTheDownstreamPart() async throws {
        struct SourceFailure: Error {}
        let bridge = Bridge<Int>(capacity: 4)
        let upstream = Pipeline.source("failing", GeneratorSource(state: 0) { count, buffer, _ in
            count += 1
            if count > 3 { throw SourceFailure() }
            buffer.append(count)
            return true
        }).sink(bridge.sink)
        let downstream = Pipeline.source(bridge.source).sink(OutputCollector<Int>())
        await #expect(throws: SourceFailure.self) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do { _ = try await SyncEngine().runAsync(upstream) } catch {
                        bridge.fail(error)
                        throw error
                    }
                }
                group.addTask { _ = try await SyncEngine().runAsync(downstream) }
                try await group.waitForAll()
            }
        }
    }
}
