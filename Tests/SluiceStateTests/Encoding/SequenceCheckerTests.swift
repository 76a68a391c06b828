import SluiceTestKit
import Testing

@Suite struct SequenceCheckerTests {
    @Test func reportsLostRangesDuplicatesAndUnexpected() {
        var checker = SequenceChecker(expectedCount: 10)
        checker.observe([0, 1, 1, 2, 5, 6, 6, 6, 9, 42])
        let report = checker.report
        #expect(report.lost == [3...4, 7...8])
        #expect(report.duplicated.map(\.sequence) == [1, 6])
        #expect(report.duplicateCount == 3)
        #expect(report.unexpected == [42])
        #expect(!report.isAtLeastOnce && !report.isExactlyOnce)
    }

    @Test func exactlyOnceAndAtLeastOnce() {
        var exact = SequenceChecker(expectedCount: 4)
        exact.observe([3, 1, 0, 2])
        #expect(exact.report.isExactlyOnce)
        var atLeast = SequenceChecker(expectedCount: 4)
        atLeast.observe([0, 1, 2, 1, 2, 3])
        #expect(atLeast.report.isAtLeastOnce && !atLeast.report.isExactlyOnce)
        #expect(atLeast.report.lostCount == 0)
    }
}
