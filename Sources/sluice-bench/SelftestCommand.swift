import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench selftest`: the shipped gate judged on itself, with A/A runs and mutation patches.
struct SelftestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Measure the shipped gate's false-alarm and detection rates: A/A runs and mutation patches.",
        discussion: """
            Builds HEAD's tree (exported into .build-compare/selftest-<tree>/, never the work tree) and one \
            mutant per patch in ci/selftest/*.patch, then runs the real gate session of the suite --runs times \
            with the same build on both sides (A/A) and --runs times per mutant against the unmutated build. \
            Prints the false-alarm rate, the detection rate per mutation and the minimum detectable effect per \
            benchmark (from the spread between processes); --format json gives the whole report.

            \(ExitCodeHelp.sentence(
                [.pass, .badInput, .harnessError],
                notes: [.pass: "done; the rates are in the report", .badInput: "bad arguments or a patch that does not apply",
                        .harnessError: "a build or worker failed"]))
            """)

    @Option(help: "Gate runs per case.")
    var runs = 5

    @Option(help: "The suite: suites/<NAME>.json.")
    var suite = "pr"

    @Option(name: .customLong("patch"), help: "A mutation patch (repeatable; default: every ci/selftest/*.patch).")
    var patches: [String] = []

    @Flag(help: "Run only the A/A case.")
    var noMutations = false

    @Option(help: "A prebuilt worker for the unmutated side instead of building HEAD's tree.")
    var baseExecutable: String?

    @Option(help: "Worker process pairs per benchmark at the first look.")
    var processes = GateSession.Options.defaultProcessesPerSide

    @Option(help: "Timing rounds in each worker process.")
    var rounds = GateSession.Options.defaultRoundsPerProcess

    @Option(help: "Most looks per gate run.")
    var looks = GateSession.Options.defaultMaxLooks

    @Option(help: "Seed of the alternating orders (run r of case c uses seed + 1000 c + r).")
    var seed: UInt64 = 1

    @Option(help: "Also write the JSON report to this file.")
    var out: String?

    @Option(help: "stdout format: text or json.")
    var format: GateCommandSupport.Format = .text

    @OptionGroup var paths: LayoutOptions

    func validate() throws {
        guard runs >= 1, processes >= 2, rounds >= 1, looks >= 1 else {
            throw ValidationError("--runs and --rounds must be at least 1, --processes at least 2, --looks at least 1")
        }
    }

    func run() async throws {
        try await CommandSupport.finish {
            var request = SelftestSession.Request(today: GateCommandSupport.today(nil))
            request.suiteName = suite
            request.runs = runs
            request.patches = noMutations ? [] : (patches.isEmpty ? nil : patches.map { URL(fileURLWithPath: $0) })
            request.baseExecutable = baseExecutable.map { URL(fileURLWithPath: $0) }
            request.processesPerSide = processes
            request.roundsPerProcess = rounds
            request.maxLooks = looks
            request.seed = seed
            let report = try await SelftestSession.run(request, layout: paths.layout) { CommandSupport.diagnostic($0) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let json = try encoder.encode(report)
            if let out { try AtomicFileWriter.write(json, to: URL(fileURLWithPath: out)) }
            switch format {
            case .json: print(String(decoding: json, as: UTF8.self))
            case .text: print(Self.text(report), terminator: "")
            }
            return .pass
        }
    }

    /// The figures as the README shows them.
    static func text(_ report: SelftestReport) -> String {
        var lines = [
            "sluice-bench selftest: suite \(report.suite), \(report.runsPerCase) gate runs per case, "
                + "\(report.processesPerSide) process pairs per look, up to \(report.maxLooks) looks, "
                + "alpha \(report.alpha) family-wise",
            "",
            "| case | alert runs | inconclusive runs | detected |",
            "|---|---:|---:|---:|",
        ]
        for item in report.cases {
            let detected = item.expected.isEmpty ? "—" : "\(item.detectedRuns)/\(item.runs.count)"
            lines.append("| \(item.name) | \(item.alertRuns)/\(item.runs.count) | "
                + "\(item.inconclusiveRuns)/\(item.runs.count) | \(detected) |")
        }
        lines += ["", "| benchmark | metric | spread between processes | limit | MDE, 1st look | MDE, all looks |",
                  "|---|---|---:|---:|---:|---:|"]
        for effect in report.minimumDetectableEffects {
            lines.append("| \(effect.benchmark) | \(effect.metric) | \(String(format: "%.1f %%", effect.processSpread * 100)) | "
                + (effect.limit.map { String(format: "%.0f %%", $0 * 100) } ?? "—")
                + " | \(String(format: "+%.1f %%", effect.firstLook * 100)) | \(String(format: "+%.1f %%", effect.allLooks * 100)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
