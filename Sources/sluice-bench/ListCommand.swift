import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench list [--suite NAME]`: the registered benchmarks, or one suite's.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List registered benchmarks, the benchmarks of a suite, or the suites.",
        discussion: ExitCodeHelp.sentence(
            [.pass, .badInput, .harnessError], notes: [.badInput: "an unknown or bad suite"]))

    @Option(help: "List the benchmarks of this suite (a file in the suites folder).")
    var suite: String?

    @Flag(help: "List the suites instead of benchmarks.")
    var suites = false

    @Option(help: "The folder holding suite files (default: ./suites, else the package's suites/).")
    var suitesDir: String?

    func run() async throws {
        try await CommandSupport.finish {
            let loader = CommandSupport.loader(suitesDirectory: suitesDir)
            let registry = BenchmarkRegistry.standard
            if suites {
                for name in try loader.availableSuites() {
                    let suite = try loader.load(named: name)
                    print("\(name)  [\(suite.tier.rawValue)] \(suite.benchmarks.count) benchmarks  \(suite.description ?? "")")
                }
            } else if let suite {
                let file = try loader.load(named: suite)
                for entry in file.benchmarks {
                    let parameters = (entry.parameters ?? [:]).sorted { $0.key < $1.key }
                        .map { "\($0.key)=\(Self.render($0.value))" }.joined(separator: " ")
                    print(parameters.isEmpty ? entry.name : "\(entry.name)  \(parameters)")
                }
            } else {
                for benchmark in registry.benchmarks {
                    print("\(benchmark.name)  \(benchmark.summary)")
                    for parameter in benchmark.parameters {
                        print("    \(parameter.name) (\(parameter.kind.rawValue)): \(parameter.summary)")
                    }
                }
            }
            return .pass
        }
    }

    static func render(_ value: JSONParameter) -> String {
        switch value {
        case .int(let value): "\(value)"
        case .double(let value): "\(value)"
        case .string(let value): value
        case .bool(let value): "\(value)"
        }
    }
}
