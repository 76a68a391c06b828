import Foundation
import SluiceBench
import Testing

/// `HarnessLayout`: every default path, relative to the root, and the overrides.
@Suite struct HarnessLayoutTests {
    static let root = URL(fileURLWithPath: "/work/repo")

    @Test func defaultsAreUnderTheRoot() {
        let layout = HarnessLayout(root: Self.root)
        #expect(layout.root == Self.root)
        #expect(layout.suitesDirectory == SuiteLoader.defaultSuitesDirectory())
        #expect(layout.baselinesDirectory.path == "/work/repo/baselines")
        #expect(layout.reportsDirectory?.path == "/work/repo/reports")
        #expect(layout.buildCacheDirectory.path == "/work/repo/.build-compare")
        #expect(layout.selftestDirectory.path == "/work/repo/ci/selftest")
        #expect(layout.historyDirectory?.path == "/work/repo/reports/history")
        #expect(layout.trendDirectory.path == "/work/repo/reports/trend")
        #expect(layout.resultsFile(runID: "r1")?.path == "/work/repo/reports/r1.results.json")
        #expect(layout.reportStem("compare-a-b")?.path == "/work/repo/reports/compare-a-b")
        #expect(layout.baselineStore.root.path == "/work/repo/baselines")
        #expect(layout.baselineStore.url(environmentKey: "k", suite: "pr").path == "/work/repo/baselines/k/pr.json")
    }

    @Test func relativeOverridesResolveAgainstTheRootAndAbsoluteOnesAreKept() {
        let layout = HarnessLayout(
            root: Self.root, suitesDirectory: "s", baselinesDirectory: "/abs/b", reportsDirectory: "out",
            buildCacheDirectory: "cache", selftestDirectory: "/abs/patches")
        #expect(layout.suitesDirectory.path == "/work/repo/s")
        #expect(layout.suiteFile(named: "pr").path == "/work/repo/s/pr.json")
        #expect(layout.suiteLoader.suitesDirectory.path == "/work/repo/s")
        #expect(layout.baselinesDirectory.path == "/abs/b")
        #expect(layout.reportsDirectory?.path == "/work/repo/out")
        #expect(layout.historyDirectory?.path == "/work/repo/out/history")
        #expect(layout.trendDirectory.path == "/work/repo/out/trend")
        #expect(layout.buildCacheDirectory.path == "/work/repo/cache")
        #expect(layout.selftestDirectory.path == "/abs/patches")
    }

    @Test func aDashWritesNoReportsButTheTrendSiteKeepsItsPlace() {
        let layout = HarnessLayout(root: Self.root, reportsDirectory: "-")
        #expect(layout.reportsDirectory == nil)
        #expect(layout.historyDirectory == nil)
        #expect(layout.resultsFile(runID: "r1") == nil)
        #expect(layout.reportStem("x") == nil)
        #expect(layout.trendDirectory.path == "/work/repo/reports/trend")
    }
}
