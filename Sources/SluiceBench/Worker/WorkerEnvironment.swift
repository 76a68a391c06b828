import Foundation

/// The fixed environment and working directory worker processes start with, so that neither timings nor counts
/// move with the size of the caller's environment or the length of its working directory (Mytkowicz et al.,
/// ASPLOS 2009: both shift the initial stack, and with it alignment-sensitive code).
///
/// The environment holds a fixed set of variables (a fixed `PATH`, the C locale, `TMPDIR=/tmp`, deterministic
/// hashing), the caller's `SLUICE_*` and `LD_PRELOAD`/`MALLOC_CONF` settings, the variables a lane asks for,
/// and `SLUICE_ENV_PAD`, whose length brings the whole block to `targetBytes`. The working directory is `/tmp`.
public enum WorkerEnvironment {
    /// Bytes of the environment block (`NAME=value\0` for each variable) after padding.
    public static let targetBytes = 4_096
    /// The working directory of every worker.
    public static let workingDirectory = "/tmp"
    /// Variables of the caller kept as they are (their size is absorbed by the padding).
    static let passedThrough = ["LD_PRELOAD", "MALLOC_CONF", "SLUICE_SHARED_DIR", "SLUICE_COMMIT", "SLUICE_DIRTY"]

    /// The environment for a worker: the fixed variables, the caller's kept ones, `extra`, and the padding.
    public static func make(
        extra: [String: String], inherited: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String: String] {
        var environment: [String: String] = [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C",
            "LC_ALL": "C",
            "TMPDIR": "/tmp",
            "HOME": "/tmp",
            // Swift seeds its hashing per process otherwise: Set and Dictionary would take other paths each run.
            "SWIFT_DETERMINISTIC_HASHING": "1",
        ]
        for name in passedThrough {
            if let value = inherited[name] { environment[name] = value }
        }
        for (name, value) in extra { environment[name] = value }
        environment["SLUICE_ENV_PAD"] = ""
        let used = byteCount(environment)
        environment["SLUICE_ENV_PAD"] = String(repeating: "x", count: max(0, targetBytes - used))
        return environment
    }

    /// Bytes of `environment` as the kernel lays it out: `NAME=value\0` per variable.
    public static func byteCount(_ environment: [String: String]) -> Int {
        environment.reduce(0) { $0 + $1.key.utf8.count + 1 + $1.value.utf8.count + 1 }
    }
}
