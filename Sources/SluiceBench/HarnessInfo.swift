import CJemalloc
import Sluice

/// Facts about the harness itself, recorded in every results file.
public enum HarnessInfo {
    /// The harness's semantic version.
    public static let version = "0.1.0"
    /// Whether jemalloc is this process's allocator, so that allocation metrics can be captured.
    public static var isJemallocAvailable: Bool { sluice_jemalloc_available() != 0 }
}
