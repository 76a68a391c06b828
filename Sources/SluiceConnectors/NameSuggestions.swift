/// Close matches for a misspelled name: the candidates within a small edit distance, closest first.
public enum NameSuggestions {
    /// The candidates at most `max(1, name.count / 3)` edits (Levenshtein, case-insensitive) from `name`,
    /// closest first, then alphabetically; at most three. O(candidates × name²).
    public static func closeMatches(for name: String, among candidates: some Sequence<String>) -> [String] {
        let target = Array(name.lowercased().unicodeScalars)
        let limit = max(1, min(3, target.count / 3 + 1))
        var scored: [(distance: Int, name: String)] = []
        for candidate in candidates {
            let distance = editDistance(target, Array(candidate.lowercased().unicodeScalars))
            let isPrefix = target.count >= 3 && candidate.lowercased().hasPrefix(name.lowercased())
            if distance <= limit || isPrefix { scored.append((distance, candidate)) }
        }
        scored.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.name < $1.name }
        return Array(scored.prefix(3).map(\.name))
    }

    /// The Levenshtein distance between two scalar arrays (insertions, deletions, substitutions, and adjacent
    /// transpositions counted as one edit).
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
