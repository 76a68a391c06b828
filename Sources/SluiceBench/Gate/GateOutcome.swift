/// The overall outcome of a comparison, from the most serious verdict class found.
///
/// Precedence: a Functional Fail beats a Performance Alert, which beats Inconclusive (which includes an
/// Observability Gap: a missing metric means the gate cannot decide). Reliability Warnings, improvements,
/// added and removed benchmarks are reported but pass.
public enum GateOutcome: String, Codable, CaseIterable, Hashable, Sendable {
    case pass
    case performanceRegression = "performance_regression"
    case functionalFailure = "functional_failure"
    case inconclusive

    /// The outcome for a set of verdict classes.
    public init(classes: some Sequence<VerdictClass>) {
        let found = Set(classes)
        if found.contains(.functionalFail) {
            self = .functionalFailure
        } else if found.contains(.performanceAlert) {
            self = .performanceRegression
        } else if found.contains(.inconclusive) || found.contains(.observabilityGap) {
            self = .inconclusive
        } else {
            self = .pass
        }
    }

    /// What reports print as the verdict.
    public var title: String {
        switch self {
        case .pass: "Pass"
        case .performanceRegression: "Performance regression"
        case .functionalFailure: "Functional failure"
        case .inconclusive: "Inconclusive"
        }
    }
}

extension GateOutcome {
    /// The process exit code for this outcome.
    public var exitCode: HarnessExitCode {
        switch self {
        case .pass: .pass
        case .performanceRegression: .performanceRegression
        case .functionalFailure: .functionalFailure
        case .inconclusive: .inconclusive
        }
    }
}
