import Foundation
import Testing

/// Help text wraps at the terminal's width: no hard line breaks inside a paragraph.
@Suite struct HelpTextCLITests {
    /// Every command with help text, as its words on the command line ("" is the top-level `sluice-bench`).
    static let commands = [
        "", "list", "run", "check", "gate", "baseline", "baseline update", "selftest", "lint", "trend", "merge", "export",
        "compare", "figures",
    ]

    static func helpArguments(_ command: String) -> [String] {
        command.split(separator: " ").map(String.init) + ["--help"]
    }

    /// With a very wide terminal every paragraph of the overview is one line, so each line ends a sentence.
    @Test(arguments: commands)
    func paragraphsAreNotBrokenByHand(command: String) throws {
        let result = try CLIRunner.run("sluice-bench", Self.helpArguments(command), environment: ["COLUMNS": "1000"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let overview = lines.prefix { !$0.hasPrefix("USAGE:") }
        for line in overview where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let end = line.trimmingCharacters(in: .whitespaces).last
            #expect(end == "." || end == ":" || end == ")", "\(command): a paragraph breaks mid-sentence: \(line)")
        }
    }

    @Test func narrowTerminalsWrap() throws {
        let result = try CLIRunner.run("sluice-bench", ["gate", "--help"], environment: ["COLUMNS": "60"])
        let overview = result.stdout.split(separator: "\n").prefix { !$0.hasPrefix("USAGE:") }
        #expect(overview.count > 5)
        #expect(overview.allSatisfy { $0.count <= 60 }, "\(overview)")
        #expect(!result.stdout.contains("1\nperformance regression"))
    }

    /// Every help text's exit codes come from `HarnessExitCode`: each number printed is followed by that code's
    /// meaning, so no command's table can drift from the mapper or the README.
    @Test(arguments: commands)
    func exitCodesAreTheHarnessTable(command: String) throws {
        let result = try CLIRunner.run("sluice-bench", Self.helpArguments(command), environment: ["COLUMNS": "1000"])
        let meanings: [Int: String] = [
            0: "pass", 1: "performance regression", 2: "functional failure", 3: "inconclusive", 4: "missing baseline",
            5: "incomparable environment", 6: "bad input", 7: "harness error", 130: "interrupted",
        ]
        let line = try #require(
            result.stdout.split(separator: "\n").first { $0.contains("Exit codes: ") }, "\(command): no exit codes")
        let start = try #require(line.range(of: "Exit codes: "))
        let entries = line[start.upperBound...].split(separator: ", ")
        #expect(!entries.isEmpty)
        for entry in entries where entry.first?.isNumber == true {
            let number = Int(entry.prefix { $0.isNumber }) ?? -1
            let meaning = try #require(meanings[number], "\(command): unknown exit code \(number)")
            #expect(entry.dropFirst("\(number) ".count).hasPrefix(meaning), "\(command): \(entry)")
        }
        if command.isEmpty {
            #expect(entries.count == meanings.count, "the top level lists every code: \(line)")
        }
    }
}
