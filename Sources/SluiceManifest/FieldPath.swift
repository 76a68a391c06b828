import SluiceJSON

/// A path into a JSON document: `.service`, `.payload.value`, `.tags[0]`, `$.a.b`, `.["odd key"]`.
///
/// The leading `.` (or `$.`) is optional for the first name: `service` and `.service` are the same path.
public struct FieldPath: Hashable, Sendable, CustomStringConvertible {
    /// One step of a path.
    public enum Step: Hashable, Sendable {
        case member(String)
        case index(Int)
    }

    /// The steps, outermost first (empty: the whole document).
    public var steps: [Step]

    /// Creates a path from its steps.
    public init(_ steps: [Step]) {
        self.steps = steps
    }

    /// Parses `text`.
    /// - Throws: `FieldPathError` with the offset (in characters) of the problem.
    public init(parsing text: String) throws(FieldPathError) {
        var scanner = ExpressionScanner(text)
        self = try scanner.path()
        scanner.skipSpaces()
        guard scanner.isAtEnd else {
            throw FieldPathError(offset: scanner.offset, message: "unexpected '\(scanner.rest)' after the path")
        }
    }

    /// The value at this path in `value`, or nil when a step is missing or of the wrong kind.
    @inlinable
    public func lookup(in value: JSONValue) -> JSONValue? {
        var current = value
        for step in steps {
            switch step {
            case .member(let name):
                guard case .object(let members) = current else { return nil }
                var found: JSONValue?
                for member in members where member.key == name {
                    found = member.value
                    break
                }
                guard let found else { return nil }
                current = found
            case .index(let index):
                guard case .array(let elements) = current, elements.indices.contains(index) else { return nil }
                current = elements[index]
            }
        }
        return current
    }

    /// The name a projection gives this path's value by default: its last member name (`.payload.value` →
    /// `value`), as jq's `{a}` shorthand does.
    public var defaultName: String {
        for step in steps.reversed() { if case .member(let name) = step { return name } }
        return "value"
    }

    /// The first member name, if the path starts with one (what a projection keeps at the top level).
    public var head: String? {
        if case .member(let name)? = steps.first { return name }
        return nil
    }

    /// The path as text: `.name` per member (`.["name"]` when the name is not letters, digits, `_` and `-`, the
    /// name written as a JSON string, which `init(parsing:)` reads back), `[n]` per index; `.` for the whole
    /// document.
    public var description: String {
        if steps.isEmpty { return "." }
        return steps.map { step in
            switch step {
            case .member(let name):
                name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } && !name.isEmpty
                    ? ".\(name)" : ".[\(JSONSerializer.literal(name))]"
            case .index(let index): "[\(index)]"
            }
        }.joined()
    }
}

/// A field path or predicate that does not parse: where (a character offset into the text) and why.
public struct FieldPathError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The character offset of the problem in the expression.
    public var offset: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// `at character N: MESSAGE`, with N counted from 1.
    public var description: String { "at character \(offset + 1): \(message)" }
}
