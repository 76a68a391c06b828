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

    /// A binary built from a stale manifest evaluation lacks jemalloc though the machine has it: the harness
    /// says so, naming the library and the rebuild, instead of a bare "unavailable".
    @Test func aBuildWithoutJemallocOnAMachineThatHasItIsNamed() throws {
        let installed = "/usr/lib/x86_64-linux-gnu/libjemalloc.so"
        let message = try #require(HarnessInfo.jemallocBuildMismatch(isLinked: false, libraryExists: { $0 == installed }))
        #expect(message.contains(installed) && message.contains("--manifest-cache none"))
        #expect(HarnessInfo.jemallocBuildMismatch(isLinked: true, libraryExists: { _ in true }) == nil)
        #expect(HarnessInfo.jemallocBuildMismatch(isLinked: false, libraryExists: { _ in false }) == nil)
    }
}
