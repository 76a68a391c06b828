import CJemalloc
import Sluice

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about the harness itself, recorded in every results file.
public enum HarnessInfo {
    /// The harness's semantic version.
    public static let version = "0.1.0"
    /// Whether jemalloc is this process's allocator, so that allocation metrics can be captured.
    public static var isJemallocAvailable: Bool { sluice_jemalloc_available() != 0 }

    /// Where `Package.swift` looks for jemalloc's library (the same list).
    static let jemallocLibraryPaths = [
        "/usr/lib/x86_64-linux-gnu/libjemalloc.so", "/usr/lib/aarch64-linux-gnu/libjemalloc.so",
        "/usr/lib/libjemalloc.so", "/usr/local/lib/libjemalloc.so",
    ]

    /// Why this binary lacks jemalloc although the machine has it, or nil: SwiftPM caches a manifest's evaluation
    /// keyed by its text and the environment, not by the files it looked at, so a build in the same shell
    /// environment as one made before `libjemalloc-dev` was installed reuses "no jemalloc". Nil as well when
    /// `SLUICE_JEMALLOC=0` is set: then the build without it is on purpose.
    public static func jemallocBuildMismatch(
        libraryExists: (String) -> Bool = { access($0, F_OK) == 0 }
    ) -> String? {
        guard getenv("SLUICE_JEMALLOC").map({ String(cString: $0) }) != "0" else { return nil }
        return jemallocBuildMismatch(isLinked: isJemallocAvailable, libraryExists: libraryExists)
    }

    /// `jemallocBuildMismatch()` for a binary that is (`isLinked`) or is not linked with jemalloc.
    public static func jemallocBuildMismatch(isLinked: Bool, libraryExists: (String) -> Bool) -> String? {
        guard !isLinked, let library = jemallocLibraryPaths.first(where: libraryExists) else { return nil }
        return "jemalloc is installed (\(library)) but this sluice-bench was built without it, so allocation "
            + "metrics will be unavailable: SwiftPM reused a manifest evaluated before jemalloc was installed (or "
            + "with SLUICE_JEMALLOC=0). Rebuild after `source ci/lib/jemalloc.sh` (as the ci/ scripts do), or with "
            + "`swift build --manifest-cache none -c release --product sluice-bench`"
    }
}
