import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench merge SHARD... --out FILE`: one results file from `run --shard K/N` results.
struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge shard results (run --shard K/N) into one results file.",
        discussion: """
            The shards must come from the same suite, split and environment: fingerprints may differ only in
            the shard. A benchmark in two different shards is an error; two files of the same shard are
            repeated runs and are combined (rounds concatenated, histograms merged bucket by bucket).
            With every shard 1..N present the result is whole (not partial) and check/trend take it like any run.
            Exit codes: 0 merged, 5 fingerprints differ, 6 bad or inconsistent input, 7 write failure.
            """)

    @Argument(help: "The shard results files.")
    var shards: [String]

    @Option(help: "The merged results file to write.")
    var out: String

    @Option(help: "The merged run's id (default: the first shard's id with -merged).")
    var runID: String?

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("give the shard results files to merge") }
    }

    func run() async throws {
        let inputs = try shards.map { ShardMerger.Input(results: try BenchTrendSupport.readResults($0), source: $0) }
        let merged: ResultsFile
        do throws(MergeError) {
            merged = try ShardMerger.merge(inputs, runID: runID)
        } catch {
            throw BenchTrendSupport.fail(error.description, error.exitCode)
        }
        do throws(GateError) {
            try AtomicFileWriter.write(try ResultsMerger.encode(merged), to: URL(fileURLWithPath: out))
        } catch {
            throw BenchTrendSupport.fail(error.description, BenchTrendSupport.exitCode(error))
        }
        let state = merged.isPartial ? "partial, shards \(merged.shard ?? "?")" : "complete"
        print("merge: \(merged.benchmarks.count) benchmark(s) from \(shards.count) file(s), \(state) -> \(out)")
    }
}

/// Helpers shared by the trend, merge, export and compare commands.
enum BenchTrendSupport {
    /// Writes a line to stderr.
    static func diagnostic(_ message: String) {
        CommandSupport.diagnostic(message)
    }

    /// Prints `error: message` on stderr and returns the exit to throw.
    static func fail(_ message: String, _ code: HarnessExitCode) -> ExitCode {
        diagnostic("error: \(message)")
        return ExitCode(code.rawValue)
    }

    /// The exit code for a gate-side error (file reading and writing).
    static func exitCode(_ error: GateError) -> HarnessExitCode {
        switch error.code {
        case .missingBaseline: .missingBaseline
        case .incomparableEnvironment: .incomparableEnvironment
        case .ioFailure: .harnessError
        default: .badInput
        }
    }

    /// Reads and checks a results file; a damaged or missing one exits with bad input, naming the file.
    static func readResults(_ path: String) throws -> ResultsFile {
        do throws(GateError) {
            return try JSONFileReader.read(
                ResultsFile.self, from: URL(fileURLWithPath: path), kind: "results file",
                schemaVersion: ResultsFile.currentSchemaVersion)
        } catch {
            throw fail(error.description, exitCode(error))
        }
    }
}
