import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench merge SHARD... --out FILE`: one results file from `run --shard K/N` results.
struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge shard results (run --shard K/N) into one results file.",
        discussion: """
            The shards must come from the same suite, split and environment: fingerprints may differ only in \
            the shard. A benchmark in two different shards is an error; two files of the same shard are \
            repeated runs and are combined (rounds concatenated, histograms merged bucket by bucket). \
            With every shard 1..N present and none interrupted the result is whole (not partial) and check/trend \
            take it like any run. The same run (run id) given twice is an error.

            \(ExitCodeHelp.sentence(
                [.pass, .incomparableEnvironment, .badInput, .harnessError],
                notes: [.pass: "merged", .incomparableEnvironment: "fingerprints differ",
                        .badInput: "bad or inconsistent input", .harnessError: "write failure"]))
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
        try await CommandSupport.finish {
            let inputs = try shards.map {
                ShardMerger.Input(results: try ResultsFile.load(from: URL(fileURLWithPath: $0)), source: $0)
            }
            let merged = try ShardMerger.merge(inputs, runID: runID)
            try AtomicFileWriter.write(try ResultsMerger.encode(merged), to: URL(fileURLWithPath: out))
            let state = merged.isPartial ? "partial, shards \(merged.shard ?? "?")" : "complete"
            print("merge: \(merged.benchmarks.count) benchmark(s) from \(shards.count) file(s), \(state) -> \(out)")
            return .pass
        }
    }
}
