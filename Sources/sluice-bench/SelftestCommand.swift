import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench selftest`: the gate judged on itself, with A/A runs and injected regressions.
struct SelftestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Measure the gate's false-alarm and detection rates with injected regressions.",
        discussion: """
            Each gate run measures selftest/spin and selftest/allocations in worker processes four times: a
            baseline, the same build again (A/A), spin slowed by --slowdown, and one more allocation per
            operation on every allocation case. Prints the false-alarm rate and the detection rates.
            Exit codes: 0 targets met (no A/A alert, slowdown detected in >= 95 % of runs, every extra
            allocation detected), 2 targets not met, 6 bad arguments, 7 harness error.
            """)

    @Option(help: "Gate runs.")
    var runs = 5

    @Option(help: "The injected slowdown factor of selftest/spin.")
    var slowdown = 1.10

    @Option(help: "The relative wall-time threshold the self-test gates at.")
    var threshold = 0.05

    @Option(help: "Allocations per operation of the allocation cases, comma-separated.")
    var allocations = "1,500000"

    @Option(help: "Loop steps per operation of selftest/spin.")
    var work = 20_000

    @Option(help: "Timing rounds of selftest/spin, spread over --processes worker processes.")
    var rounds = 8

    @Option(help: "Worker processes the timing rounds are spread over.")
    var processes = 4

    @Option(help: "Least time one timing round takes, in seconds.")
    var roundSeconds = 0.03

    @Option(help: "stdout format: text or json.")
    var format: GateCommandSupport.Format = .text

    func validate() throws {
        guard runs > 0 else { throw ValidationError("--runs must be at least 1") }
        guard slowdown > 1 else { throw ValidationError("--slowdown must be a factor above 1, e.g. 1.10") }
        guard threshold >= 0, threshold < slowdown - 1 else {
            throw ValidationError("--threshold must be between 0 and the slowdown (e.g. 0.05 for --slowdown 1.10)")
        }
        guard (try? allocationCounts()) != nil else {
            throw ValidationError("--allocations must be positive integers separated by commas, e.g. 1,500000")
        }
        guard rounds >= 2, processes >= 1, roundSeconds >= 0, work > 0 else {
            throw ValidationError("--rounds must be >= 2, --processes >= 1, --work > 0, --round-seconds >= 0")
        }
    }

    func allocationCounts() throws -> [Int] {
        let counts = allocations.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.count == allocations.split(separator: ",").count, counts.allSatisfy({ $0 > 0 })
        else { throw ValidationError("bad --allocations") }
        return counts
    }

    func run() async throws {
        try await GateCommandSupport.finish {
            let configuration = SelftestConfiguration(
                runs: runs, slowdown: slowdown, timingThreshold: threshold, spinWork: work,
                allocationCounts: try allocationCounts(),
                timingSettings: RunSettings(
                    maxWarmupSeconds: 0.1, minRounds: rounds, maxRounds: rounds, minRoundSeconds: roundSeconds,
                    processes: processes))
            let selftest = Selftest(configuration: configuration) { suite in
                try await SuiteMeasurement.run(suite, inProcess: false, out: "-", reportsDir: nil, quiet: true)
            }
            let report = try await selftest.run { line in GateCommandSupport.diagnostic(line) }
            switch format {
            case .text: print(report.text, terminator: "")
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            }
            return report.meetsTargets ? .pass : .functionalFailure
        }
    }
}
