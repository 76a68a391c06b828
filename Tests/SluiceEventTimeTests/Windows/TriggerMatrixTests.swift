import Sluice
import SluiceEventTime
import SluiceTestKit
import Testing

/// The trigger firing matrix: assigner × trigger × element timeline → firings and purges, on virtual time.
@Suite("Trigger firing matrix")
struct TriggerMatrixTests {
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
            name: "sliding × processing time", assigner: .sliding(size: 20, slide: 10), trigger: .processingTime(),
            steps: [.element(5, 1), .advance(9), .element(6, 2), .advance(10), .watermark(0)],
            expected: ["-10:10=1/1 early", "-10:10=3/2 early", "0:20=3/2 early"]),
        Row(
            name: "sliding × continuous event time 5", assigner: .sliding(size: 20, slide: 10),
            trigger: .continuousEventTime(5),
            steps: [.element(1, 1), .watermark(5), .element(12, 2), .watermark(10), .watermark(19)],
            expected: [
                "-10:10=1/1 early", "0:20=1/1 early", "-10:10=1/1 on-time", "0:20=3/2 early", "0:20=3/2 early",
                "10:30=2/1 early", "0:20=3/2 on-time",
            ]),
        Row(
            name: "sliding × continuous processing time 10", assigner: .sliding(size: 20, slide: 10),
            trigger: .continuousProcessingTime(10),
            steps: [.element(1, 1), .advance(10), .element(12, 2), .advance(10), .watermark(0)],
            expected: ["-10:10=1/1 early", "0:20=1/1 early", "-10:10=1/1 early", "0:20=3/2 early", "10:30=2/1 early"]),
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
        // The merged session [1, 8) fires when the clock passes 7, its end, not 5 (the end of [1, 6)).
        Row(
            name: "session × processing time across a merge", assigner: .session(gap: 5), trigger: .processingTime(),
            steps: [
                .element(1, 1), .element(3, 2), .advance(6), .element(2, 4), .advance(1), .watermark(0),
                .element(20, 4), .advance(20), .watermark(0),
            ],
            expected: ["1:8=7/3 early", "20:25=4/1 early"]),
        Row(
            name: "session × continuous event time 3", assigner: .session(gap: 5), trigger: .continuousEventTime(3),
            steps: [.element(1, 1), .watermark(3), .element(4, 2), .watermark(6), .watermark(9)],
            expected: ["1:6=1/1 early", "1:9=3/2 early", "1:9=3/2 on-time"]),
        Row(
            name: "session × continuous processing time 10", assigner: .session(gap: 5),
            trigger: .continuousProcessingTime(10),
            steps: [.element(1, 1), .advance(10), .element(3, 2), .advance(10), .watermark(0), .watermark(20)],
            expected: ["1:6=1/1 early", "1:8=3/2 early"]),
        // Late elements extend the session and re-fire it; once the watermark passes end - 1 + lateness the
        // element is dropped.
        Row(
            name: "session × event time, late firings within lateness 10", assigner: .session(gap: 5),
            trigger: .eventTime(), lateness: 10,
            steps: [
                .element(1, 1), .watermark(6), .element(2, 2), .watermark(14), .element(3, 4), .watermark(15),
                .element(4, 8), .watermark(18), .element(2, 16), .end,
            ],
            expected: ["1:6=1/1 on-time", "1:7=3/2 late", "1:8=7/3 late", "1:9=15/4 late"]),
    ]

    @Test(arguments: rows, [WindowStrategy.sliced, .perWindow])
    func firings(_ row: Row, strategy: WindowStrategy) throws {
        let fired = try Timeline.run(
            row.steps, assigner: row.assigner, trigger: row.trigger, lateness: row.lateness, strategy: strategy)
        #expect(fired == row.expected, "\(strategy)")
    }
}
