import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench compare <rev-A> <rev-B>`: two commits, built and measured in fresh worker processes in alternating order on this machine.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two commits: build each, run both in alternating fresh processes, judge B against A.",
        discussion: """
            Each commit's tree is exported (git archive) into <cache-dir>/<sha>/src and built there once with \
            --build-command (default: swift build -c release --product sluice-bench); later runs reuse it. \
            Every benchmark of the suite runs in --rounds pairs of fresh worker processes of both builds, in an order \
            drawn from --seed (printed; pass it again to replay). Verdicts follow the gate's rules with A as the \
            baseline. The Markdown report goes to stdout and <out>.md, the JSON report to <out>.json. \
            An unknown revision, a dirty work tree (without --allow-dirty), or a build or worker failure on \
            either side stops before any verdict.

            \(ExitCodeHelp.sentence(
                [.pass, .performanceRegression, .functionalFailure, .inconclusive, .badInput, .harnessError],
                notes: [.badInput: "revision, dirty tree, suite", .harnessError: "build or worker failure"]))
            """)

    @Argument(help: "The baseline revision (branch, tag, sha, HEAD~1, ...).")
    var revisionA: String

    @Argument(help: "The candidate revision.")
    var revisionB: String

    @Option(help: "The suite: suites/<NAME>.json.")
    var suite = "pr"

    @Option(help: "A suite file to use instead of --suite.")
    var suiteFile: String?

    @Option(help: "The folder holding suite files (default: ./suites, else the package's suites/).")
    var suitesDir: String?

    @Option(help: "Fresh worker process pairs per benchmark at the first look (at least 2).")
    var rounds = GateSession.Options.defaultProcessesPerSide

    @Option(help: "Seed of the round order (default: random, printed).")
    var seed: UInt64?

    @Option(help: "The git repository.")
    var repository = "."

    @Option(help: "Where builds are cached, one folder per commit (default: ./.build-compare).")
    var cacheDir: String?

    @Option(help: "The build command, run with sh -c in each commit's tree.")
    var buildCommand = RevisionBuilder.defaultBuildCommand

    @Option(help: "The worker executable, relative to a commit's tree.")
    var workerPath = RevisionBuilder.defaultWorkerPath

    @Flag(help: "Compare although the work tree has uncommitted changes (the report says so).")
    var allowDirty = false

    @Option(help: "Report path without extension (default: reports/compare-<a>-<b>).")
    var out: String?

    func validate() throws {
        guard rounds >= 2 else { throw ValidationError("--rounds must be at least 2 process pairs") }
    }

    func run() async throws {
        try await CommandSupport.finish {
            let seed = seed ?? UInt64.random(in: 0...UInt64(UInt32.max))
            let layout = HarnessLayout(
                suitesDirectory: suitesDir, buildCacheDirectory: cacheDir)
            let configuration = CompareDriver.Configuration(
                repository: URL(fileURLWithPath: repository), revisionA: revisionA, revisionB: revisionB,
                suiteFile: suiteFile.map { URL(fileURLWithPath: $0) } ?? layout.suiteFile(named: suite),
                rounds: rounds, seed: seed, cacheDirectory: layout.buildCacheDirectory, buildCommand: buildCommand,
                workerPath: workerPath, allowsDirtyWorkTree: allowDirty, today: GateCommandSupport.today(nil))
            CommandSupport.diagnostic("compare: seed \(seed) (replay with --seed \(seed))")
            let result = try await CompareSession(configuration: configuration, layout: layout, out: out)
                .run { CommandSupport.diagnostic($0) }
            print(result.report.markdown, terminator: "")
            CommandSupport.diagnostic("compare: wrote \(result.files.map(\.path).joined(separator: " and "))")
            return result.exitCode
        }
    }
}
