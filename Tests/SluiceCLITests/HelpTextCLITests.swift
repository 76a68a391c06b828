import Foundation
import Testing

/// Help text wraps at the terminal's width: no hard line breaks inside a paragraph.
@Suite struct HelpTextCLITests {
    static let commands = [
        "list", "run", "check", "gate", "baseline", "selftest", "lint", "trend", "merge", "export", "compare", "figures",
    ]

    /// With a very wide terminal every paragraph of the overview is one line, so each line ends a sentence.
    @Test(arguments: commands)
    func paragraphsAreNotBrokenByHand(command: String) throws {
        let result = try CLIRunner.run("sluice-bench", [command, "--help"], environment: ["COLUMNS": "1000"])
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
}
