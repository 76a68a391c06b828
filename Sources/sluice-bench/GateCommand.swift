import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench gate`: the pull-request gate. Builds the base revision, measures base and candidate in the same
/// session in fresh worker processes, and judges the candidate. What `ci/pr-gate` runs.
struct GateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Judge the work tree against its base revision, both measured now on this machine.",
        discussion: """
            The base is --base REV, else the merge-base with origin/$GITHUB_BASE_REF when that is set, else the \
            merge-base with the remote's default branch when it differs from HEAD, else HEAD~1; the report says \
            which rule chose it, and a missing base is bad input (exit 6). The base is built once in \
            .build-compare/<tree-hash>/ and reused. The candidate is this binary, built from the work tree \
            (uncommitted changes included, and said so in the report).

            Every benchmark runs in fresh worker processes, base and candidate in a seeded alternating order; \
            each process gives one value per metric (the median of its rounds). The timing lane tests each \
            change with an exact one-sided Mann-Whitney test over process values, controls the family-wise \
            error across the suite with Holm-Bonferroni, and re-measures inconclusive changes with more \
            process pairs, spending alpha across looks. Allocation counts are exact and are also checked against \
            the stored baseline of this environment when there is one.

            \(ExitCodeHelp.sentence([
                .pass, .performanceRegression, .functionalFailure, .inconclusive, .badInput, .harnessError,
                .interrupted,
            ]))
            """)

    @Option(help: "The suite to gate on: suites/<NAME>.json.")
    var suite = "pr"

    @Option(help: "A suite file to use instead of --suite.")
    var suiteFile: String?

    @Option(help: "The base revision (default: see above).")
    var base: String?

    @Option(help: "Worker process pairs per benchmark at the first look (at least 2).")
    var processes = GateSession.Options.defaultProcessesPerSide

    @Option(help: "Timing rounds in each worker process.")
    var rounds = GateSession.Options.defaultRoundsPerProcess

    @Option(help: "Most looks: inconclusive timing changes get --processes more pairs per look.")
    var looks = GateSession.Options.defaultMaxLooks

    @Option(help: "Family-wise error rate of the timing lane across the suite and all looks (one-sided).")
    var alpha = GateConfiguration.defaultAlpha

    @Option(help: "Seed of the alternating order (default: random, printed).")
    var seed: UInt64?

    @Option(help: "The build command of the base, run with sh -c in its cached tree.")
    var buildCommand = RevisionBuilder.defaultBuildCommand

    @OptionGroup var paths: LayoutOptions

    @Option(help: "stdout format: text (the Markdown report) or json (the JSON report).")
    var format: GateCommandSupport.Format = .text

    @Option(help: ArgumentHelp("Today's date (YYYY-MM-DD) for waiver expiry.", visibility: .hidden))
    var today: String?

    func validate() throws {
        guard processes >= 2, rounds >= 1, looks >= 1 else {
            throw ValidationError("--processes must be at least 2, --rounds and --looks at least 1")
        }
        guard alpha > 0 && alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1, e.g. 0.05") }
    }

    func run() async throws {
        try await CommandSupport.finish {
            var request = GateRequest(
                candidateExecutable: WorkerClient.currentExecutable, today: GateCommandSupport.today(today))
            request.suiteName = suite
            request.suiteFile = suiteFile
            request.base = base
            request.environment = ProcessInfo.processInfo.environment
            request.processesPerSide = processes
            request.roundsPerProcess = rounds
            request.maxLooks = looks
            request.alpha = alpha
            request.seed = seed
            request.buildCommand = buildCommand
            let result = try await GateSession.gate(request, layout: paths.layout) { CommandSupport.diagnostic($0) }
            return try GateCommandSupport.show(result.report, files: result.files, format: format)
        }
    }
}

/// The folders every session command can override; they become a `HarnessLayout`.
struct LayoutOptions: ParsableArguments {
    @Option(help: "The folder holding suite files (default: ./suites, else the package's suites/).")
    var suitesDir: String?

    @Option(help: "The baselines folder (default: ./baselines).")
    var baselinesDir: String?

    @Option(help: "Where to write reports and results (default: ./reports; '-' writes none).")
    var reportsDir: String?

    @Option(help: "Where builds of other revisions are cached (default: ./.build-compare).")
    var cacheDir: String?

    var layout: HarnessLayout {
        HarnessLayout(
            suitesDirectory: suitesDir, baselinesDirectory: baselinesDir, reportsDirectory: reportsDir,
            buildCacheDirectory: cacheDir)
    }
}
