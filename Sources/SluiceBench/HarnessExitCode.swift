/// The exit codes of every `sluice-bench` command: one per outcome, shared by all subcommands.
///
/// The values are a public contract (CI scripts and the README rely on them); never renumber a case.
/// | code | outcome |
/// |---|---|
/// | 0 | pass |
/// | 1 | performance regression (a threshold breached beyond noise) |
/// | 2 | functional failure (a benchmark threw or failed its output check) |
/// | 3 | inconclusive (a large change that is not certain) |
/// | 4 | missing baseline |
/// | 5 | incomparable environment |
/// | 6 | bad input (suite, baseline or results file, or arguments) |
/// | 7 | harness error |
/// | 130 | interrupted (Ctrl-C); partial results were written |
public enum HarnessExitCode: Int32, CaseIterable, Sendable {
    case pass = 0
    case performanceRegression = 1
    case functionalFailure = 2
    case inconclusive = 3
    case missingBaseline = 4
    case incomparableEnvironment = 5
    case badInput = 6
    case harnessError = 7
    case interrupted = 130

    /// A short stable label for reports and logs, e.g. `functional-failure`.
    public var label: String {
        switch self {
        case .pass: "pass"
        case .performanceRegression: "performance-regression"
        case .functionalFailure: "functional-failure"
        case .inconclusive: "inconclusive"
        case .missingBaseline: "missing-baseline"
        case .incomparableEnvironment: "incomparable-environment"
        case .badInput: "bad-input"
        case .harnessError: "harness-error"
        case .interrupted: "interrupted"
        }
    }
}

extension HarnessExitCode {
    /// The exit code `error` maps to: the harness's one mapping from errors to exit codes. A `HarnessError`
    /// carries its own; an interruption is 130; anything else is a harness error (7).
    public init(error: any Error) {
        switch error {
        case let error as HarnessError: self = error.exitCode
        case is RunInterrupted: self = .interrupted
        default: self = .harnessError
        }
    }
}
