import SluiceBench

/// The "Exit codes: …" sentence of every command's help, generated from `HarnessExitCode` so that the numbers
/// and their meanings are written in one place (the enum) and can never disagree with the mapper.
enum ExitCodeHelp {
    /// `Exit codes: 0 pass, 6 bad input (a damaged file), 7 harness error.`: each code's number and meaning
    /// (its label in words), with the command's note in parentheses when one is given.
    static func sentence(_ codes: [HarnessExitCode], notes: [HarnessExitCode: String] = [:]) -> String {
        let parts = codes.map { code in
            "\(code.rawValue) \(code.meaning)" + (notes[code].map { " (\($0))" } ?? "")
        }
        return "Exit codes: " + parts.joined(separator: ", ") + "."
    }

    /// Every exit code: the top-level command's table.
    static var all: String { sentence(HarnessExitCode.allCases) }
}

extension HarnessExitCode {
    /// The outcome in words, as help texts print it: `performance regression`.
    var meaning: String { label.replacingOccurrences(of: "-", with: " ") }
}
