import Sluice
import SluiceTestKit
import Testing

@testable import SluiceBench

/// Moves a virtual clock to each deadline instead of sleeping, and counts the waits.
final class VirtualPacer: OpenLoopPacer, @unchecked Sendable {  // confined: used by one test thread
    let clock: ManualClock
    var waits = 0

    init(clock: ManualClock) { self.clock = clock }

    func wait(untilNanoseconds deadline: UInt64) {
        waits += 1
        let now = clock.nowNanoseconds()
        if deadline > now { clock.advance(by: deadline - now) }
    }
}

@Suite struct MacroWorkloadTests {
    static let parameters = BenchmarkParameters([
        "megabytes": .double(0.05), "seed": .int(9), "keys": .int(40),
    ])

    static func check(_ benchmark: Benchmark) async throws -> String? {
        let instance = try await benchmark.makeInstance(parameters)
        try await instance.run(1)
        return instance.check()
    }

    @Test func closedLoopAndPeerPassTheirCheck() async throws {
        #expect(try await Self.check(MacroBenchmarks.closedLoop()) == nil)
        #expect(try await Self.check(MacroBenchmarks.foundationPeer) == nil)
    }

    @Test(arguments: [MacroPipeline.Fault.dropFrames, .wrongWeight, .keepHeartbeats])
    func aBrokenStageIsCaught(fault: MacroPipeline.Fault) async throws {
        let message = try await Self.check(MacroBenchmarks.closedLoop(fault: fault))
        #expect(message != nil, "fault \(fault) went unnoticed")
    }

    @Test func theConcurrentPipelinePassesItsCheckReportsChannelsAndCatchesABrokenStage() async throws {
        let instance = try await MacroBenchmarks.concurrent().makeInstance(Self.parameters)
        try await instance.run(2)
        #expect(instance.check() == nil)
        let depth = try #require(instance.probes()?.values[.channelDepthMax])
        #expect(depth >= 1 && depth <= 1_024)
        #expect(try await Self.check(MacroBenchmarks.concurrent(fault: .dropFrames)) != nil)
        #expect(try await Self.check(MacroBenchmarks.concurrent(fault: .keepHeartbeats)) != nil)
    }

    @Test func openLoopOnVirtualTimePassesItsCheckAndRecordsEveryKeptDocument() async throws {
        let clock = ManualClock(start: 1_000)
        let pacer = VirtualPacer(clock: clock)
        let benchmark = MacroBenchmarks.openLoop(clock: clock, pacer: pacer)
        let instance = try await benchmark.makeInstance(Self.parameters)
        try await instance.run(1)
        #expect(instance.check() == nil)
        let stream = try GeneratedEventStream(megabytes: 0.05, seed: 9, keyCount: 40)
        let latency = try #require(instance.probes()?.latency)
        #expect(latency.count == UInt64(stream.expectation.keptCount))
        // Virtual time stands still while the pipeline works: every document is handled when due.
        #expect(latency.histogram.max == 0)
        #expect(pacer.waits == stream.expectation.eventCount - 1)
    }

    @Test func openLoopReleasesTheBacklogAtOnceAfterAStall() throws {
        let clock = ManualClock(start: 0)
        let pacer = VirtualPacer(clock: clock)
        let bytes = Array((0..<20).map { "{\"n\":\($0)}\n" }.joined().utf8)
        let schedule = OpenLoopSchedule(ratePerSecond: 1_000, start: 0)  // one document per millisecond
        var source = OpenLoopEventSource(
            bytes: bytes, lineEnds: OpenLoopEventSource.lineEnds(of: bytes), schedule: schedule,
            clock: clock,
            pacer: pacer, maxBurst: 8)
        var chunks: [ArraySlice<UInt8>] = []
        #expect(try source.read(into: &chunks, maxCount: 256))
        #expect(String(decoding: chunks[0], as: UTF8.self) == "{\"n\":0}\n")
        #expect(pacer.waits == 0)
        // The next document is due at 1 ms: the source waits for it.
        #expect(try source.read(into: &chunks, maxCount: 256))
        #expect(clock.nowNanoseconds() == 1_000_000 && pacer.waits == 1)
        // A stall of 5.5 ms: documents 2 to 6 are due, released in one chunk without waiting.
        clock.advance(by: 5_500_000)
        #expect(try source.read(into: &chunks, maxCount: 256))
        #expect(pacer.waits == 1)
        #expect(String(decoding: chunks[2], as: UTF8.self).split(separator: "\n").count == 5)
        // A longer stall is released in bursts of at most maxBurst documents.
        clock.advance(by: 30_000_000)
        #expect(try source.read(into: &chunks, maxCount: 256))
        #expect(String(decoding: chunks[3], as: UTF8.self).split(separator: "\n").count == 8)
        #expect(try source.read(into: &chunks, maxCount: 256) == false)
        #expect(chunks.reduce(0) { $0 + $1.count } == bytes.count)
    }

    @Test func latencyIsMeasuredFromTheIntendedTime() {
        let clock = ManualClock(start: 0)
        let probe = CompletionLatencyProbe(clock: clock)
        probe.begin(OpenLoopSchedule(ratePerSecond: 1_000, start: 0))
        clock.advance(by: 10_000_000)
        probe.recordCompletion(ofDocument: 0)  // due at 0, done at 10 ms
        probe.recordCompletion(ofDocument: 9)  // due at 9 ms
        probe.recordCompletion(ofDocument: 20)  // due in the future: not late
        let histogram = probe.latencies.histogram
        #expect(histogram.totalCount == 3)
        #expect(histogram.max >= 9_990_000 && histogram.max <= 10_010_000)
        #expect(histogram.min == 0)
    }
}
