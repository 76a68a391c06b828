import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench lint --suite NAME`: check a suite's thresholds and waivers against its benchmarks.
struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check a suite's thresholds and waivers.",
        discussion: """
            Reports thresholds that name no benchmark or metric of the suite, gated metrics without a threshold, \
            malformed limits and expired waivers. Findings go to stdout (--format json: a JSON array).

            \(ExitCodeHelp.sentence(
                [.pass, .badInput],
                notes: [.pass: "no errors; warnings allowed unless --strict", .badInput: "errors or a bad suite file"]))
            """)

    @Option(help: "The suite: suites/<NAME>.json.")
    var suite: String?

    @Option(help: "Lint this suite file instead of a named suite.")
    var suiteFile: String?

    @Option(help: "The folder holding suite files (default: ./suites, else the package's suites/).")
    var suitesDir: String?

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Option(help: "stdout format: text or json.")
    var format: GateCommandSupport.Format = .text

    @Option(help: ArgumentHelp("Today's date (YYYY-MM-DD) for waiver expiry.", visibility: .hidden))
    var today: String?

    func validate() throws {
        if (suite == nil) == (suiteFile == nil) {
            throw ValidationError("Give exactly one of --suite NAME or --suite-file PATH.")
        }
    }

    func run() async throws {
        try await GateCommandSupport.finish {
            let (suiteFile, path) = try GateCommandSupport.loadSuite(
                name: suite, file: self.suiteFile, suitesDirectory: suitesDir)
            let findings = SuiteLint.lint(suite: suiteFile, file: path, today: GateCommandSupport.today(today))
            switch format {
            case .text:
                for finding in findings { print(finding.description) }
                if findings.isEmpty { print("\(suiteFile.name): no findings") }
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(findings), as: UTF8.self))
            }
            let failing = findings.contains { $0.severity == .error || strict }
            return failing ? .badInput : .pass
        }
    }
}
