import Foundation
import Testing

/// `sluice-bench figures` through the built binary: a tiny run of a peered pair, then its table.
@Suite struct FiguresCLITests {
    static let pairSuite = """
        {
          "schemaVersion": 1, "name": "pair", "tier": "meso",
          "settings": {"maxWarmupSeconds": 0.02, "minRounds": 3, "maxRounds": 3, "minRoundSeconds": 0.01, "processes": 1},
          "metrics": ["wall_time", "throughput_items"],
          "benchmarks": [
            {"name": "meso/fusion/typed/chain3/fused", "parameters": {"elements": 2000}},
            {"name": "meso/fusion/typed/chain3/unfused", "parameters": {"elements": 2000}}
          ]
        }
        """

    @Test func printsThePairWithItsRatio() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-bench-figures-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Self.pairSuite.utf8).write(to: directory.appendingPathComponent("pair.json"))
        let run = try CLIRunner.run(
            "sluice-bench", ["run", "--suite-file", "pair.json", "--in-process", "--out", "pair-results.json"],
            workingDirectory: directory)
        #expect(run.status == 0, "\(run.stderr)")

        let figures = try CLIRunner.run(
            "sluice-bench", ["figures", "--results", "pair-results.json"], workingDirectory: directory)
        #expect(figures.status == 0, "\(figures.stderr)")
        let lines = figures.stdout.split(separator: "\n")
        #expect(lines.first == "| benchmark | ours | peer | peer's | ratio |")
        #expect(lines.count == 3, "\(figures.stdout)")
        #expect(lines.last?.hasPrefix("| `meso/fusion/typed/chain3/fused` | ") == true)
        #expect(lines.last?.contains("| `meso/fusion/typed/chain3/unfused` | ") == true)
        #expect(lines.last?.hasSuffix("× |") == true)

        let text = try CLIRunner.run(
            "sluice-bench", ["figures", "--results", "pair-results.json", "--format", "text"],
            workingDirectory: directory)
        #expect(text.status == 0 && text.stdout.hasPrefix("benchmark"))

        let missing = try CLIRunner.run(
            "sluice-bench", ["figures", "--results", "absent.json"], workingDirectory: directory)
        #expect(missing.status == 6, "a missing results file is bad input: \(missing.stderr)")
        #expect(missing.stderr.contains("absent.json"))
    }
}
