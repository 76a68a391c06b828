import Foundation

/// `sluice-bench compare A B` as a session: builds both commits in their cached trees, measures them in pairs
/// of fresh worker processes in seeded random order, writes `<stem>.md` and `<stem>.json`, and returns the report with its exit code.
///
/// Suspends while the workers run; a build blocks the calling thread until it ends (builds take a lock on the
/// cache folder and wait for the build process). Throws `HarnessError` before any verdict when a revision is
/// unknown, the tree is dirty (unless allowed), or a build or worker fails: never a partial verdict.
public struct CompareSession: Sendable {
    /// What a comparison produced.
    public struct Result: Sendable {
        /// The comparison's report, as written to `<stem>.json`.
        public var report: CompareReport
        /// The exit code the report maps to.
        public var exitCode: HarnessExitCode
        /// The Markdown and JSON reports.
        public var files: [URL]
    }

    /// What to compare and how.
    public var configuration: CompareDriver.Configuration
    /// Where the reports go when `out` is nil (`reportsDirectory`, else `<root>/reports`).
    public var layout: HarnessLayout
    /// The reports' path without extension; nil: `<reports>/compare-<a>-<b>`.
    public var out: String?
    /// Makes the measurer over both builds (real worker processes by default; tests answer in process).
    public var measurers: any GateMeasurerFactory

    /// A session of `configuration` in `layout`; `measurers` defaults to real worker processes.
    public init(
        configuration: CompareDriver.Configuration, layout: HarnessLayout, out: String? = nil,
        measurers: any GateMeasurerFactory = ProcessGateMeasurerFactory()
    ) {
        self.configuration = configuration
        self.layout = layout
        self.out = out
        self.measurers = measurers
    }

    /// Builds, measures and judges, then writes `<stem>.md` and `<stem>.json`. `log` gets progress lines.
    /// - Throws: `HarnessError`: a bad suite (naming the file and field), an unknown revision or a dirty tree
    ///   (exit 6), a build or worker failure or a report that cannot be written (7). No report is written then.
    public func run(log: @escaping @Sendable (String) -> Void = { _ in }) async throws(HarnessError) -> Result {
        let report = try await CompareDriver(configuration: configuration, measurers: measurers).run(log: log)
        let reports = layout.reportsDirectory ?? layout.root.appendingPathComponent(HarnessLayout.defaultReports)
        let stem = out ?? reports.appendingPathComponent(report.runID).path
        let markdown = URL(fileURLWithPath: stem + ".md")
        let json = URL(fileURLWithPath: stem + ".json")
        try AtomicFileWriter.write(Data(report.markdown.utf8), to: markdown)
        try AtomicFileWriter.write(try report.json(), to: json)
        return Result(
            report: report, exitCode: HarnessExitCode(rawValue: Int32(report.exitCode)) ?? .harnessError,
            files: [markdown, json])
    }
}
