import Sluice
import SluiceEventTime
import SluiceTestKit
import Testing

@Suite("Resequencer")
struct ResequencerTests {
    /// 0..<n shuffled so that no element moves more than `window - 1` places.
    static func permutation(count: Int, window: Int, seed: UInt64) -> [UInt64] {
        var random = SeededRandomNumberGenerator(seed: seed)
        var values = (0..<UInt64(count)).map { $0 }
        var start = 0
        while start < count {
            let end = min(start + window, count)
            values[start..<end].shuffle(using: &random)
            start = end
        }
        return values
    }

    @Test(arguments: [ResequencerPolicy.wait, .skip, .deadLetter], [UInt64(1), 2, 3, 4, 5])
    func restoresOrderWithinWindow(policy: ResequencerPolicy, seed: UInt64) throws {
        let input = Self.permutation(count: 1_000, window: 16, seed: seed)
        let output = OutputCollector<UInt64>()
        let counters = ResequencerCounters()
        let pipeline = Pipeline.source(input)
            .resequence(by: { $0 }, capacity: 16, policy: policy, counters: counters)
            .sink(output)
        _ = try SyncEngine().run(pipeline)
        #expect(output.elements == (0..<1_000).map { UInt64($0) }, "seed \(seed)")
        let counts = counters.snapshot
        #expect(counts.dropped == 0 && counts.skipped == 0, "seed \(seed)")
        #expect(counts.reordered > 0, "seed \(seed)")
        #expect(counts.heldMax <= 16 && counts.held == 0, "seed \(seed)")
    }

    @Test func skipReleasesPastAGap() {
        var machine = Resequencer<UInt64>(capacity: 3, policy: .skip)
        var out: [UInt64] = []
        for value: UInt64 in [1, 2] { _ = machine.accept(value, sequence: value, emit: { out.append($0) }) }
        #expect(out == [], "waiting for 0")
        // 4 is beyond the window [0, 3): 0 is skipped, 1 and 2 are released, 4 is held in [3, 6).
        #expect(machine.accept(4, sequence: 4, emit: { out.append($0) }) == .held)
        #expect(out == [1, 2])
        #expect(machine.skipped == 1)
        #expect(machine.accept(5, sequence: 5, emit: { out.append($0) }) == .held)
        machine.finish { out.append($0) }
        #expect(out == [1, 2, 4, 5])
        #expect(machine.skipped == 2)
    }

    @Test func waitDropsOverflowAndDuplicates() {
        var machine = Resequencer<UInt64>(capacity: 2, policy: .wait)
        var out: [UInt64] = []
        #expect(machine.accept(1, sequence: 1, emit: { out.append($0) }) == .held)
        #expect(machine.accept(5, sequence: 5, emit: { out.append($0) }) == .dropped)
        #expect(machine.accept(0, sequence: 0, emit: { out.append($0) }) == .released)
        #expect(machine.accept(0, sequence: 0, emit: { out.append($0) }) == .dropped)
        #expect(out == [0, 1])
        #expect(machine.dropped == 2)
    }

    @Test func deadLetterRoutesOverflow() throws {
        let output = OutputCollector<UInt64>()
        let deadLetters = CollectingDeadLetterSink()
        let counters = ResequencerCounters()
        let pipeline = Pipeline.source([UInt64(1), 9, 0, 2])
            .resequence(by: { $0 }, capacity: 4, policy: .deadLetter, counters: counters)
            .deadLetters(DeadLetterPolicy(sink: deadLetters))
            .sink(output)
        _ = try SyncEngine().run(pipeline)
        #expect(output.elements == [0, 1, 2])
        #expect(deadLetters.records.map(\.errorCode) == ["beyond-resequencer-window"])
        #expect(counters.snapshot.deadLettered == 1)
    }
}
