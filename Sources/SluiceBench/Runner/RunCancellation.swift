import Synchronization

/// A flag that stops a run between samples (Ctrl-C). Thread-safe; setting it twice is harmless.
public final class RunCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Creates an unset flag.
    public init() {}

    /// Asks the run to stop; the current sample finishes, then the run ends with partial results.
    public func cancel() { flag.store(true, ordering: .releasing) }

    /// Whether a stop was asked for.
    public var isCancelled: Bool { flag.load(ordering: .acquiring) }
}

/// Thrown inside a measurement when the run was cancelled.
public struct RunInterrupted: Error, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// `interrupted`.
    public var description: String { "interrupted" }
}

/// A benchmark failed functionally: its setup or operation threw, or its output check reported wrong output.
public struct BenchmarkFailure: Error, CustomStringConvertible {
    /// What went wrong, e.g. `output check failed: top level holds 3 members, expected 4`.
    public var message: String
    /// Creates a failure with `message`.
    public init(_ message: String) { self.message = message }
    /// The message, unchanged.
    public var description: String { message }
}
