extension GateReport {
    /// One sentence on how a gate session measured, for the top of a report: the base and the rule that chose
    /// it, the candidate (dirty or not), the processes and looks, the error control and the seed. Nil for a
    /// report that compares stored files.
    public var sessionSentence: String? {
        guard let session else { return nil }
        var parts: [String] = []
        if let base = session.base {
            parts.append("Base `\(base.commit.prefix(12))` (\(base.description), rule `\(base.rule.rawValue)`)")
        }
        parts.append("candidate: \(session.candidate)")
        parts.append("\(session.processesPerSide) fresh process pairs per benchmark in alternating order, "
            + "\(session.roundsPerProcess) rounds each; \(session.looksTaken) of up to \(session.maxLooks) looks "
            + "(\(session.maxProcessesPerSide) processes a side at most)")
        if let holm = method.multipleComparisons { parts.append(holm) }
        parts.append("seed \(session.seed)")
        if let stored = session.storedBaseline { parts.append("stored baseline: \(stored)") }
        return parts.joined(separator: "; ") + "."
    }
}
