import Foundation

/// `sluice-bench trend` as a session: appends results files to the history, then builds the trend page from the
/// history files and writes it (`index.html` and `README.md`).
///
/// Synchronous: reads and writes files only. Each append is atomic, so a failure part-way leaves earlier appends
/// in place and no torn history line.
public struct TrendSession: Sendable {
    /// What `trend` asks for. Every field has the CLI's default.
    public struct Request: Sendable {
        /// Results files to append to the history first.
        public var appendFiles: [URL] = []
        /// The history files to chart; empty: every `.jsonl` in `historyDirectory`.
        public var historyFiles: [URL] = []
        /// The folder of history files (`<reports>/history`).
        public var historyDirectory: URL
        /// Where the page goes (`<reports>/trend`).
        public var outputDirectory: URL
        /// The git repository the commits' dates and the commit links come from.
        public var repository = URL(fileURLWithPath: ".")
        /// The change-point detector, whose settings the page states.
        public var detector = ChangePointDetector()
        /// Commit link template with `{commit}`; nil derives it from the repository's origin remote.
        public var commitURL: String?
        /// Only append; publish nothing.
        public var appendsOnly = false

        /// A request writing into `layout`'s history and trend folders.
        public init(layout: HarnessLayout) {
            let reports = layout.reportsDirectory ?? layout.root.appendingPathComponent(HarnessLayout.defaultReports)
            historyDirectory = reports.appendingPathComponent(HarnessLayout.historyFolder)
            outputDirectory = layout.trendDirectory
            repository = layout.root
        }
    }

    /// What a trend run did.
    public struct Result: Sendable {
        /// Each appended run and the history file it joined.
        public var appended: [(runID: String, file: URL)]
        /// The page's report; nil with `appendsOnly`.
        public var report: TrendReport?
        /// The files written.
        public var written: [URL]
    }

    /// What to append and publish.
    public var request: Request

    /// A session of `request`.
    public init(request: Request) {
        self.request = request
    }

    /// Appends, then publishes. `log` gets one line per append and a note when there is no history.
    /// - Throws: `HarnessError`: a damaged results or history file (exit 6), a file that cannot be written (7).
    public func run(log: (String) -> Void = { _ in }) throws -> Result {
        var appended: [(runID: String, file: URL)] = []
        for path in request.appendFiles {
            let results = try ResultsFile.load(from: path)
            let (_, file, isNew) = try HistoryStore.record(
                results, in: request.historyDirectory, repository: request.repository)
            guard isNew else {
                log("trend: run \(results.runID) is already in \(file.path): not appended again")
                continue
            }
            log("trend: appended run \(results.runID) to \(file.path)")
            appended.append((results.runID, file))
        }
        guard !request.appendsOnly else { return Result(appended: appended, report: nil, written: []) }
        let files = request.historyFiles.isEmpty
            ? TrendPublisher.historyFiles(in: request.historyDirectory) : request.historyFiles
        if files.isEmpty {
            log("trend: no history files in \(request.historyDirectory.path); publishing an empty page")
        }
        let publisher = TrendPublisher(
            detector: request.detector,
            commitURL: request.commitURL ?? TrendPublisher.commitURLTemplate(repository: request.repository))
        let report = try publisher.makeReport(historyFiles: files)
        let written = try publisher.write(report, to: request.outputDirectory)
        return Result(appended: appended, report: report, written: written)
    }
}
