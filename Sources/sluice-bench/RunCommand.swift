import ArgumentParser
import Dispatch
import Foundation
import SluiceBench

#if canImport(Glibc)
import Glibc
#endif

/// `sluice-bench run --suite NAME`: measures a suite and writes a results file.
struct RunCommand: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a suite and write its results file.",
        discussion: """
            Results go to stdout (a table, or the results file with --format json) and to --out \
            (default reports/<run-id>.results.json). Progress goes to stderr, on a terminal only. \
            Ctrl-C stops after the current sample and writes partial results (exit 130).

            \(ExitCodeHelp.sentence(
                [.pass, .functionalFailure, .badInput, .harnessError, .interrupted],
                notes: [.pass: "all benchmarks passed", .functionalFailure: "a benchmark failed its output check or threw",
                        .badInput: "bad suite file or arguments"]))
            """)

    @Option(help: "The suite to run: suites/<NAME>.json.")
    var suite: String?

    @Option(help: "Run this suite file instead of a named suite.")
    var suiteFile: String?

    @Option(help: "The folder holding suite files (default: ./suites, else the package's suites/).")
    var suitesDir: String?

    @Option(help: "Only benchmarks whose name matches this regular expression.")
    var filter: String?

    @Option(help: "Where to write the results file (default: reports/<run-id>.results.json).")
    var out: String?

    @Option(help: "stdout format: text (a table) or json (the results file).")
    var format: Format = .text

    @Option(help: "Run only shard K of N (1-based, e.g. 2/3): sorted round-robin over the selected benchmarks.")
    var shard: String?

    @Flag(help: "Measure everything in this process (no worker processes; the suite's `processes` is ignored).")
    var inProcess = false

    @Flag(help: "Skip the allocation lane.")
    var noAllocations = false

    @Flag(help: "Off a terminal, print one line per soak/chaos snapshot to stderr.")
    var verbose = false

    func validate() throws {
        if (suite == nil) == (suiteFile == nil) {
            throw ValidationError("Give exactly one of --suite NAME or --suite-file PATH (see `sluice-bench list --suites`).")
        }
        if let shard {
            do { _ = try BenchmarkShard(parsing: shard) } catch let error as HarnessError {
                throw ValidationError(error.message)
            }
        }
        if let filter {
            do { _ = try Regex(filter) } catch {
                throw ValidationError("--filter is not a valid regular expression: \(error)")
            }
        }
    }

    func run() async throws {
        try await CommandSupport.finish {
            let cancellation = RunCancellation()
            let signalSource = Self.installInterruptHandler(cancellation)
            defer { signalSource.cancel() }
            let progress = ProgressDisplay(verbose: verbose)
            let session = RunSession(
                configuration: try makeConfiguration(), layout: HarnessLayout(suitesDirectory: suitesDir),
                out: out.map { URL(fileURLWithPath: $0) })
            let result = try await session.run(cancellation: cancellation, log: { CommandSupport.diagnostic($0) }) {
                progress.handle($0)
            }
            let results = result.outcome.results
            switch format {
            case .text:
                print(ResultsTableFormatter.format(results), terminator: "")
                print(DriverFiguresFormatter.format(results), terminator: "")
            case .json: print(String(decoding: try results.encoded(), as: UTF8.self))
            }
            fflush(nil)
            CommandSupport.diagnostic("results: \(result.resultsFile.path)\(results.isPartial ? " (partial)" : "")")
            for path in result.snapshotFiles { CommandSupport.diagnostic("snapshots: \(path)") }
            for failed in results.benchmarks where failed.status == .failed {
                CommandSupport.diagnostic("functional failure: \(failed.name): \(failed.error ?? "")")
            }
            return result.outcome.exitCode
        }
    }

    private func makeConfiguration() throws -> RunConfiguration {
        let loader = CommandSupport.loader(suitesDirectory: suitesDir)
        let suiteFile: SuiteFile
        if let path = self.suiteFile {
            suiteFile = try loader.load(file: URL(fileURLWithPath: path))
        } else {
            suiteFile = try loader.load(named: suite ?? "")
        }
        return RunConfiguration(
            suite: suiteFile, filter: filter, shard: try shard.map { try BenchmarkShard(parsing: $0) },
            isolation: inProcess ? .inProcess : .workers(executable: WorkerClient.currentExecutable),
            capturesAllocations: !noAllocations)
    }

    /// Ctrl-C sets the cancellation flag once (the run then stops between samples and writes partial results);
    /// a second Ctrl-C exits at once with 130.
    private static func installInterruptHandler(_ cancellation: RunCancellation) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if cancellation.isCancelled { Glibc.exit(HarnessExitCode.interrupted.rawValue) }
            cancellation.cancel()
            CommandSupport.diagnostic("\ninterrupted: finishing the current sample, then writing partial results")
        }
        source.resume()
        return source
    }
}
