import Sluice
import SluiceEventTime
import SluiceTestKit
import Testing

/// The trigger firing matrix: assigner × trigger × element timeline → firings and purges, on virtual time.
@Suite("Trigger firing matrix")
struct TriggerMatrixTests {
    enum Step: Sendable {
        /// An element of key 0 at event time `t` with value `v`.
        case element(Int64, Int64)
        case watermark(Int64)
        /// Moves the virtual processing clock by `ms`.
        case advance(Int64)
        case end
    }

    /// `start:end=sum/count timing[+purge]`.
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var assigner: WindowAssigner
        var trigger: Trigger
        var lateness: Int64 = 0
        var steps: [Step]
        var expected: [String]
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(
            name: "tumbling × event time", assigner: .tumbling(size: 10), trigger: .eventTime(),
            steps: [.element(1, 1), .element(5, 2), .watermark(8), .watermark(9), .element(12, 4), .end],
            expected: ["0:10=3/2 on-time", "10:20=4/1 on-time"]),
        Row(
            name: "tumbling × count(2)", assigner: .tumbling(size: 10), trigger: .count(2),
            steps: [.element(1, 1), .element(2, 2), .element(3, 4), .watermark(20), .end],
            expected: ["0:10=3/2 early"]),
        Row(
            name: "tumbling × count(2) purging", assigner: .tumbling(size: 10), trigger: .count(2).purging(),
            steps: [.element(1, 1), .element(2, 2), .element(3, 4), .element(4, 8), .end],
            expected: ["0:10=3/2 early+purge", "0:10=12/2 early+purge"]),
        Row(
            name: "tumbling × early every 2", assigner: .tumbling(size: 10), trigger: .eventTime(early: .every(2)),
            steps: [.element(1, 1), .element(2, 2), .element(3, 4), .watermark(9)],
            expected: ["0:10=3/2 early", "0:10=7/3 on-time"]),
        Row(
            name: "tumbling × early after 5 ms", assigner: .tumbling(size: 10),
            trigger: .eventTime(early: .after(milliseconds: 5)),
            steps: [.element(1, 1), .advance(4), .element(2, 2), .advance(1), .element(3, 4), .watermark(9)],
            expected: ["0:10=3/2 early", "0:10=7/3 on-time"]),
        Row(
            name: "tumbling × processing time", assigner: .tumbling(size: 10), trigger: .processingTime(),
            steps: [.element(1, 1), .advance(5), .element(2, 2), .advance(5), .watermark(5)],
            expected: ["0:10=3/2 early"]),
        Row(
            name: "tumbling × continuous event time 3", assigner: .tumbling(size: 10), trigger: .continuousEventTime(3),
            steps: [.element(1, 1), .watermark(3), .element(4, 2), .watermark(6), .watermark(9)],
            expected: ["0:10=1/1 early", "0:10=3/2 early", "0:10=3/2 on-time"]),
        Row(
            name: "tumbling × continuous processing time 10", assigner: .tumbling(size: 100),
            trigger: .continuousProcessingTime(10),
            steps: [.element(1, 1), .advance(10), .element(2, 2), .advance(10), .watermark(5)],
            expected: ["0:100=1/1 early", "0:100=3/2 early"]),
        Row(
            name: "tumbling × event time, late firings within lateness 10", assigner: .tumbling(size: 10),
            trigger: .eventTime(), lateness: 10,
            steps: [.element(1, 1), .watermark(9), .element(2, 2), .watermark(18), .element(3, 4), .watermark(19), .element(4, 8)],
            expected: ["0:10=1/1 on-time", "0:10=3/2 late", "0:10=7/3 late"]),
        Row(
            name: "tumbling × late every 2", assigner: .tumbling(size: 10), trigger: .eventTime(lateEvery: 2), lateness: 100,
            steps: [.element(1, 1), .watermark(9), .element(2, 2), .element(3, 4), .element(4, 8)],
            expected: ["0:10=1/1 on-time", "0:10=7/3 late"]),
        Row(
            name: "sliding × event time purging", assigner: .sliding(size: 20, slide: 10), trigger: .eventTime().purging(),
            lateness: 30,
            steps: [.element(5, 1), .element(15, 2), .watermark(19), .element(16, 4), .watermark(29)],
            expected: ["-10:10=1/1 on-time+purge", "0:20=3/2 on-time+purge", "0:20=4/1 late+purge", "10:30=6/2 on-time+purge"]),
        Row(
            name: "global × count(2) purging (count windows)", assigner: .count(2), trigger: .count(2).purging(),
            steps: [.element(1, 1), .element(100, 2), .element(5, 4), .watermark(1000), .element(7, 8), .end],
            expected: ["min:max=3/2 early+purge", "min:max=12/2 early+purge"]),
        Row(
            name: "global × event time fires at end of input", assigner: .global, trigger: .eventTime(),
            steps: [.element(1, 1), .watermark(1000), .element(5, 4), .end],
            expected: ["min:max=5/2 on-time"]),
        Row(
            name: "session × event time with merge", assigner: .session(gap: 5), trigger: .eventTime(),
            steps: [.element(1, 1), .element(10, 2), .element(4, 4), .watermark(7), .element(7, 8), .watermark(20)],
            expected: ["1:15=15/4 on-time"]),
        Row(
            name: "session × count(2) across a merge", assigner: .session(gap: 10), trigger: .count(2),
            steps: [.element(1, 1), .element(20, 2), .element(10, 4), .end],
            expected: ["1:30=7/3 early"]),
    ]

    static func describe(_ result: WindowResult<Int, SumAccumulator<Event>.Partial>) -> String {
        let start = result.window.start == Int64.min ? "min" : "\(result.window.start)"
        let end = result.window.end == Int64.max ? "max" : "\(result.window.end)"
        return "\(start):\(end)=\(result.value.sum)/\(result.value.count) \(result.pane.timing.rawValue)"
            + (result.pane.isPurge ? "+purge" : "")
    }

    @Test(arguments: rows)
    func firings(_ row: Row) throws {
        let clock = ManualClock()
        var stage = WindowOperator(
            name: "window", assigner: row.assigner, trigger: row.trigger, accumulator: SumAccumulator<Event> { $0.value },
            key: { $0.key }, configuration: WindowConfiguration(allowedLateness: row.lateness, clock: clock))
        var fired: [String] = []
        let emit = { (result: WindowResult<Int, SumAccumulator<Event>.Partial>) in fired.append(Self.describe(result)) }
        for step in row.steps {
            switch step {
            case .element(let time, let value):
                try stage.process(.element(Event(key: 0, timestamp: time, value: value), timestamp: time), emit: emit)
            case .watermark(let time):
                try stage.process(.watermark(Watermark(timestamp: time)), emit: emit)
            case .advance(let milliseconds):
                clock.advance(by: UInt64(milliseconds) * 1_000_000)
            case .end:
                try stage.finish(emit: emit)
            }
        }
        #expect(fired == row.expected)
    }
}
