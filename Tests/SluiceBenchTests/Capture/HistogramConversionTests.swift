import Histogram
import SluiceBench
import SluiceTestKit
import Testing

@Suite struct HistogramConversionTests {
    func values(count: Int, seed: UInt64) -> [UInt64] {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return (0..<count).map { _ in UInt64.random(in: 1...10_000_000, using: &generator) }
    }

    @Test func compactFormKeepsEveryBucket() {
        var recorder = LatencyRecorder()
        for value in values(count: 2_000, seed: 7) { recorder.record(value) }
        let compact = CompactHistogram(recorder.histogram)
        let rebuilt = compact.makeHistogram()
        #expect(rebuilt.totalCount == recorder.histogram.totalCount)
        for percentile in [25.0, 50, 90, 99, 99.9] {
            #expect(rebuilt.valueAtPercentile(percentile) == recorder.histogram.valueAtPercentile(percentile))
        }
        #expect(compact.counts.reduce(0, +) == 2_000)
    }

    @Test func mergingEqualsRecordingEverything() throws {
        let first = values(count: 500, seed: 1)
        let second = values(count: 700, seed: 2)
        var a = LatencyRecorder()
        var b = LatencyRecorder()
        var all = LatencyRecorder()
        for value in first { a.record(value); all.record(value) }
        for value in second { b.record(value); all.record(value) }
        let merged = try CompactHistogram(a.histogram).merged(with: CompactHistogram(b.histogram))
        #expect(merged == CompactHistogram(all.histogram))
    }

    @Test func differentDivisorsDoNotMerge() {
        var recorder = LatencyRecorder()
        recorder.record(100)
        #expect(throws: HarnessError.self) {
            try CompactHistogram(recorder.histogram, valueDivisor: 2).merged(with: CompactHistogram(recorder.histogram, valueDivisor: 4))
        }
    }

    @Test func summaryDividesByTheDivisor() throws {
        var recorder = LatencyRecorder()
        for _ in 0..<10 { recorder.record(1_000) }
        let summary = try #require(CompactHistogram(recorder.histogram, valueDivisor: 10).makeSummary())
        #expect(summary.p50 == 100)
        #expect(summary.max == 100)
    }

    @Test func coordinatedOmissionCorrectionAddsTheHiddenSamples() {
        var plain = LatencyRecorder()
        var corrected = LatencyRecorder()
        // Items were due every 1 ms; one took 10 ms, so 9 items behind it waited 9, 8, ... 1 ms.
        plain.record(10_000_000)
        corrected.recordCorrected(10_000_000, expectedInterval: 1_000_000)
        #expect(plain.count == 1)
        #expect(corrected.count == 10)
        #expect(corrected.histogram.valueAtPercentile(50) < 10_000_000)
    }

    @Test func openLoopScheduleIsFixedRate() {
        let schedule = OpenLoopSchedule(ratePerSecond: 1_000, start: 5)
        #expect(schedule.intervalNanoseconds == 1_000_000)
        #expect(schedule.intendedTime(of: 3) == 3_000_005)
    }

    @Test func exactSummaryUsesNearestRank() throws {
        let summary = try #require(MetricSummary(exactValues: [5, 1, 3, 2, 4]))
        #expect(summary.p50 == 3)
        #expect(summary.min == 1 && summary.max == 5)
        #expect(summary.mean == 3)
    }
}
