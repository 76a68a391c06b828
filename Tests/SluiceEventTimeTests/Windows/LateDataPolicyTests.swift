import Sluice
import SluiceEventTime
import SluiceTestKit
import Synchronization
import Testing

/// Late elements beyond the allowed lateness, by policy, and the late event guard under a late-data burst.
@Suite("Late data policy")
struct LateDataPolicyTests {
    /// Elements at 1, 5 (on time), watermark 20, then 3 (late beyond a lateness of 5) and 18 (on time).
    static let input: [EventTimeElement<Event>] = [
        .element(Event(key: 0, timestamp: 1, value: 1), timestamp: 1),
        .element(Event(key: 0, timestamp: 5, value: 2), timestamp: 5),
        .watermark(Watermark(timestamp: 20)),
        .element(Event(key: 0, timestamp: 3, value: 4), timestamp: 3),
        .element(Event(key: 0, timestamp: 25, value: 8), timestamp: 25),
    ]

    static func run(_ policy: LateElementPolicy<Event>, counters: WindowCounters) throws -> (
        results: [Result], deadLetters: [DeadLetterRecord]
    ) {
        let output = OutputCollector<Result>()
        let deadLetters = CollectingDeadLetterSink()
        let pipeline = Pipeline.source(input)
            .window(
                "window", .tumbling(size: 10), key: { (event: Event) in event.key }, accumulator: Sum { $0.value },
                configuration: WindowConfiguration(allowedLateness: 5, latePolicy: policy, counters: counters))
            .deadLetters(DeadLetterPolicy(sink: deadLetters))
            .sink(output)
        _ = try SyncEngine().run(pipeline)
        return (output.elements, deadLetters.records)
    }

    @Test func dropCounts() throws {
        let counters = WindowCounters()
        let (results, deadLetters) = try Self.run(.drop, counters: counters)
        #expect(results.map(Fired.init) == [Fired(key: 0, start: 0, end: 10, count: 2, sum: 3), Fired(key: 0, start: 20, end: 30, count: 1, sum: 8)])
        #expect(counters.lateDropped == 1)
        #expect(deadLetters.isEmpty)
    }

    @Test func deadLetterRoutesWithError() throws {
        let counters = WindowCounters()
        let (results, deadLetters) = try Self.run(.deadLetter, counters: counters)
        #expect(results.count == 2)
        #expect(counters.lateDeadLettered == 1)
        #expect(deadLetters.count == 1)
        #expect(deadLetters.first?.errorCode == "late-element")
        let message = deadLetters.first.map { "\($0.error)" } ?? ""
        #expect(message.contains("event time 3"))
    }

    @Test func sideOutputReceivesElement() throws {
        let counters = WindowCounters()
        let late = Mutex<[LateElement<Event>]>([])
        let (results, _) = try Self.run(.sideOutput { element in late.withLock { $0.append(element) } }, counters: counters)
        #expect(results.count == 2)
        let collected = late.withLock { $0 }
        #expect(collected.map(\.timestamp) == [3])
        #expect(collected.first?.reason == .beyondAllowedLateness)
        #expect(collected.first?.watermark == 20)
        #expect(counters.lateSideOutput == 1)
    }

    /// A burst of late elements on many keys within the allowed lateness: the guard holds the windows to its cap.
    @Test(arguments: [WindowOverflowPolicy.evictOldest, .rejectNew])
    func guardBoundsWindowsUnderLateBurst(policy: WindowOverflowPolicy) throws {
        let seed: UInt64 = 99
        var random = SeededRandomNumberGenerator(seed: seed)
        var events = EventFixtures.stream(count: 2_000, keys: 3, step: 10, disorder: 5, seed: seed)
        for index in 0..<1_000 {
            let age = Int64.random(in: 100...5_000, using: &random)
            events.insert(Event(key: 100 + index, timestamp: 15_000 - age, value: 1), at: 1_500)
        }
        let counters = WindowCounters()
        let results = try EventFixtures.run(
            events, assigner: .tumbling(size: 100), bound: 10,
            configuration: WindowConfiguration(
                allowedLateness: 10_000, maxWindows: 50, overflowPolicy: policy, counters: counters))
        #expect(counters.liveWindowsMax <= 50, "seed \(seed)")
        #expect(counters.liveWindows == 0, "seed \(seed): all state dropped at the end")
        #expect(counters.stateSizeBytes <= counters.stateSizeBytesMax)
        if policy == .evictOldest {
            #expect(counters.evictedWindows > 0)
            // Every window fired once on time or late before it could be evicted: the burst's windows are late.
            #expect(!results.contains { $0.pane.timing == .evicted })
        } else {
            #expect(counters.rejectedByGuard > 0)
            #expect(counters.lateDropped == counters.rejectedByGuard)
        }
        // Without a guard the same burst holds far more windows.
        let unguarded = WindowCounters()
        _ = try EventFixtures.run(
            events, assigner: .tumbling(size: 100), bound: 10,
            configuration: WindowConfiguration(allowedLateness: 10_000, counters: unguarded))
        #expect(unguarded.liveWindowsMax > 500)
    }
}

/// Collects dead letters for assertions.
final class CollectingDeadLetterSink: DeadLetterSink {
    private let storage = Mutex<[DeadLetterRecord]>([])
    func receive(_ record: DeadLetterRecord) { storage.withLock { $0.append(record) } }
    func receive(summary: DeadLetterSummary) {}
    var records: [DeadLetterRecord] { storage.withLock { $0 } }
}
