import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench export --format github-action-benchmark|openmetrics RESULTS`: results for existing dashboards.
struct ExportCommand: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case githubActionBenchmark = "github-action-benchmark"
        case openmetrics
    }

    enum Direction: String, ExpressibleByArgument, CaseIterable {
        case smaller, bigger
    }

    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a results file as github-action-benchmark JSON or OpenMetrics text.",
        discussion: """
            github-action-benchmark: the action reads one tool per file, so --out DIR writes \
            DIR/customSmallerIsBetter.json and DIR/customBiggerIsBetter.json; without --out, --direction \
            smaller|bigger prints that array. Entries are named "<benchmark> <metric>" and valued at the p50.

            openmetrics: summaries in base units with # TYPE/# UNIT/# HELP and # EOF, to stdout or --out FILE. \
            Unavailable metrics are never exported as zero; they are listed on stderr.

            \(ExitCodeHelp.sentence(
                [.pass, .badInput, .harnessError], notes: [.pass: "exported", .harnessError: "write failure"]))
            """)

    @Option(help: "github-action-benchmark or openmetrics.")
    var format: Format

    @Argument(help: "The results file.")
    var results: String

    @Option(help: "Output: a folder for github-action-benchmark, a file for openmetrics. Default: stdout.")
    var out: String?

    @Option(help: "github-action-benchmark to stdout: which array, smaller or bigger (is better).")
    var direction: Direction?

    func validate() throws {
        if format == .githubActionBenchmark && out == nil && direction == nil {
            throw ValidationError(
                "github-action-benchmark needs --out DIR (both arrays) or --direction smaller|bigger (one, to stdout)")
        }
        if format == .openmetrics && direction != nil {
            throw ValidationError("--direction applies to github-action-benchmark only")
        }
    }

    func run() async throws {
        try await CommandSupport.finish {
            let file = try ResultsFile.load(from: URL(fileURLWithPath: results))
            switch format {
            case .githubActionBenchmark:
                let export = GitHubActionBenchmarkExporter.export(file)
                for line in export.omitted { CommandSupport.diagnostic("export: left out \(line)") }
                if let out {
                    let tools: [GitHubActionBenchmarkExporter.Tool] = direction.map {
                        [$0 == .smaller ? .customSmallerIsBetter : .customBiggerIsBetter]
                    } ?? GitHubActionBenchmarkExporter.Tool.allCases
                    for tool in tools {
                        let url = URL(fileURLWithPath: out).appendingPathComponent("\(tool.rawValue).json")
                        try AtomicFileWriter.write(GitHubActionBenchmarkExporter.json(export.entries[tool] ?? []), to: url)
                        print(url.path)
                    }
                } else if let direction {
                    let tool: GitHubActionBenchmarkExporter.Tool =
                        direction == .smaller ? .customSmallerIsBetter : .customBiggerIsBetter
                    FileHandle.standardOutput.write(GitHubActionBenchmarkExporter.json(export.entries[tool] ?? []))
                    print()
                }
            case .openmetrics:
                let text = OpenMetricsExporter.text(file)
                if let out {
                    try AtomicFileWriter.write(Data(text.utf8), to: URL(fileURLWithPath: out))
                    print(out)
                } else {
                    FileHandle.standardOutput.write(Data(text.utf8))
                }
            }
            return .pass
        }
    }
}
