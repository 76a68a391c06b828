import SluiceJSON

/// Recursive descent over `or` → `and` → `not` → comparison → operand.
struct PredicateParser {
    var scanner: ExpressionScanner

    init(_ scanner: ExpressionScanner) {
        self.scanner = scanner
    }

    mutating func parse() throws(FieldPathError) -> Predicate {
        scanner.skipSpaces()
        guard !scanner.isAtEnd else {
            throw FieldPathError(offset: 0, message: "empty predicate; expected e.g. .level == \"error\"")
        }
        let predicate = try disjunction()
        scanner.skipSpaces()
        guard scanner.isAtEnd else {
            throw FieldPathError(
                offset: scanner.offset, message: "unexpected '\(scanner.rest)'; expected and, or, or the end")
        }
        return predicate
    }

    private mutating func disjunction() throws(FieldPathError) -> Predicate {
        var result = try conjunction()
        while scanner.take("||") || scanner.take("or") { result = .or(result, try conjunction()) }
        return result
    }

    private mutating func conjunction() throws(FieldPathError) -> Predicate {
        var result = try negation()
        while scanner.take("&&") || scanner.take("and") { result = .and(result, try negation()) }
        return result
    }

    private mutating func negation() throws(FieldPathError) -> Predicate {
        if scanner.take("not") { return .not(try negation()) }
        scanner.skipSpaces()
        if scanner.current == "!" && !scanner.take("!=") {
            _ = scanner.take("!")
            return .not(try negation())
        }
        return try comparison()
    }

    private mutating func comparison() throws(FieldPathError) -> Predicate {
        if scanner.take("(") {
            let inner = try disjunction()
            guard scanner.take(")") else { throw FieldPathError(offset: scanner.offset, message: "expected ')'") }
            return inner
        }
        let left = try operand()
        for comparison in Predicate.Comparison.allCases where scanner.take(comparison.rawValue) {
            return .compare(left, comparison, try operand())
        }
        scanner.skipSpaces()
        if scanner.current == "=" {
            throw FieldPathError(offset: scanner.offset, message: "'=' is not a comparison; expected '=='")
        }
        guard case .path(let path) = left else {
            throw FieldPathError(offset: scanner.offset, message: "a literal alone is not a condition; expected a comparison")
        }
        return .truthy(path)
    }

    private mutating func operand() throws(FieldPathError) -> Predicate.Operand {
        scanner.skipSpaces()
        guard let character = scanner.current else {
            throw FieldPathError(offset: scanner.offset, message: "expected a field path or a literal")
        }
        if character == "\"" || character == "'" { return .literal(.string(try scanner.quoted())) }
        if character.isNumber || character == "-" {
            let start = scanner.offset
            guard let number = scanner.number() else {
                throw FieldPathError(offset: start, message: "expected a number")
            }
            return .literal(.number(number))
        }
        if scanner.take("true") { return .literal(.bool(true)) }
        if scanner.take("false") { return .literal(.bool(false)) }
        if scanner.take("null") { return .literal(.null) }
        return .path(try scanner.path())
    }

    /// A literal as it would be written in a predicate.
    static func literalText(_ value: JSONValue) -> String {
        (try? JSONSerializer().serializeToString(value)) ?? "?"
    }
}
