import ArgumentParser
import Foundation

/// `sluice`: JSON tools for people and scripts. Results go to stdout, diagnostics to stderr.
@main
struct SluiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Validate, tokenize and frame JSON streams; run declarative pipelines.",
        discussion: """
            FILE may be `-` for standard input. Input is read in chunks (--chunk-size, default 65536 bytes), \
            never whole.

            Exit codes: 0 success; 1 invalid JSON (the result names where); 2 usage error; \
            3 a file could not be read. `sluice run` adds 4 (sink or connector failed), 5 (checkpoint folder \
            unusable), 6 (malformed manifest, nothing ran) and 130 (stopped by Ctrl-C); see `sluice run --help`.
            """,
        subcommands: [ValidateCommand.self, TokensCommand.self, FramesCommand.self, RunCommand.self]
    )

    /// Runs the command, mapping ArgumentParser's usage-error code (64, EX_USAGE) to `2`.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardError.write(fullMessage(for: error))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}

/// The exit statuses `sluice` documents.
enum ExitStatus: Int32 {
    /// Everything was valid.
    case success = 0
    /// Some input was not valid JSON (or not validly framed).
    case invalidInput = 1
    /// The command line was wrong.
    case usage = 2
    /// A file could not be opened or read.
    case unreadableInput = 3

    var exitCode: ExitCode { ExitCode(rawValue) }
}
