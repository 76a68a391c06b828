import Foundation

/// Publishes the trend page: reads history stores, finds steps, writes `index.html` and `README.md`.
public struct TrendPublisher: Sendable {
    /// How steps are found.
    public var detector: ChangePointDetector

    /// Creates a publisher.
    public init(detector: ChangePointDetector = ChangePointDetector()) {
        self.detector = detector
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
        try AtomicFileWriter.write(Data(TrendPage.html(report).utf8), to: page)
        try AtomicFileWriter.write(Data(TrendMarkdown.markdown(report).utf8), to: summary)
        return [page, summary]
    }
}
