import SluiceConnectors
import Yams

/// One node of a parsed manifest with where it is (file, line, column) and its field path, so that every check
/// can report a located `ManifestError`.
struct ManifestNode {
    let node: Node
    let file: String
    /// The field path, e.g. `stages[1].filter`.
    let path: String
    /// Where the parent is, for nodes without a mark of their own.
    let fallback: (line: Int, column: Int)

    init(_ node: Node, file: String, path: String, fallback: (line: Int, column: Int) = (1, 1)) {
        self.node = node
        self.file = file
        self.path = path
        self.fallback = fallback
    }

    var line: Int { node.mark?.line ?? fallback.line }
    var column: Int { node.mark?.column ?? fallback.column }

    /// An error located at this node.
    func error(
        _ code: ManifestError.Code, _ message: String, expected: String? = nil, suggestions: [String] = [],
        field: String? = nil, cause: String? = nil
    ) -> ManifestError {
        ManifestError(
            code: code, file: file, line: line, column: column, field: field ?? path, message: message,
            expected: expected, suggestions: suggestions, cause: cause)
    }

    /// What the node is, for "found …" messages.
    var kindDescription: String {
        switch node {
        case .scalar(let scalar): "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// The node's text, if it is a scalar.
    func string(expected: String) throws(ManifestError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error(.invalidValue, "found \(kindDescription)", expected: expected)
        }
        return scalar.string
    }

    /// The node as an integer in `range`.
    func integer(in range: ClosedRange<Int>) throws(ManifestError) -> Int {
        let expected = "an integer in \(range.lowerBound)...\(range.upperBound)"
        guard case .scalar(let scalar) = node, let value = Int(scalar.string), range.contains(value) else {
            throw error(.invalidValue, "found \(kindDescription)", expected: expected)
        }
        return value
    }

    /// The node as one of `words`, with close matches when it is not.
    func choice(_ words: [String]) throws(ManifestError) -> String {
        let expected = "one of " + words.joined(separator: ", ")
        let text = try string(expected: expected)
        guard words.contains(text) else {
            throw error(.invalidValue, "'\(text)' is not valid", expected: expected,
                suggestions: NameSuggestions.closeMatches(for: text, among: words))
        }
        return text
    }

    /// The node's items, if it is a list.
    func list(expected: String) throws(ManifestError) -> [ManifestNode] {
        guard case .sequence(let sequence) = node else {
            throw error(.invalidValue, "found \(kindDescription)", expected: expected)
        }
        return sequence.enumerated().map { index, item in
            ManifestNode(item, file: file, path: "\(path)[\(index)]", fallback: (line, column))
        }
    }

    /// The node's members, if it is a mapping with scalar keys.
    func members(expected: String) throws(ManifestError) -> ManifestObject {
        guard case .mapping(let mapping) = node else {
            throw error(.invalidValue, "found \(kindDescription)", expected: expected)
        }
        var members: [ManifestObject.Member] = []
        for (key, value) in mapping {
            let keyNode = ManifestNode(key, file: file, path: path, fallback: (line, column))
            let name = try keyNode.string(expected: "a field name")
            let child = path.isEmpty ? name : "\(path).\(name)"
            members.append(
                ManifestObject.Member(
                    name: name, key: ManifestNode(key, file: file, path: child, fallback: (line, column)),
                    value: ManifestNode(value, file: file, path: child, fallback: (keyNode.line, keyNode.column))))
        }
        return ManifestObject(node: self, members: members)
    }
}

/// A mapping's members, read by name; `checkNoOthers` reports any member not read, with close matches.
struct ManifestObject {
    struct Member {
        let name: String
        let key: ManifestNode
        let value: ManifestNode
    }

    let node: ManifestNode
    let members: [Member]

    /// The member named `name`, if present.
    func optional(_ name: String) -> ManifestNode? { members.first { $0.name == name }?.value }

    /// The member named `name`; missing is an error located at the mapping.
    func required(_ name: String, expected: String) throws(ManifestError) -> ManifestNode {
        guard let value = optional(name) else {
            let field = node.path.isEmpty ? name : "\(node.path).\(name)"
            throw node.error(.missingField, "missing field '\(name)'", expected: expected, field: field)
        }
        return value
    }

    /// Fails on the first member whose name is not in `allowed`, suggesting close matches.
    func checkNoOthers(_ allowed: [String], what: String = "field") throws(ManifestError) {
        for member in members where !allowed.contains(member.name) {
            throw member.key.error(
                .unknownField, "unknown \(what) '\(member.name)'", expected: "one of " + allowed.joined(separator: ", "),
                suggestions: NameSuggestions.closeMatches(for: member.name, among: allowed))
        }
    }
}
