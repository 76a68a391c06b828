/// An error of the reactive adapters: a broken demand contract or a source that cannot wait.
public struct ReactiveError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; a struct over a private enum, so that codes can be added later.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Value: Hashable, Sendable {
            case nonPositiveDemand, demandExceeded, wouldSuspend
        }
        let value: Value

        /// `request(.none)`: Reactive Streams rule 3.9 requires a positive demand.
        public static let nonPositiveDemand = Code(value: .nonPositiveDemand)
        /// A publisher sent more elements than were requested (rule 1.1).
        public static let demandExceeded = Code(value: .demandExceeded)
        /// A synchronous read found no element yet, and only an awaiting engine can wait for one.
        public static let wouldSuspend = Code(value: .wouldSuspend)

        /// The code's name, e.g. `demandExceeded`.
        public var description: String {
            switch value {
            case .nonPositiveDemand: "nonPositiveDemand"
            case .demandExceeded: "demandExceeded"
            case .wouldSuspend: "wouldSuspend"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// A sentence a person can act on.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `CODE: MESSAGE`.
    public var description: String { "\(code): \(message)" }
}
