import ArgumentParser
import Foundation
import SluiceBench

/// Helpers shared by the trend, merge, export and compare commands.
enum BenchTrendSupport {
    /// Writes a line to stderr.
    static func diagnostic(_ message: String) {
        CommandSupport.diagnostic(message)
    }

    /// Prints `error: message` on stderr and returns the exit to throw.
    static func fail(_ message: String, _ code: HarnessExitCode) -> ExitCode {
        diagnostic("error: \(message)")
        return ExitCode(code.rawValue)
    }

    /// The exit code for a gate-side error (file reading and writing).
    static func exitCode(_ error: HarnessError) -> HarnessExitCode {
        switch error.code {
        case .missingBaseline: .missingBaseline
        case .incomparableEnvironment: .incomparableEnvironment
        case .ioFailure: .harnessError
        default: .badInput
        }
    }

    /// Reads and checks a results file; a damaged or missing one exits with bad input, naming the file.
    static func readResults(_ path: String) throws -> ResultsFile {
        do throws(HarnessError) {
            return try JSONFileReader.read(
                ResultsFile.self, from: URL(fileURLWithPath: path), kind: "results file",
                schemaVersion: ResultsFile.currentSchemaVersion)
        } catch {
            throw fail(error.description, exitCode(error))
        }
    }
}
