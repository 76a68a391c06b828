import Sluice
import SluiceEventTime
import SluiceTestKit
import Testing

/// A user-written trigger: fires every `n` elements (counted in `scratch`) and at the window's end. When
/// sessions merge it keeps the largest count, not the sum (the default merge).
struct EveryNthThenEnd: WindowTrigger {
    var n: Int64
    var observesElements: Bool { true }

    func onElement(timestamp: Int64, window: TimeWindow, context: inout TriggerContext) -> TriggerAction {
        context.state.scratch += 1
        guard context.state.scratch == n else { return .continue }
        context.state.scratch = 0
        return .fire
    }

    func onEventTime(_ time: Int64, window: TimeWindow, isEndOfWindow: Bool, context: inout TriggerContext)
        -> TriggerAction
    {
        isEndOfWindow ? .fire : .continue
    }

    func onMerge(window: TimeWindow, merged: [TriggerState], context: inout TriggerContext) {
        context.state.scratch = merged.map(\.scratch).max() ?? 0
    }
}

/// A user-written trigger that purges without firing: at the middle of the window (an event timer) it
/// discards what the window holds, and it fires at the end with what came after.
struct PurgeAtMidpoint: WindowTrigger {
    var observesElements: Bool { true }

    func onElement(timestamp: Int64, window: TimeWindow, context: inout TriggerContext) -> TriggerAction {
        if context.state.scratch == 0 {
            context.state.scratch = 1
            context.state.eventTimer = window.start + (window.end - window.start) / 2
        }
        return .continue
    }

    func onEventTime(_ time: Int64, window: TimeWindow, isEndOfWindow: Bool, context: inout TriggerContext)
        -> TriggerAction
    {
        isEndOfWindow ? .fire : .purge
    }
}

@Suite("User-written triggers")
struct UserTriggerTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var assigner: WindowAssigner
        var n: Int64 = 2
        var steps: [Step]
        var expected: [String]
        var purges: Int64 = 0
        var testDescription: String { name }
    }

    static let everyNth: [Row] = [
        Row(
            name: "tumbling", assigner: .tumbling(size: 10),
            steps: [.element(1, 1), .element(2, 2), .element(3, 4), .watermark(9), .end],
            expected: ["0:10=3/2 early", "0:10=7/3 on-time"]),
        Row(
            name: "sliding", assigner: .sliding(size: 20, slide: 10),
            steps: [.element(5, 1), .element(15, 2), .watermark(9), .watermark(19), .end],
            expected: ["0:20=3/2 early", "-10:10=1/1 on-time", "0:20=3/2 on-time", "10:30=2/1 on-time"]),
        // The merge into [1, 15) joins counts 2 and 1: the trigger's own merge keeps 2, so the next element is
        // the third (the default merge would sum them to 3 and the count would pass 3 without equalling it).
        Row(
            name: "session with its own merge", assigner: .session(gap: 5), n: 3,
            steps: [.element(1, 1), .element(10, 2), .element(4, 4), .element(7, 8), .watermark(20)],
            expected: ["1:15=15/4 early", "1:15=15/4 on-time"]),
    ]

    @Test(arguments: everyNth, [WindowStrategy.sliced, .perWindow])
    func userTriggerFires(_ row: Row, strategy: WindowStrategy) throws {
        let fired = try Timeline.run(
            row.steps, assigner: row.assigner, trigger: EveryNthThenEnd(n: row.n), strategy: strategy)
        #expect(fired == row.expected, "\(strategy)")
    }

    static let purgeAtMidpoint: [Row] = [
        // Purged at 5: the on-time firing holds only what arrived after, including the late-arriving 2.
        Row(
            name: "tumbling", assigner: .tumbling(size: 10),
            steps: [.element(1, 1), .element(3, 2), .watermark(4), .watermark(5), .element(2, 4), .element(7, 8), .watermark(9)],
            expected: ["0:10=12/2 on-time"], purges: 1),
        // Overlapping windows: purging [0, 20) at 10 must not take element 15 out of [10, 30), nor purging
        // [10, 30) at 20 take 12 out of [0, 20). [-10, 10) and [20, 40) are empty when they end: no firing.
        Row(
            name: "sliding", assigner: .sliding(size: 20, slide: 10),
            steps: [
                .element(5, 1), .element(15, 2), .watermark(9), .watermark(10), .element(12, 4), .watermark(19),
                .watermark(20), .element(25, 8), .watermark(29), .end,
            ],
            expected: ["0:20=4/1 on-time", "10:30=8/1 on-time"], purges: 4),
        // The purged session [1, 6) merges with [4, 9): only the element after the purge is in [1, 9).
        Row(
            name: "session", assigner: .session(gap: 5),
            steps: [.element(1, 1), .watermark(3), .element(4, 2), .watermark(8)],
            expected: ["1:9=2/1 on-time"], purges: 1),
    ]

    /// `TriggerAction.purge` alone: contents go, nothing is emitted.
    @Test(arguments: purgeAtMidpoint, [WindowStrategy.sliced, .perWindow])
    func purgeWithoutFire(_ row: Row, strategy: WindowStrategy) throws {
        let counters = WindowCounters()
        let fired = try Timeline.run(
            row.steps, assigner: row.assigner, trigger: PurgeAtMidpoint(), strategy: strategy, counters: counters)
        #expect(fired == row.expected, "\(strategy)")
        #expect(counters.purges == row.purges, "\(strategy)")
        #expect(counters.firings == Int64(row.expected.count), "\(strategy): a purge emits nothing")
    }
}
