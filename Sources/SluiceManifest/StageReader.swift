import Foundation
import SluiceConnectors

/// Reads one entry of `stages:`: a mapping with exactly one operator field (and an optional `name`).
struct StageReader {
    let reader: ManifestReader

    func read(_ node: ManifestNode, index: Int) throws(ManifestError) -> StageSpec {
        let fields = try node.members(expected: "a mapping with one operator, e.g. filter: '.level == \"error\"'")
        let operators = fields.members.filter { $0.name != "name" && $0.name != "window" }
        guard let member = operators.first else {
            throw node.error(.missingField, "the stage has no operator",
                expected: "one of " + StageOperation.operatorNames.joined(separator: ", "))
        }
        guard StageOperation.operatorNames.contains(member.name) else {
            throw member.key.error(
                .unknownOperator, "unknown operator '\(member.name)'",
                expected: "one of " + StageOperation.operatorNames.joined(separator: ", "),
                suggestions: NameSuggestions.closeMatches(for: member.name, among: StageOperation.operatorNames))
        }
        if operators.count > 1 {
            let extra = operators[1]
            throw extra.key.error(
                .unknownField, "a stage has one operator; '\(member.name)' is already given here",
                expected: "'\(extra.name)' in a stage of its own")
        }
        let operation = try readOperation(member.name, member.value)
        let name = try fields.optional("name")?.string(expected: "a stage name") ?? "\(member.name)-\(index)"
        var window: WindowSpec?
        if let windowMember = fields.members.first(where: { $0.name == "window" }) {
            guard case .aggregate = operation else {
                throw windowMember.key.error(
                    .unknownField, "'window' applies to aggregate stages only, not to \(member.name)",
                    expected: "window: beside aggregate:, e.g. {tumbling: 1m, time: .ts}")
            }
            window = try readWindow(windowMember.value)
        }
        return StageSpec(name: name, operation: operation, location: .init(line: node.line, column: node.column), window: window)
    }

    private func readOperation(_ name: String, _ node: ManifestNode) throws(ManifestError) -> StageOperation {
        switch name {
        case "filter":
            let text = try node.string(expected: "a predicate such as '.level == \"error\"'")
            do {
                return .filter(try Predicate(parsing: text))
            } catch {
                throw expressionError(node, error, what: "predicate",
                    expected: "comparisons of field paths and literals joined by and/or, e.g. .level == \"error\" and .code >= 500")
            }
        case "project":
            var fields: [(name: String, path: FieldPath)] = []
            // An output object never gets a key twice (jq's `{a, a}` keeps one): a repeated name is a mistake.
            func add(_ name: String, _ path: FieldPath, at where: ManifestNode) throws(ManifestError) {
                guard !fields.contains(where: { $0.name == name }) else {
                    throw `where`.error(.invalidValue, "project writes the field '\(name)' twice",
                        expected: "each output name once (rename one with {NAME: PATH})")
                }
                fields.append((name, path))
            }
            for item in try node.list(expected: "a list of fields, e.g. [ts, service, {msg: .message}]") {
                if case .mapping = item.node {
                    for member in try item.members(expected: "NAME: PATH").members {
                        try add(member.name, try path(member.value), at: member.key)
                    }
                } else {
                    let path = try path(item)
                    try add(path.defaultName, path, at: item)
                }
            }
            guard !fields.isEmpty else {
                throw node.error(.invalidValue, "projects no field", expected: "at least one field")
            }
            return .project(fields)
        case "rename":
            var pairs: [(from: String, to: String)] = []
            for member in try node.members(expected: "a mapping OLD: NEW").members {
                let to = try member.value.string(expected: "the new field name")
                guard !pairs.contains(where: { $0.to == to }) else {
                    throw member.value.error(.invalidValue, "rename gives two fields the name '\(to)'",
                        expected: "each new name once")
                }
                pairs.append((member.name, to))
            }
            return .rename(pairs)
        case "key":
            return .key(try path(node))
        case "aggregate":
            var outputs: [AggregateField] = []
            let members = try node.members(expected: "a mapping NAME: FUNCTION, e.g. {errors: count, bytes: sum(.bytes)}").members
            for member in members { outputs.append(try aggregateField(member.name, member.value)) }
            guard !outputs.isEmpty else {
                throw node.error(.invalidValue, "aggregates nothing", expected: "at least one NAME: FUNCTION")
            }
            return .aggregate(outputs)
        case "dedupe":
            if case .scalar(let scalar) = node.node, scalar.string == "true" || scalar.string.isEmpty { return .dedupe(nil) }
            return .dedupe(try path(node))
        default:  // dead-letter
            return .deadLetter(try reader.readEndpoint(node, role: .sink, extra: []))
        }
    }

    private func path(_ node: ManifestNode) throws(ManifestError) -> FieldPath {
        let text = try node.string(expected: "a field path such as .service")
        do {
            return try FieldPath(parsing: text)
        } catch {
            throw expressionError(node, error, what: "field path", expected: "a field path such as .service or .payload.value")
        }
    }

    /// `window: {tumbling: 1m, time: .ts, out-of-order: 5s, lateness: 0}`, or `sliding: {size: 1m, slide: 10s}`, or
    /// `session: 30s`.
    private func readWindow(_ node: ManifestNode) throws(ManifestError) -> WindowSpec {
        let example = "{tumbling: 1m, time: .ts}, {sliding: {size: 1m, slide: 10s}, time: .ts} or {session: 30s, time: .ts}"
        let fields = try node.members(expected: "a mapping, e.g. " + example)
        let shapes = ["tumbling", "sliding", "session"]
        try fields.checkNoOthers(shapes + ["time", "out-of-order", "lateness"], what: "window field")
        let given = fields.members.filter { shapes.contains($0.name) }
        guard let shape = given.first else {
            throw node.error(.missingField, "the window has no shape", expected: "one of tumbling, sliding, session, e.g. " + example)
        }
        if given.count > 1 {
            throw given[1].key.error(.invalidValue, "a window has one shape; '\(shape.name)' is already given",
                expected: "one of tumbling, sliding, session")
        }
        let kind: WindowSpec.Kind
        switch shape.name {
        case "tumbling":
            kind = .tumbling(size: try duration(shape.value, positive: true))
        case "session":
            kind = .session(gap: try duration(shape.value, positive: true))
        default:
            let sliding = try shape.value.members(expected: "a mapping {size: DURATION, slide: DURATION}")
            try sliding.checkNoOthers(["size", "slide"], what: "sliding field")
            let size = try duration(try sliding.required("size", expected: "the window length, e.g. 1m"), positive: true)
            let slideNode = try sliding.required("slide", expected: "how often a window starts, e.g. 10s")
            let slide = try duration(slideNode, positive: true)
            guard slide <= size else {
                throw slideNode.error(.invalidValue, "the slide (\(slide) ms) is longer than the window (\(size) ms)",
                    expected: "a slide no longer than the size")
            }
            kind = .sliding(size: size, slide: slide)
        }
        let time = try path(try fields.required("time", expected: "the event-time field (epoch milliseconds), e.g. .ts"))
        let outOfOrder = try fields.optional("out-of-order").map { node throws(ManifestError) in try duration(node, positive: false) } ?? 0
        let lateness = try fields.optional("lateness").map { node throws(ManifestError) in try duration(node, positive: false) } ?? 0
        return WindowSpec(kind: kind, time: time, outOfOrder: outOfOrder, lateness: lateness)
    }

    /// A duration in milliseconds: a whole number of ms, or a number with a unit (`ms`, `s`, `m`, `h`).
    private func duration(_ node: ManifestNode, positive: Bool) throws(ManifestError) -> Int64 {
        let expected = "a duration such as 500ms, 10s, 5m, 1h or a number of milliseconds" + (positive ? ", above zero" : "")
        let text = try node.string(expected: expected).trimmingCharacters(in: .whitespaces)
        let units: [(suffix: String, scale: Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)]
        var number = Substring(text)
        var scale: Int64 = 1
        for unit in units where text.hasSuffix(unit.suffix) && Int64(text.dropLast(unit.suffix.count)) != nil {
            number = text.dropLast(unit.suffix.count)
            scale = unit.scale
            break
        }
        guard let value = Int64(number), value >= (positive ? 1 : 0) else {
            throw node.error(.invalidValue, "'\(text)' is not a duration", expected: expected)
        }
        let (milliseconds, overflow) = value.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw node.error(.invalidValue, "'\(text)' is too long", expected: expected) }
        return milliseconds
    }

    /// `count`, `sum(.bytes)`, `min(.latency)`, `max(.latency)`.
    private func aggregateField(_ name: String, _ node: ManifestNode) throws(ManifestError) -> AggregateField {
        let functions = AggregateField.Function.allCases.map(\.rawValue)
        let text = try node.string(expected: "count, sum(PATH), min(PATH) or max(PATH)")
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let functionName = String(trimmed.prefix { $0.isLetter })
        guard let function = AggregateField.Function(rawValue: functionName) else {
            throw node.error(.unknownOperator, "unknown aggregate function '\(functionName)'",
                expected: "one of " + functions.joined(separator: ", "),
                suggestions: NameSuggestions.closeMatches(for: functionName, among: functions))
        }
        let rest = trimmed.dropFirst(functionName.count).trimmingCharacters(in: .whitespaces)
        if function == .count {
            guard rest.isEmpty || rest == "()" else {
                throw node.error(.invalidValue, "count takes no field", expected: "count")
            }
            return AggregateField(name: name, function: .count, path: nil)
        }
        guard rest.hasPrefix("("), rest.hasSuffix(")"), rest.count > 2 else {
            throw node.error(.invalidValue, "'\(text)' names no field", expected: "\(function.rawValue)(PATH), e.g. \(function.rawValue)(.bytes)")
        }
        do {
            return AggregateField(name: name, function: function, path: try FieldPath(parsing: String(rest.dropFirst().dropLast())))
        } catch {
            throw node.error(.invalidExpression, "invalid field path in '\(text)': \(error.message)",
                expected: "\(function.rawValue)(PATH), e.g. \(function.rawValue)(.bytes)")
        }
    }

    /// An expression error located at the character it concerns: the node's column, plus one for an opening
    /// quote, plus the offset (exact for single-line scalars).
    private func expressionError(_ node: ManifestNode, _ error: FieldPathError, what: String, expected: String) -> ManifestError {
        var column = node.column + error.offset
        if case .scalar(let scalar) = node.node, scalar.style == .singleQuoted || scalar.style == .doubleQuoted { column += 1 }
        return ManifestError(code: .invalidExpression, file: node.file, line: node.line, column: column, field: node.path,
            message: "invalid \(what): \(error.message)", expected: expected)
    }
}
