import ArgumentParser
import Foundation
import SluiceBench

/// What `check`, `gate`, `baseline`, `selftest` and `lint` share: options, error reporting and exit codes.
enum GateCommandSupport {
    /// Output formats of the gate commands.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    /// Writes a line to stderr.
    static func diagnostic(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Runs `body` and ends the command with its exit code (see `CommandSupport.finish`).
    static func finish(_ body: () async throws -> HarnessExitCode) async throws {
        try await CommandSupport.finish(body)
    }

    /// Prints `report` to stdout in `format`, says on stderr where its files went, and returns its exit code.
    static func show(_ report: GateReport, files: ReportWriter.WrittenFiles?, format: Format) throws
        -> HarnessExitCode
    {
        if let files {
            diagnostic("report: \(files.markdown.path)")
            diagnostic("report: \(files.json.path)")
        }
        switch format {
        case .text: print(MarkdownReportFormatter().format(report), terminator: "")
        case .json: print(String(decoding: try JSONReportFormatter().format(report), as: UTF8.self))
        }
        fflush(nil)
        let code = HarnessExitCode(rawValue: Int32(report.exitCode)) ?? .harnessError
        diagnostic("verdict: \(report.outcome.title) (exit \(code.rawValue), \(code.label))")
        return code
    }

    /// The suite named `name`, or the file at `file`, loaded strictly.
    static func loadSuite(name: String?, file: String?, suitesDirectory: String?) throws -> (SuiteFile, String) {
        let loader = SuiteLoader(suitesDirectory: suitesDirectory.map { URL(fileURLWithPath: $0) })
        if let file {
            return (try loader.load(file: URL(fileURLWithPath: file)), file)
        }
        let name = name ?? "pr"
        return (try loader.load(named: name), loader.suitesDirectory.appendingPathComponent("\(name).json").path)
    }

    /// `--today` when given (tests), else today's UTC date.
    static func today(_ override: String?) -> String {
        override ?? ProcessInfo.processInfo.environment["SLUICE_TODAY"] ?? GateCheck.today()
    }
}

/// The options of `check`.
struct GateOptions: ParsableArguments {
    @Option(help: "The folder holding suite files (default: ./suites, else the package's suites/).")
    var suitesDir: String?

    @Option(help: "The baselines folder (default: ./baselines); the baseline is <dir>/<environment-key>/<suite>.json.")
    var baselinesDir: String?

    @Option(help: "Where to write <run-id>.md and <run-id>.json (default: ./reports; '-' writes none).")
    var reportsDir: String?

    @Option(help: "Where to write the candidate's results file (default: <reports-dir>/<run-id>.results.json).")
    var out: String?

    @Option(help: "stdout format: text (the Markdown report) or json (the JSON report).")
    var format: GateCommandSupport.Format = .text

    @Flag(help: "Compare even when the baseline's environment differs; the report says so prominently.")
    var forceIncomparable = false

    @Option(help: "Two-sided confidence of the timing intervals.")
    var confidence: Double = RatioStatistics.defaultConfidence

    @Flag(help: "Measure everything in this process (no worker processes).")
    var inProcess = false

    @Option(help: ArgumentHelp("Today's date (YYYY-MM-DD) for waiver expiry.", visibility: .hidden))
    var today: String?

    func validate() throws {
        guard confidence > 0 && confidence < 1 else {
            throw ValidationError("--confidence must be between 0 and 1, e.g. 0.95")
        }
    }

    /// The folders as a `HarnessLayout`.
    var layout: HarnessLayout {
        HarnessLayout(suitesDirectory: suitesDir, baselinesDirectory: baselinesDir, reportsDirectory: reportsDir)
    }
}
