import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench check --suite NAME [--baseline FILE] [--results FILE]`: run a suite (or take its results) and
/// compare with the baseline under the suite's thresholds.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare a suite's results with its baseline and give a verdict.",
        discussion: """
            Without --results the suite is run first. The baseline is --baseline, else \
            baselines/<environment-key>/<suite>.json. The Markdown report goes to stdout (--format json: the \
            JSON report) and both reports to reports/<run-id>.md and .json; diagnostics go to stderr.

            \(ExitCodeHelp.sentence([
                .pass, .performanceRegression, .functionalFailure, .inconclusive, .missingBaseline,
                .incomparableEnvironment, .badInput, .harnessError,
            ]))
            """)

    @Option(help: "The suite: suites/<NAME>.json.")
    var suite: String?

    @Option(help: "Use this suite file instead of a named suite.")
    var suiteFile: String?

    @Option(help: "Compare with this baseline file instead of the stored one.")
    var baseline: String?

    @Option(help: "Compare this results file instead of running the suite.")
    var results: String?

    @OptionGroup var options: GateOptions

    func validate() throws {
        if (suite == nil) == (suiteFile == nil) {
            throw ValidationError("Give exactly one of --suite NAME or --suite-file PATH.")
        }
    }

    func run() async throws {
        try await GateCommandSupport.finish {
            var request = CheckSession.Request(today: GateCommandSupport.today(options.today))
            request.suiteName = suite ?? request.suiteName
            request.suiteFile = suiteFile
            request.baselineFile = baseline.map { URL(fileURLWithPath: $0) }
            request.resultsFile = results.map { URL(fileURLWithPath: $0) }
            request.resultsDestination = .init(path: options.out)
            request.isolation = options.inProcess ? .inProcess : .workers(executable: WorkerClient.currentExecutable)
            request.confidence = options.confidence
            request.allowsIncomparableEnvironments = options.forceIncomparable
            let progress = ProgressDisplay()
            let result = try await CheckSession(request: request, layout: options.layout).run(
                log: { CommandSupport.diagnostic($0) }, onEvent: { progress.handle($0) })
            return try GateCommandSupport.show(result.report, files: result.files, format: options.format)
        }
    }
}
