/// What a commit comparison measured, before it is written as a report: the gate's verdict with A as the
/// base and B as the candidate, the alternating order of each benchmark's process pairs, and the benchmarks
/// only one build registers.
public struct CompareOutcome: Sendable {
    /// The gate session's report: B judged as the candidate against A as the base.
    public var gateReport: GateReport
    /// The order of each benchmark's process pairs, e.g. `AB BA BA AB`.
    public var order: [String: String]
    /// Suite benchmarks only A's build registers (not measured), sorted.
    public var onlyInA: [String]
    /// Suite benchmarks only B's build registers (not measured), sorted.
    public var onlyInB: [String]
    /// A's measured results: one entry per benchmark, its worker processes merged (`failed` when it failed).
    public var resultsA: ResultsFile
    /// B's measured results: one entry per benchmark, its worker processes merged (`failed` when it failed).
    public var resultsB: ResultsFile

    /// Creates an outcome; every argument is stored as given.
    public init(
        gateReport: GateReport, order: [String: String], onlyInA: [String], onlyInB: [String], resultsA: ResultsFile,
        resultsB: ResultsFile
    ) {
        self.gateReport = gateReport
        self.order = order
        self.onlyInA = onlyInA
        self.onlyInB = onlyInB
        self.resultsA = resultsA
        self.resultsB = resultsB
    }
}
