import Foundation

/// Reads facts about commits from git, for history entries (`git show -s`).
public enum GitCommitInfo {
    /// The committer date of `commit` in UTC, ISO 8601 (`2026-11-29T08:01:02Z`), or nil when git cannot tell
    /// (not a repository, unknown commit, git missing). Runs `git` in `repository`.
    public static func commitDate(_ commit: String, repository: URL) -> String? {
        guard commit != "unknown", !commit.isEmpty else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "git", "-C", repository.path, "show", "-s", "--format=%cd",
            "--date=format-local:%Y-%m-%dT%H:%M:%SZ", commit, "--",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = "UTC"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
