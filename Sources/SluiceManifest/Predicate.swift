import SluiceJSON

/// A filter condition over one document, jq-flavoured:
///
/// - comparisons `==`, `!=`, `<`, `<=`, `>`, `>=` between field paths and literals
///   (`.level == "error"`, `.payload.value >= 100`, `.status != null`);
/// - `and`/`&&`, `or`/`||`, `not`/`!`, parentheses;
/// - a bare path is true when the field exists and is neither `null` nor `false` (jq's truthiness).
///
/// Ordering across types follows jq: null < false < true < numbers < strings < arrays < objects; numbers compare
/// by value (`1 == 1.0`).
public indirect enum Predicate: Hashable, Sendable, CustomStringConvertible {
    /// One side of a comparison.
    public enum Operand: Hashable, Sendable, CustomStringConvertible {
        case path(FieldPath)
        case literal(JSONValue)

        @inlinable
        func evaluate(_ document: JSONValue) -> JSONValue {
            switch self {
            case .path(let path): path.lookup(in: document) ?? .null
            case .literal(let value): value
            }
        }

        /// The path as `FieldPath.description` writes it, or the literal as JSON (`?` if it cannot be written).
        public var description: String {
            switch self {
            case .path(let path): path.description
            case .literal(let value): PredicateParser.literalText(value)
            }
        }
    }

    /// The comparison operators.
    public enum Comparison: String, Hashable, Sendable, CaseIterable {
        case equal = "=="
        case notEqual = "!="
        case lessOrEqual = "<="
        case greaterOrEqual = ">="
        case less = "<"
        case greater = ">"
    }

    case compare(Operand, Comparison, Operand)
    case truthy(FieldPath)
    case and(Predicate, Predicate)
    case or(Predicate, Predicate)
    case not(Predicate)

    /// Parses `text`.
    /// - Throws: `FieldPathError` with the character offset of the problem.
    public init(parsing text: String) throws(FieldPathError) {
        var parser = PredicateParser(ExpressionScanner(text))
        self = try parser.parse()
    }

    /// Whether the predicate holds for `document`. Never throws: a missing field is `null`.
    public func evaluate(_ document: JSONValue) -> Bool {
        switch self {
        case .compare(let left, let comparison, let right):
            let order = JSONOrdering.compare(left.evaluate(document), right.evaluate(document))
            switch comparison {
            case .equal: return order == 0
            case .notEqual: return order != 0
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            case .greaterOrEqual: return order >= 0
            }
        case .truthy(let path):
            switch path.lookup(in: document) {
            case nil, .null?, .bool(false)?: return false
            default: return true
            }
        case .and(let left, let right): return left.evaluate(document) && right.evaluate(document)
        case .or(let left, let right): return left.evaluate(document) || right.evaluate(document)
        case .not(let inner): return !inner.evaluate(document)
        }
    }

    /// Every field path the predicate reads.
    public var paths: [FieldPath] {
        switch self {
        case .compare(let left, _, let right):
            [left, right].compactMap { if case .path(let path) = $0 { path } else { nil } }
        case .truthy(let path): [path]
        case .and(let left, let right), .or(let left, let right): left.paths + right.paths
        case .not(let inner): inner.paths
        }
    }

    /// The predicate as text: `left OP right`, `(a and b)`, `(a or b)`, `not p`, or a bare path.
    public var description: String {
        switch self {
        case .compare(let left, let comparison, let right): "\(left) \(comparison.rawValue) \(right)"
        case .truthy(let path): path.description
        case .and(let left, let right): "(\(left) and \(right))"
        case .or(let left, let right): "(\(left) or \(right))"
        case .not(let inner): "not \(inner)"
        }
    }
}
