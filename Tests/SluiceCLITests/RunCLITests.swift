import Foundation
import SluiceTestKit
import Testing

/// `sluice run`: malformed manifests exit 6 with a located error and run nothing; `--dry-run` prints the plan;
/// a valid manifest runs to the end.
@Suite struct RunCLITests {
    static let malformed: [(label: String, text: String, location: String)] = [
        ("misspelled operator", "source: file:IN\nstages:\n  - projet: [ts]\nsink: file:OUT\n", "m.yaml:3:5: error: stages[0].projet: "),
        ("unknown scheme", "source: file:IN\nsink: s3://bucket/key\n", "m.yaml:2:7: error: sink: "),
        ("type mismatch", "source: file:IN\nstages:\n  - name: n\n    aggregate: {c: count}\nsink: file:OUT\n", "m.yaml:3:5: error: stages.n: "),
        ("YAML syntax", "source: file:IN\nstages: [\nsink: file:OUT\n", "m.yaml:4:1: error: "),
        ("bad JSON manifest", "{\"engine\": \"fast\", \"source\": \"file:IN\", \"sink\": \"file:OUT\"}", "m.yaml:1:12: error: engine: "),
    ]

    @Test(arguments: malformed.indices)
    func aMalformedManifestExitsSixWithALocatedErrorAndRunsNothing(_ index: Int) throws {
        let item = Self.malformed[index]
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        try "{\"ts\":1}\n".write(toFile: folder.file("in.ndjson"), atomically: true, encoding: .utf8)
        let text = item.text.replacingOccurrences(of: "file:IN", with: "file:" + folder.file("in.ndjson"))
            .replacingOccurrences(of: "file:OUT", with: "file:" + folder.file("out.ndjson"))
        try text.write(toFile: folder.file("m.yaml"), atomically: true, encoding: .utf8)
        let result = try CLIRunner.run("sluice", ["run", "m.yaml"], workingDirectory: URL(fileURLWithPath: folder.path))
        #expect(result.status == 6, "\(item.label): \(result.stderr)")
        #expect(result.stderr.hasPrefix("sluice: " + item.location), "\(item.label): \(result.stderr)")
        #expect(result.stderr.contains("expected"), "\(item.label): \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.file("out.ndjson")), "\(item.label): the sink was opened")
    }

    @Test func dryRunPrintsThePlanAndRunsNothing() throws {
        let result = try CLIRunner.run("sluice", ["run", "--dry-run", "examples/count-per-service.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("2. problems+by-service: 'problems' (filter) + 'by-service' (key)"))
        #expect(result.stdout.contains("fusion: 2 pure operators fused into one loop"))
        #expect(result.stdout.contains("totals -> sink: capacity 4096"))
        #expect(!result.stdout.contains("\"count\""))
    }

    @Test func theErrorLogExampleRunsToTheEnd() throws {
        let result = try CLIRunner.run("sluice", ["run", "--no-progress", "examples/error-log.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.hasPrefix("{\"ts\":") && $0.contains("\"service\":") })
        #expect(result.stderr.contains("200 documents read"))
    }

    @Test func aMissingManifestExitsThree() throws {
        let result = try CLIRunner.run("sluice", ["run", "no-such-manifest.yaml"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("no-such-manifest.yaml"))
    }
}
