import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench baseline update --suite NAME [--from RESULTS ...]`: record the baseline a suite is gated on.
struct BaselineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Manage the stored baselines.",
        discussion: ExitCodeHelp.sentence([.pass, .badInput, .harnessError]),
        subcommands: [Update.self])

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Write baselines/<environment-key>/<suite>.json from a run or from results files.",
            discussion: """
                With --from (repeatable) the results files are merged: their rounds are concatenated, so a \
                baseline can span several runs and processes. Without --from the suite is run. The file is written \
                atomically; a partial or failed run, another suite's results or a damaged file is refused and the \
                existing baseline is left as it was. --runs N runs the suite N times and merges them, so the \
                baseline holds N times the suite's processes.

                \(ExitCodeHelp.sentence([.pass, .badInput, .harnessError], notes: [.pass: "written"]))
                """)

        @Option(help: "The suite: suites/<NAME>.json.")
        var suite: String

        @Option(help: "A results file to take (repeat to merge several).")
        var from: [String] = []

        @Option(help: "The folder holding suite files (default: ./suites, else the package's suites/).")
        var suitesDir: String?

        @Option(help: "The baselines folder (default: ./baselines).")
        var baselinesDir: String?

        @Option(help: "Where to write the run's results file, when the suite is run.")
        var out: String?

        @Flag(help: "Measure everything in this process (no worker processes).")
        var inProcess = false

        @Option(help: "Without --from: run the suite this many times and merge the runs.")
        var runs = 1

        func validate() throws {
            guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
            guard from.isEmpty || runs == 1 else { throw ValidationError("--runs applies only without --from") }
        }

        func run() async throws {
            try await CommandSupport.finish {
                var request = BaselineSession.Request(suiteName: suite, today: GateCommandSupport.today(nil))
                request.resultsFiles = from.map { URL(fileURLWithPath: $0) }
                request.isolation = inProcess ? .inProcess : .workers(executable: WorkerClient.currentExecutable)
                request.runs = runs
                request.resultsDestination = .init(path: out)
                let progress = ProgressDisplay()
                let url = try await BaselineSession(
                    request: request, layout: HarnessLayout(suitesDirectory: suitesDir, baselinesDirectory: baselinesDir)
                ).run(log: { CommandSupport.diagnostic($0) }, onEvent: { progress.handle($0) })
                print(url.path)
                CommandSupport.diagnostic("baseline written: \(url.path)")
                return .pass
            }
        }
    }
}
