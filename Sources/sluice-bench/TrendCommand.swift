import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench trend`: appends runs to the history and publishes `reports/trend/` (HTML page and Markdown).
struct TrendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trend",
        abstract: "Append results to the history and publish the trend page (index.html and README.md).",
        discussion: """
            With --append, each results file's summary (p50, p99, unit, direction, sample count per benchmark \
            and metric) is appended to <history-dir>/<environment-key>.jsonl, with its commit's date from git. \
            Then the page is built from --history files (default: every .jsonl in --history-dir) and written \
            to --out. The page is self-contained: inline CSS and SVG, nothing from the network, and a small \
            inline script for the filter box only. Each change links to its commit through --commit-url \
            (default: derived from the repository's origin remote on GitHub, GitLab or Codeberg).

            \(ExitCodeHelp.sentence(
                [.pass, .badInput, .harnessError],
                notes: [.pass: "published", .badInput: "a results or history file is damaged",
                        .harnessError: "a file could not be written"]))
            """)

    @Option(name: .customLong("history"), help: "A history file to chart (repeatable). Default: all in --history-dir.")
    var historyFiles: [String] = []

    @Option(help: "The folder of history files.")
    var historyDir = HarnessLayout.defaultReports + "/" + HarnessLayout.historyFolder

    @Option(name: .customLong("append"), help: "A results file to append to the history first (repeatable).")
    var appendFiles: [String] = []

    @Option(help: "Where the page goes.")
    var out = HarnessLayout.defaultReports + "/" + HarnessLayout.trendFolder

    @Option(help: "The git repository the commits' dates are read from.")
    var repository = "."

    @Option(help: "Runs compared on each side of a possible step.")
    var window = 6

    @Option(help: "Smallest relative change of the median that counts as a step (0.05 = 5 %).")
    var minEffect = 0.05

    @Option(help: "Largest Mann-Whitney p-value that counts as a step.")
    var significance = 0.01

    @Option(help: "Commit link template with {commit}, e.g. https://github.com/o/r/commit/{commit}.")
    var commitURL: String?

    @Flag(help: "Only append to the history; do not publish the page.")
    var appendOnly = false

    func validate() throws {
        guard window >= 4 else { throw ValidationError("--window must be at least 4 runs") }
        guard minEffect >= 0, significance > 0, significance < 1 else {
            throw ValidationError("--min-effect must be >= 0 and --significance in (0, 1)")
        }
        guard !appendOnly || !appendFiles.isEmpty else {
            throw ValidationError("--append-only needs at least one --append RESULTS")
        }
        for file in historyFiles where !FileManager.default.fileExists(atPath: file) {
            throw ValidationError("--history \(file): no such file (history files are made by --append)")
        }
    }

    func run() async throws {
        try await CommandSupport.finish {
            var request = TrendSession.Request(layout: HarnessLayout())
            request.appendFiles = appendFiles.map { URL(fileURLWithPath: $0) }
            request.historyFiles = historyFiles.map { URL(fileURLWithPath: $0) }
            request.historyDirectory = URL(fileURLWithPath: historyDir)
            request.outputDirectory = URL(fileURLWithPath: out)
            request.repository = URL(fileURLWithPath: repository)
            request.detector = ChangePointDetector(
                window: window, minimumSide: min(4, window), significance: significance, minimumEffect: minEffect)
            request.commitURL = commitURL
            request.appendsOnly = appendOnly
            let result = try TrendSession(request: request).run { CommandSupport.diagnostic($0) }
            guard let report = result.report else { return .pass }
            let changes = report.changes
            let regressions = changes.filter { $0.kind == .regression }.count
            print("trend: \(report.environments.map(\.runCount).reduce(0, +)) run(s), "
                + "\(regressions) regression(s), \(changes.count - regressions) improvement(s)")
            for change in changes {
                let amount = change.relativeChange.map { String(format: "%+.1f%%", $0 * 100) } ?? "step"
                print("  \(change.kind.rawValue) \(change.benchmark) \(change.metric) \(amount) at "
                    + String(change.commit.prefix(12)))
            }
            for file in result.written { print(file.path) }
            return .pass
        }
    }
}
