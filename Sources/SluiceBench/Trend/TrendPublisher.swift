import Foundation

/// Publishes the trend page: reads history stores, finds steps, writes `index.html` and `README.md`.
public struct TrendPublisher: Sendable {
    /// How steps are found.
    public var detector: ChangePointDetector
    /// A URL template with `{commit}` that links each change to its commit; nil shows commits unlinked.
    public var commitURL: String?

    /// Creates a publisher.
    public init(detector: ChangePointDetector = ChangePointDetector(), commitURL: String? = nil) {
        self.detector = detector
        self.commitURL = commitURL
    }

    /// The commit URL template of `repository`'s `origin` remote (see `commitURLTemplate(remote:)`), or nil
    /// when there is none, git is missing, or the forge is not known.
    public static func commitURLTemplate(repository: URL) -> String? {
        let command = ["git", "-C", repository.path, "config", "--get", "remote.origin.url"]
        guard let outcome = try? ProcessRunner.run(command), outcome.status == 0 else { return nil }
        return commitURLTemplate(remote: outcome.stdoutText)
    }

    /// The commit URL template for a git remote URL on GitHub, GitLab or Codeberg (`https://host/owner/repo`,
    /// `git@host:owner/repo.git`, `ssh://git@host/owner/repo`), or nil for any other remote.
    /// GitLab's form is `/-/commit/`. Complexity: O(length).
    public static func commitURLTemplate(remote: String) -> String? {
        var text = remote.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix(".git") { text.removeLast(4) }
        var host: Substring
        var path: Substring
        if let range = text.range(of: "://") {
            let rest = text[range.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            host = rest[..<slash]
            path = rest[rest.index(after: slash)...]
            if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
            if let colon = host.firstIndex(of: ":") { host = host[..<colon] }
        } else if let at = text.firstIndex(of: "@"), let colon = text.firstIndex(of: ":"), at < colon {
            host = text[text.index(after: at)..<colon]
            path = text[text.index(after: colon)...]
        } else {
            return nil
        }
        let parts = path.split(separator: "/")
        guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else { return nil }
        switch host.lowercased() {
        case "github.com", "codeberg.org": return "https://\(host)/\(parts.joined(separator: "/"))/commit/{commit}"
        case "gitlab.com": return "https://\(host)/\(parts.joined(separator: "/"))/-/commit/{commit}"
        default: return nil
        }
    }

    /// The history files in `directory` (`*.jsonl`), sorted by name; none when the folder does not exist.
    /// Complexity: O(files in the folder).
    public static func historyFiles(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") && !$0.hasPrefix(".") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    /// Builds the report for `historyFiles` (one environment each, keyed by the file name without `.jsonl`).
    /// - Throws: `HarnessError` for a damaged history file, naming the file and line.
    /// Complexity: O(total history size + points × window²).
    public func makeReport(historyFiles: [URL], generatedAt: Date = Date()) throws -> TrendReport {
        var histories: [(key: String, entries: [HistoryEntry])] = []
        for file in historyFiles {
            let entries = try HistoryStore(fileURL: file).load()
            histories.append((key: file.deletingPathExtension().lastPathComponent, entries: entries))
        }
        let formatter = ISO8601DateFormatter()
        return TrendReport(histories: histories, generatedAt: formatter.string(from: generatedAt), detector: detector)
    }

    /// Writes `index.html` and `README.md` for `report` into `directory`, each atomically.
    /// - Returns: the two files written.
    /// - Throws: `HarnessError` (`.ioFailure`) naming the file that could not be written.
    @discardableResult
    public func write(_ report: TrendReport, to directory: URL) throws(HarnessError) -> [URL] {
        let page = directory.appendingPathComponent("index.html")
        let summary = directory.appendingPathComponent("README.md")
        try AtomicFileWriter.write(Data(TrendPage.html(report, commitURL: commitURL).utf8), to: page)
        try AtomicFileWriter.write(Data(TrendMarkdown.markdown(report).utf8), to: summary)
        return [page, summary]
    }
}
