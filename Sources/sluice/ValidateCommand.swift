import ArgumentParser
import SluiceJSON

/// `sluice validate`: strict RFC 8259 validation of whole files, streamed through the token reader.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check that each file holds exactly one valid JSON document (strict RFC 8259, UTF-8).",
        discussion: """
            Prints one verdict line per file on stdout: `FILE: valid`, or \
            `FILE: offset N (line L, column C): message` for its first error. Exits 0 when every file is \
            valid, 1 when any is invalid, 3 when any could not be read (reported on stderr; the other \
            files are still checked, and 3 wins over 1).
            """
    )

    @OptionGroup var chunking: ChunkOptions

    @Flag(name: .shortAndLong, help: "Print nothing for valid files.")
    var quiet = false

    @Argument(help: "The files to check; `-` reads standard input.")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else {
            throw ValidationError("give at least one FILE to validate (`-` for standard input)")
        }
    }

    func run() throws {
        let output = StandardOutput()
        var status = ExitStatus.success
        for file in files {
            switch try Self.check(file, chunkSize: chunking.chunkSize) {
            case .completed:
                if !quiet { output.writeLine("\(file): valid") }
            case .invalid(let error):
                output.writeLine(Report.invalid(file, error))
                if status == .success { status = .invalidInput }
            case .unreadable(let error):
                output.flush()
                StandardError.write("sluice: \(error)")
                status = .unreadableInput
            }
        }
        output.flush()
        if status != .success { throw status.exitCode }
    }

    /// Streams `file` through a `JSONTokenReader`, discarding the tokens.
    static func check(_ file: String, chunkSize: Int) throws -> StreamOutcome {
        var reader = JSONTokenReader()
        return try withUnsafeTemporaryAllocation(of: JSONToken.self, capacity: 1024) { tokens in
            try Report.stream(file, chunkSize: chunkSize) { chunk in
                reader.feed(chunk)
                while try reader.read(into: tokens) > 0 {}
            } finish: {
                try reader.finalize()
                while try reader.read(into: tokens) > 0 {}
            }
        }
    }
}
