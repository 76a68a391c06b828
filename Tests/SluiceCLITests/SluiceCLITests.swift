import Foundation
import SluiceTestKit
import Testing

/// Runs the built `sluice` binary and checks stdout, stderr and the exit status.
@Suite struct SluiceCLITests {
    /// A scratch folder with the given files, removed when the test ends.
    final class Scratch {
        let url: URL

        init(_ files: [String: [UInt8]]) throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for (name, bytes) in files { try Data(bytes).write(to: url.appendingPathComponent(name)) }
        }

        func path(_ name: String) -> String { url.appendingPathComponent(name).path }

        deinit { try? FileManager.default.removeItem(at: url) }
    }

    // MARK: - validate

    @Test(arguments: ["1", "65536"])
    func validatePrintsAVerdictPerFileAndExitsOneWhenAnyIsInvalid(chunkSize: String) throws {
        let scratch = try Scratch([
            "good.json": Array(#"{"a":[1,2.5e3,"x\u00e9"],"b":null}"#.utf8),
            "bad.json": Array("{\"a\":\n  [1,}".utf8),
        ])
        let result = try CLIRunner.run(
            "sluice", ["validate", "--chunk-size", chunkSize, scratch.path("good.json"), scratch.path("bad.json")])
        #expect(result.status == 1)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout == """
            \(scratch.path("good.json")): valid
            \(scratch.path("bad.json")): offset 11 (line 2, column 6): expected a value, found '}' at $.a[1]

            """)
    }

    @Test func validateAcceptsACorpusFileAndStandardInput() throws {
        let corpus = SharedFixtures.corpusDirectory.appendingPathComponent("twitter.json").path
        let file = try CLIRunner.run("sluice", ["validate", "--quiet", corpus])
        #expect(file.status == 0)
        #expect(file.stdout.isEmpty)
        let stdin = try CLIRunner.run("sluice", ["validate", "-"], stdin: Data("[true, false, null]\n".utf8))
        #expect(stdin.status == 0)
        #expect(stdin.stdout == "-: valid\n")
        let truncated = try CLIRunner.run("sluice", ["validate", "-"], stdin: Data("[true, ".utf8))
        #expect(truncated.status == 1)
        #expect(truncated.stdout.hasPrefix("-: offset 7 (line 1, column 8): "))
    }

    @Test func validateReportsAnUnreadableFileAndStillChecksTheOthers() throws {
        let scratch = try Scratch(["good.json": Array("{}".utf8)])
        let result = try CLIRunner.run("sluice", ["validate", "/nonexistent/missing.json", scratch.path("good.json")])
        #expect(result.status == 3)
        #expect(result.stdout == "\(scratch.path("good.json")): valid\n")
        #expect(result.stderr == "sluice: cannot read /nonexistent/missing.json: No such file or directory\n")
    }

    // MARK: - tokens

    @Test(arguments: ["1", "2", "65536"])
    func tokensPrintsOneJSONLinePerTokenForAnyChunkSize(chunkSize: String) throws {
        let result = try CLIRunner.run(
            "sluice", ["tokens", "--chunk-size", chunkSize, "-"], stdin: Data(#"{"name":["x\"y",-1.5e3,true]}"#.utf8))
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout == #"""
            {"token":"beginObject"}
            {"offset":1,"token":"key","value":"name"}
            {"token":"beginArray"}
            {"offset":9,"token":"string","value":"x\"y"}
            {"offset":16,"token":"number","value":-1.5e3}
            {"token":"true"}
            {"token":"endArray"}
            {"token":"endObject"}
            {"token":"endOfDocument"}

            """#)
    }

    @Test func tokensEndsWithTheErrorAndExitsOne() throws {
        let result = try CLIRunner.run("sluice", ["tokens", "-"], stdin: Data("[1,]".utf8))
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.last?.hasPrefix(#"{"error":{"code":"unexpected byte""#) == true)
        #expect(result.stderr.hasPrefix("sluice: -: offset 3 (line 1, column 4): "))
    }

    // MARK: - frames

    @Test(arguments: ["1", "3", "65536"])
    func framesPrintsOneLinePerDocument(chunkSize: String) throws {
        let input = Array("{\"a\":1}\n\n  [1,\"x\\n\"]\n\"s\"\n".utf8)
        let result = try CLIRunner.run("sluice", ["frames", "--chunk-size", chunkSize, "-"], stdin: Data(input))
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout == """
            {"index":0,"offset":0,"length":7,"line":1,"column":1}
            {"index":1,"offset":11,"length":9,"line":3,"column":3}
            {"index":2,"offset":21,"length":3,"line":4,"column":1}

            """)
    }

    @Test func framesReportsTheErrorOnBothStreamsAndExitsOne() throws {
        let scratch = try Scratch(["bad.json": Array("{} [1,\n2".utf8)])
        let result = try CLIRunner.run("sluice", ["frames", "--format", "concat", scratch.path("bad.json")])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == #"{"index":0,"offset":0,"length":2,"line":1,"column":1}"#)
        #expect(lines.last?.hasPrefix(#"{"error":{"code":"unexpected end of input""#) == true)
        #expect(lines.last?.contains(#""offset":8,"line":2,"column":2"#) == true)
        #expect(result.stderr.hasPrefix("sluice: \(scratch.path("bad.json")): offset 8 (line 2, column 2): "))
    }

    @Test func framesWithValidateStopsAtTheFirstInvalidDocument() throws {
        let input = Data("{\"a\":1}\n{\"a\":tru}\n[]\n".utf8)
        let plain = try CLIRunner.run("sluice", ["frames", "-"], stdin: input)
        #expect(plain.status == 0)
        #expect(plain.stdout.split(separator: "\n").count == 3)
        let checked = try CLIRunner.run("sluice", ["frames", "--validate", "-"], stdin: input)
        #expect(checked.status == 1)
        let lines = checked.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.last?.contains(#""offset":16,"line":2,"column":9"#) == true)
    }

    @Test func framesReadsLengthPrefixedStreams() throws {
        let decimal = try CLIRunner.run(
            "sluice", ["frames", "--format", "length-prefixed", "--prefix", "decimal", "-"],
            stdin: Data("2\n[]3\n{}\n".utf8))
        #expect(decimal.status == 0)
        #expect(decimal.stdout == """
            {"index":0,"offset":2,"length":2,"line":2,"column":1}
            {"index":1,"offset":6,"length":3,"line":3,"column":1}

            """)
        var binary: [UInt8] = [0, 0, 0, 2]
        binary += Array("{}".utf8)
        binary += [0, 0, 0, 9]
        binary += Array("[1]".utf8)  // declares 9, holds 3: truncated
        let truncated = try CLIRunner.run("sluice", ["frames", "--format", "length-prefixed", "-"], stdin: Data(binary))
        #expect(truncated.status == 1)
        #expect(truncated.stdout.hasPrefix(#"{"index":0,"offset":4,"length":2"#))
        #expect(truncated.stderr.contains("offset 13"))
    }

    // MARK: - usage and input errors

    @Test(arguments: [
        ["frames"],
        ["frames", "--format", "xml", "-"],
        ["frames", "--prefix", "decimal", "-"],
        ["frames", "--chunk-size", "0", "-"],
        ["frames", "--no-such-option", "-"],
        ["no-such-command"],
        ["validate"],
        ["validate", "--chunk-size", "-4", "-"],
        ["validate", "--chunk-size", "1000000000000000", "-"],  // once a failed allocation: a crash, exit 134
        ["tokens"],
        ["tokens", "a.json", "b.json"],
    ])
    func usageErrorsExitTwoWithAMessageOnStderr(arguments: [String]) throws {
        let result = try CLIRunner.run("sluice", arguments, stdin: Data())
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("Usage:") || result.stderr.contains("Error:"))
    }

    @Test func unreadableFileExitsThreeNamingTheFile() throws {
        let result = try CLIRunner.run("sluice", ["frames", "/nonexistent/sluice-missing.json"])
        #expect(result.status == 3)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "sluice: cannot read /nonexistent/sluice-missing.json: No such file or directory\n")
    }

    @Test func helpExitsZeroAndListsTheExitCodes() throws {
        let result = try CLIRunner.run("sluice", ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("frames") && result.stdout.contains("validate") && result.stdout.contains("tokens"))
        #expect(result.stdout.contains("Exit codes"))
    }
}
