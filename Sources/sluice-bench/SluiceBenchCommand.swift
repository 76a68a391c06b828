import ArgumentParser
import Foundation
import SluiceBench

/// `sluice-bench`: runs Sluice's benchmark suites, and judges, compares and publishes their results.
///
/// Results go to stdout, diagnostics to stderr. Exit codes are `HarnessExitCode`'s table; argument errors
/// exit with `badInput` (6), not ArgumentParser's 64, so scripts see one table.
@main
struct SluiceBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-bench",
        abstract: "Run, judge, compare and publish Sluice's benchmark suites.",
        discussion: ExitCodeHelp.all,
        version: HarnessInfo.version,
        subcommands: [
            ListCommand.self,
            RunCommand.self,
            WorkerCommand.self,
            CheckCommand.self,
            GateCommand.self,
            BaselineCommand.self,
            SelftestCommand.self,
            LintCommand.self,
            TrendCommand.self,
            MergeCommand.self,
            ExportCommand.self,
            CompareCommand.self,
            FiguresCommand.self,
        ]
    )

    static func main() async {
        if CommandLine.arguments.dropFirst() == ["worker"] { WorkerCommand.serveBlockingTheMainThread() }
        do {
            var command = try parseAsRoot()
            // The commands that count allocations say at once when this build lacks jemalloc by mistake.
            if command is RunCommand || command is GateCommand || command is SelftestCommand
                || command is BaselineCommand.Update || command is CompareCommand,
                let mismatch = HarnessInfo.jemallocBuildMismatch()
            {
                CommandSupport.diagnostic("sluice-bench: warning: \(mismatch)")
            }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is ExitCode {
                exit(withError: error)
            }
            // Usage errors: ArgumentParser's message, then the harness's bad-input code.
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(HarnessExitCode.badInput.rawValue)
        }
    }
}

/// Shared helpers of the subcommands.
enum CommandSupport {
    /// Writes a line to stderr.
    static func diagnostic(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Reports `error` on stderr and returns the exit code it maps to (`HarnessExitCode(error:)`, the one
    /// mapping).
    static func exitCode(for error: any Error) -> HarnessExitCode {
        diagnostic("error: \(error)")
        return HarnessExitCode(error: error)
    }

    /// The one place a command's outcome becomes the process's exit status: runs `body` (which parses nothing
    /// and returns the session's exit code), maps any error to its code, and ends the command with it.
    static func finish(_ body: () async throws -> HarnessExitCode) async throws {
        let code: HarnessExitCode
        do {
            code = try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            code = exitCode(for: error)
        }
        if code != .pass { throw ExitCode(code.rawValue) }
    }

    /// The loader for `--suites-dir` (default: `SuiteLoader.defaultSuitesDirectory()`).
    static func loader(suitesDirectory: String?) -> SuiteLoader {
        SuiteLoader(suitesDirectory: suitesDirectory.map { URL(fileURLWithPath: $0) })
    }
}
