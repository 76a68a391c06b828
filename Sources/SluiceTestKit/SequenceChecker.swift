/// Checks a delivery of sequence-numbered records against the expected numbers `0..<expectedCount`:
/// which were lost, which were delivered more than once, and which were never expected.
///
/// Feed every delivered sequence number to `observe(_:)`, then read `report`. Memory is O(expectedCount).
public struct SequenceChecker: Sendable {
    /// The result of a check.
    public struct Report: Sendable, CustomStringConvertible {
        /// Expected numbers never delivered, as ranges.
        public var lost: [ClosedRange<UInt64>]
        /// Numbers delivered more than once, with how many times each was delivered.
        public var duplicated: [(sequence: UInt64, times: Int)]
        /// Delivered numbers outside `0..<expectedCount`.
        public var unexpected: [UInt64]
        /// The expected count.
        public var expectedCount: UInt64
        /// Deliveries observed in total.
        public var deliveredCount: UInt64

        /// How many expected numbers were lost.
        public var lostCount: UInt64 { lost.reduce(0) { $0 + ($1.upperBound - $1.lowerBound + 1) } }
        /// Extra deliveries (a number delivered three times counts two).
        public var duplicateCount: Int { duplicated.reduce(0) { $0 + $1.times - 1 } }
        /// Nothing lost, nothing unexpected (duplicates allowed).
        public var isAtLeastOnce: Bool { lost.isEmpty && unexpected.isEmpty }
        /// Nothing lost, nothing duplicated, nothing unexpected.
        public var isExactlyOnce: Bool { isAtLeastOnce && duplicated.isEmpty }

        /// A one-paragraph summary naming the first few lost and duplicated numbers.
        public var description: String {
            var text = "expected \(expectedCount), delivered \(deliveredCount): lost \(lostCount)"
            if !lost.isEmpty { text += " \(lost.prefix(5).map { "\($0.lowerBound)...\($0.upperBound)" })" }
            text += ", duplicated \(duplicated.count) numbers (\(duplicateCount) extra)"
            if !duplicated.isEmpty { text += " \(duplicated.prefix(5).map { "\($0.sequence)x\($0.times)" })" }
            if !unexpected.isEmpty { text += ", unexpected \(unexpected.prefix(5))" }
            return text
        }
    }

    private var counts: [UInt32]
    private var unexpected: [UInt64] = []
    private var delivered: UInt64 = 0

    /// Expects exactly the numbers `0..<expectedCount`.
    public init(expectedCount: UInt64) {
        counts = Array(repeating: 0, count: Int(expectedCount))
    }

    /// Records one delivery. O(1).
    public mutating func observe(_ sequence: UInt64) {
        delivered += 1
        if sequence < UInt64(counts.count) {
            counts[Int(sequence)] &+= 1
        } else {
            unexpected.append(sequence)
        }
    }

    /// Records many deliveries. O(n).
    public mutating func observe(_ sequences: some Sequence<UInt64>) {
        for sequence in sequences { observe(sequence) }
    }

    /// The result so far. O(expectedCount).
    public var report: Report {
        var lost: [ClosedRange<UInt64>] = []
        var duplicated: [(sequence: UInt64, times: Int)] = []
        var runStart: Int? = nil
        for (index, count) in counts.enumerated() {
            if count == 0 {
                if runStart == nil { runStart = index }
            } else {
                if let start = runStart {
                    lost.append(UInt64(start)...UInt64(index - 1))
                    runStart = nil
                }
                if count > 1 { duplicated.append((UInt64(index), Int(count))) }
            }
        }
        if let start = runStart { lost.append(UInt64(start)...UInt64(counts.count - 1)) }
        return Report(
            lost: lost, duplicated: duplicated, unexpected: unexpected, expectedCount: UInt64(counts.count),
            deliveredCount: delivered)
    }
}
