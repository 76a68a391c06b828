import CJemalloc
import SluiceBench
import Testing

@Suite struct JemallocShimTests {
    @Test func versionIsReportedExactlyWhenAvailable() {
        if HarnessInfo.isJemallocAvailable {
            #expect(sluice_jemalloc_version() != nil)
            #expect(sluice_jemalloc_thread_allocatedp() != nil)
        } else {
            #expect(sluice_jemalloc_version() == nil)
            #expect(sluice_jemalloc_thread_allocatedp() == nil)
        }
    }
}
