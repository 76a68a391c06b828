import ArgumentParser
import Foundation
import SluiceConnectors
import SluiceManifest

/// `sluice run MANIFEST`: validates a pipeline manifest, then runs it (or prints its plan with `--dry-run`).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a declarative pipeline described by a YAML or JSON manifest.",
        discussion: """
            The manifest is validated completely before anything is opened: every error names the file, line \
            and column, the field and what was expected, as FILE:LINE:COLUMN: error: FIELD: MESSAGE; expected …

            --dry-run prints the compiled plan (stages, fusion decisions, channels) and runs nothing. On a \
            terminal a progress line shows documents per second, MB/s and the documents in flight. Ctrl-C stops \
            cleanly: the input ends, the stages finish, the sink flushes and, with checkpoints, a final \
            checkpoint is taken; a second Ctrl-C exits at once.

            Exit codes: 0 the input was read to its end; 1 the input's framing broke (the rest was not read); \
            2 usage error; 3 the manifest or the source could not be read or opened; 4 the sink or a \
            connector failed; 5 the checkpoint folder cannot be used (a finished run, an unreadable \
            checkpoint); 6 the manifest is malformed (nothing ran); 130 stopped by Ctrl-C (after a clean stop).
            """
    )

    @Flag(name: .customLong("dry-run"), help: "Print the compiled plan and exit without running.")
    var dryRun = false

    @Flag(inversion: .prefixedNo, help: "Show a progress line on stderr (default: when stderr is a terminal).")
    var progress: Bool?

    @Argument(help: "The pipeline manifest (.yaml, .yml or .json).")
    var manifest: String

    func run() async throws {
        let plan: CompiledPlan
        do {
            plan = try ManifestCompiler.compile(try ManifestReader().read(file: manifest))
        } catch {
            StandardError.write("sluice: \(error)")
            throw ExitCode(error.code == .unreadable ? ExitStatus.unreadableInput.rawValue : RunExitStatus.malformedManifest)
        }
        if dryRun {
            print(plan.description)
            return
        }
        let stop = StopSignal()
        let interrupts = InterruptHandler(stop: stop)
        let runner = ManifestRunner(plan: plan)
        let display = (progress ?? (isatty(2) == 1)) ? ProgressLine(progress: runner.progress) : nil
        display?.start()
        defer { interrupts.cancel() }
        let summary: RunSummary
        do {
            summary = try await runner.run(stop: stop)
            display?.finish()
        } catch {
            display?.finish()
            StandardError.write("sluice: \(error)")
            throw ExitCode(RunExitStatus.code(for: error))
        }
        StandardError.write("sluice: " + Self.describe(summary))
        if let failure = summary.framingFailure {
            StandardError.write("sluice: the input's framing broke, the rest was not read: \(manifestSource(plan)): \(failure)")
            throw ExitStatus.invalidInput.exitCode
        }
        if let failure = summary.timeoutFailure {
            StandardError.write("sluice: the input stopped inside a document, the rest was not read: \(manifestSource(plan)): \(failure)")
            throw ExitStatus.invalidInput.exitCode
        }
        if summary.wasStopped { throw ExitCode(RunExitStatus.interrupted) }
    }

    private func manifestSource(_ plan: CompiledPlan) -> String { plan.manifest.source.uri }

    static func describe(_ summary: RunSummary) -> String {
        var text = "\(summary.documentsDecoded) documents read (\(summary.bytesRead) bytes), "
            + "\(summary.documentsWritten) written, \(summary.documentsRejected) rejected"
        if summary.resumedFrom > 0 { text += "; resumed at byte \(summary.resumedFrom)" }
        if let checkpoint = summary.checkpoint {
            text += "; checkpoint \(checkpoint.id) at byte \(checkpoint.offset)\(checkpoint.complete ? " (complete)" : "")"
        }
        if summary.wasStopped { text += "; stopped by Ctrl-C" }
        return text
    }
}

/// The exit statuses `sluice run` adds to the shared ones (0-3).
enum RunExitStatus {
    static let connectorFailed: Int32 = 4
    static let checkpointUnusable: Int32 = 5
    static let malformedManifest: Int32 = 6
    static let interrupted: Int32 = 130

    static func code(for error: any Error) -> Int32 {
        if let error = error as? ManifestRunError {
            switch error.code {
            case .source: return ExitStatus.unreadableInput.rawValue
            case .checkpoint: return checkpointUnusable
            default: return connectorFailed
            }
        }
        return connectorFailed
    }
}
