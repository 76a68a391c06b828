/// What a commit comparison measured, before it is written as a report: the gate's verdict with A as the
/// base and B as the candidate, the alternating order of each benchmark's process pairs, and the benchmarks
/// only one build registers.
public struct CompareOutcome: Sendable {
    public var gateReport: GateReport
    /// The order of each benchmark's process pairs, e.g. `AB BA BA AB`.
    public var order: [String: String]
    public var onlyInA: [String]
    public var onlyInB: [String]
    public var resultsA: ResultsFile
    public var resultsB: ResultsFile

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
