import Foundation

/// Writes a gate report as `reports/<run-id>.md` and `reports/<run-id>.json`, each atomically.
public struct ReportWriter: Sendable {
    /// The `reports/` folder.
    public let directory: URL

    /// A writer into `directory`.
    public init(directory: URL) {
        self.directory = directory
    }

    /// The files a report was written to.
    public struct WrittenFiles: Sendable {
        /// `<directory>/<run-id>.md`, the run id made safe for a file name.
        public var markdown: URL
        /// `<directory>/<run-id>.json`, the run id made safe for a file name.
        public var json: URL
    }

    /// Writes both formats; the run id is made safe for a file name.
    @discardableResult
    public func write(_ report: GateReport) throws(HarnessError) -> WrittenFiles {
        let name = String(report.runID.map { $0.isLetter || $0.isNumber || "-_.+".contains($0) ? $0 : "_" })
        let markdown = directory.appendingPathComponent("\(name).md")
        let json = directory.appendingPathComponent("\(name).json")
        try AtomicFileWriter.write(Data(MarkdownReportFormatter().format(report).utf8), to: markdown)
        try AtomicFileWriter.write(try JSONReportFormatter().format(report), to: json)
        return WrittenFiles(markdown: markdown, json: json)
    }
}
