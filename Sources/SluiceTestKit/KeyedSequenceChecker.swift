/// A Flink-style end-to-end checker: every key's records carry a per-key sequence number 1, 2, 3, …; the checker
/// sees the output in order and reports what was lost, duplicated and reordered against how many each key expected.
///
/// - lost: expected (key, number) pairs never seen;
/// - duplicated: sightings beyond the first of a pair;
/// - reordered: first sightings of a pair whose number is below one already seen for that key (after a replay,
///   at-least-once output repeats numbers, which count as duplicates, not reorderings).
public struct KeyedSequenceChecker: Sendable {
    /// The verdict.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        /// Records expected: the sum of every key's expected count.
        public var expected: Int
        /// Records observed, duplicates and unexpected numbers included.
        public var seen: Int
        /// Expected (key, number) pairs never observed.
        public var lost: Int
        /// Observations of a (key, number) pair after its first.
        public var duplicated: Int
        /// First observations of a number below one already seen for the same key.
        public var reordered: Int
        /// Lost in percent of expected.
        public var lostPercent: Double { expected == 0 ? 0 : Double(lost) / Double(expected) * 100 }
        /// Duplicates per expected record.
        public var duplicateRatio: Double { expected == 0 ? 0 : Double(duplicated) / Double(expected) }
        /// Creates a report.
        public init(expected: Int, seen: Int, lost: Int, duplicated: Int, reordered: Int) {
            self.expected = expected
            self.seen = seen
            self.lost = lost
            self.duplicated = duplicated
            self.reordered = reordered
        }

        /// The five counts on one line: `expected E, seen S, lost L, duplicated D, reordered R`.
        public var description: String {
            "expected \(expected), seen \(seen), lost \(lost), duplicated \(duplicated), reordered \(reordered)"
        }
    }

    private let expected: [String: Int]
    private var seen: [String: Set<Int>] = [:]
    private var highest: [String: Int] = [:]
    private var sightings = 0
    private var duplicated = 0
    private var reordered = 0
    private var merged = Report(expected: 0, seen: 0, lost: 0, duplicated: 0, reordered: 0)

    /// Expects numbers `1...expected[key]` for every key.
    public init(expected: [String: Int]) { self.expected = expected }

    /// One output record: `key` with per-key number `number`.
    public mutating func observe(key: String, number: Int) {
        sightings += 1
        guard seen[key, default: []].insert(number).inserted else {
            duplicated += 1
            return
        }
        if number < highest[key, default: 0] { reordered += 1 }
        highest[key] = max(highest[key, default: 0], number)
    }

    /// Adds another checker's verdict to this one's totals (cycles checked separately, reported together).
    public mutating func merge(_ other: Report) {
        merged.expected += other.expected
        merged.seen += other.seen
        merged.lost += other.lost
        merged.duplicated += other.duplicated
        merged.reordered += other.reordered
    }

    /// The verdict so far (merged ones included). O(keys).
    public var report: Report {
        var lost = 0
        for (key, count) in expected {
            let numbers = seen[key] ?? []
            lost += (1...max(count, 1)).count { count > 0 && !numbers.contains($0) }
        }
        return Report(
            expected: expected.values.reduce(0, +) + merged.expected, seen: sightings + merged.seen,
            lost: lost + merged.lost, duplicated: duplicated + merged.duplicated, reordered: reordered + merged.reordered)
    }
}
