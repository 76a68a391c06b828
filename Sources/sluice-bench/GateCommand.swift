import ArgumentParser
import SluiceBench

/// `sluice-bench gate`: run the `pr` suite and check it against its committed baseline. What CI runs.
struct GateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Run the pr suite and check it against its baseline (the pull-request gate).",
        discussion: """
            Same as `check --suite pr`, running the suite. Exit codes: 0 pass, 1 performance regression,
            2 functional failure, 3 inconclusive, 4 missing baseline, 5 incomparable environment, 6 bad input,
            7 harness error, 130 interrupted.
            """)

    @Option(help: "The suite to gate on.")
    var suite = "pr"

    @Option(help: "Compare this results file instead of running the suite.")
    var results: String?

    @OptionGroup var options: GateOptions

    func run() async throws {
        try await GateCommandSupport.finish {
            try await options.check(suiteName: suite, suiteFile: nil, baseline: nil, results: results)
        }
    }
}
