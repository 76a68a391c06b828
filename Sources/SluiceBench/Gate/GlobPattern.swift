/// A benchmark-name pattern from a suite file: a plain name, or a glob with `*` (any run of characters,
/// `/` included) and `?` (any one character).
public struct GlobPattern: Hashable, Sendable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    private let characters: [Character]

    /// Creates a pattern.
    public init(_ pattern: String) {
        self.pattern = pattern
        self.characters = Array(pattern)
    }

    /// True when the pattern has no wildcard.
    public var isLiteral: Bool { !characters.contains("*") && !characters.contains("?") }

    /// How specific the pattern is: literal names beat globs, and globs with more literal characters beat
    /// shorter ones. `*` has specificity 0.
    public var specificity: Int {
        isLiteral ? Int.max : characters.filter { $0 != "*" && $0 != "?" }.count
    }

    /// Whether `name` matches the whole pattern.
    /// - Complexity: O(p · n) for a pattern of length p and a name of length n.
    public func matches(_ name: String) -> Bool {
        let text = Array(name)
        var p = 0
        var t = 0
        var starP = -1
        var starT = 0
        while t < text.count {
            if p < characters.count, characters[p] == "?" || characters[p] == text[t] {
                p += 1
                t += 1
            } else if p < characters.count, characters[p] == "*" {
                starP = p
                starT = t
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < characters.count, characters[p] == "*" {
            p += 1
        }
        return p == characters.count
    }

    /// The pattern as written.
    public var description: String { pattern }
}
