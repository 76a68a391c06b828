import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench figures --results FILE [--format markdown|text]`: the README's "Current figures" table.
struct FiguresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figures",
        abstract: "Print our figures beside our peers' from one results file, with the ratios.",
        discussion: """
            Pairs each benchmark in the results with the peer it declares in the registry (for example \
            macro/pipeline/closed with macro/foundation/closed, meso/fusion/chain10/fused with \
            meso/fusion/chain10/unfused) and prints the medians of bytes/s (else items/s, else wall time) and \
            the ratio: how many times better ours is. Run the peer in the same suite run, so both figures come \
            from one machine and one moment.

            For a scale-out pair whose results carry the CPU each item cost (macro/distributed/redis/workers2 \
            against workers1, with nodes_cpu_per_item and server_cpu_per_item), a line under the table gives \
            the ratio's ceilings: the server's single thread busy all the time, and all the machine's CPUs busy.

            \(ExitCodeHelp.sentence(
                [.pass, .badInput], notes: [.pass: "table printed", .badInput: "unreadable results"]))
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, text
    }

    @Option(help: "The results file written by `sluice-bench run --out FILE`.")
    var results: String

    @Option(help: "markdown (for the README) or text.")
    var format: Format = .markdown

    func run() async throws {
        try await CommandSupport.finish {
            let table = FiguresTable(results: try ResultsFile.load(from: URL(fileURLWithPath: results)))
            if table.rows.isEmpty {
                CommandSupport.diagnostic("note: no benchmark in \(results) declares a peer that could be paired")
            }
            print(format == .markdown ? table.markdown() : table.text(), terminator: "")
            return .pass
        }
    }
}
