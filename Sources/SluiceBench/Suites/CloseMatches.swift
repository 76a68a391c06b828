/// Finds the names closest to a misspelt one, for "did you mean" lists in errors.
enum CloseMatches {
    /// Up to `limit` candidates nearest to `name`: by Levenshtein distance (at most a third of the name's
    /// length, and at least 3), plus any candidate sharing the name's last path component.
    /// Complexity: O(c · n · m) for c candidates of length m and a name of length n.
    static func find(_ name: String, in candidates: [String], limit: Int = 5) -> [String] {
        let maxDistance = Swift.max(3, name.count / 3)
        let lastComponent = name.split(separator: "/").last.map(String.init) ?? name
        var scored: [(distance: Int, name: String)] = []
        for candidate in candidates {
            let distance = editDistance(name, candidate)
            if distance <= maxDistance {
                scored.append((distance, candidate))
            } else if candidate.hasSuffix("/" + lastComponent) || candidate.hasPrefix(name) {
                scored.append((maxDistance + 1, candidate))
            }
        }
        return scored.sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }.prefix(limit).map(\.name)
    }

    /// The Levenshtein distance between two strings, over Unicode scalars. Complexity: O(n · m).
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.unicodeScalars)
        let b = Array(rhs.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = Swift.min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
