/// What one measured round produced: per-sample timings and the round's resource deltas.
public struct RoundMeasurement: Sendable {
    /// Round number, from 0, within its process.
    public var index: Int
    /// Nanoseconds per operation, one per sample, in sample order.
    public var samples: [Double]
    /// Operations the round ran (samples × inner iterations).
    public var operations: Int
    /// Wall time of the whole round, ns (including the harness's bookkeeping between samples).
    public var wallNanoseconds: UInt64
    /// CPU time spent during the round, ns.
    public var cpuUserNanoseconds: UInt64
    /// System (kernel) CPU time of the whole process during the round, ns.
    public var cpuSystemNanoseconds: UInt64

    /// The round's median ns per operation: its value for the gate's statistics. O(n log n).
    public var median: Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
