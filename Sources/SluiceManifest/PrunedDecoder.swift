import SluiceJSON

/// The fields a pipeline reads before it replaces the document (by a projection or an aggregate): a tree of
/// member names. A leaf keeps its whole value.
struct FieldTree: Sendable, Equatable {
    var children: [(name: String, tree: FieldTree)] = []
    /// The children's names as UTF-8, for comparing keys without decoding them.
    var childBytes: [[UInt8]] { children.map { Array($0.name.utf8) } }
    /// Keep the whole value (a path ends here, or steps into an array).
    var isWhole = false

    static func == (left: FieldTree, right: FieldTree) -> Bool {
        left.isWhole == right.isWhole && left.children.map(\.name) == right.children.map(\.name)
            && zip(left.children, right.children).allSatisfy { $0.tree == $1.tree }
    }

    mutating func add(_ steps: ArraySlice<FieldPath.Step>) {
        guard !isWhole else { return }
        guard case .member(let name)? = steps.first else {
            // The path ends here, or indexes into an array: keep the whole value.
            isWhole = true
            children = []
            return
        }
        if let index = children.firstIndex(where: { $0.name == name }) {
            children[index].tree.add(steps.dropFirst())
        } else {
            var child = FieldTree()
            child.add(steps.dropFirst())
            children.append((name, child))
        }
    }

    /// The fields `segments` read before the document is replaced; nil when the whole document is needed
    /// (nothing replaces it, or a stage before the replacement uses the whole document).
    static func needed(by segments: [CompiledPlan.Segment]) -> FieldTree? {
        var tree = FieldTree()
        for segment in segments {
            switch segment.body {
            case .decode: continue
            case .dedupe(let path):
                guard let path else { return nil }
                tree.add(path.steps[...])
            case .aggregate(_, let fields):
                for field in fields { if let path = field.path { tree.add(path.steps[...]) } }
                return tree
            case .fused(let steps):
                for step in steps {
                    switch step {
                    case .filter(let predicate): for path in predicate.paths { tree.add(path.steps[...]) }
                    case .key(let path): tree.add(path.steps[...])
                    case .rename: return nil
                    case .project(let fields):
                        for field in fields { tree.add(field.path.steps[...]) }
                        return tree
                    }
                }
            }
        }
        return nil
    }
}

/// Parses an object document strictly (every byte validated by the token reader, as the full parser does) but
/// materializes only the fields in a `FieldTree`: projection pushdown. One reader and one token buffer are kept
/// across documents, so a document costs the tokenizing plus a few small allocations for the kept fields.
struct PrunedDecoder: Sendable {
    /// A `FieldTree` flattened for the hot loop: names as bytes, children by index.
    struct Node: Sendable {
        var isWhole: Bool
        var names: [[UInt8]]
        var nameStrings: [String]
        var children: [Node]

        init(_ tree: FieldTree) {
            isWhole = tree.isWhole
            names = tree.childBytes
            nameStrings = tree.children.map(\.name)
            children = tree.children.map { Node($0.tree) }
        }
    }

    let tree: FieldTree
    private let root: Node
    private var reader = JSONTokenReader(allowsMultipleDocuments: true)
    private var tokens: [JSONToken] = []

    init(tree: FieldTree) {
        self.tree = tree
        root = Node(tree)
        tokens.reserveCapacity(1024)
    }

    /// The pruned value of the object document in `bytes`, or nil when the caller must parse it in full: it is
    /// not an object, or it is invalid (the full parser then reports the error with its stream position).
    mutating func decode(_ bytes: UnsafeRawBufferPointer) -> JSONValue? {
        var first = 0
        while first < bytes.count, bytes[first] == 0x20 || bytes[first] == 0x09 || bytes[first] == 0x0A || bytes[first] == 0x0D {
            first += 1
        }
        guard first < bytes.count, bytes[first] == UInt8(ascii: "{") else { return nil }
        tokens.removeAll(keepingCapacity: true)
        let documentsBefore = reader.documentsCompleted
        do {
            try reader.feed(bytes, into: &tokens)
        } catch {
            reader = JSONTokenReader(allowsMultipleDocuments: true)
            return nil
        }
        // An object ends at its closing brace, so the document is complete; anything more is a second document.
        guard reader.documentsCompleted == documentsBefore + 1, reader.depth == 0, case .endOfDocument? = tokens.last
        else {
            reader = JSONTokenReader(allowsMultipleDocuments: true)
            return nil
        }
        var index = 0
        return build(&index, root)
    }

    /// Whether key `span` is `name` (compared as raw bytes: an escaped key is decoded first).
    private func key(_ span: JSONSpan, is name: [UInt8], _ text: String) -> Bool {
        if span.flag { return reader.string(for: span) == text }
        guard span.length == name.count else { return false }
        return reader.withBytes(of: span) { raw in raw.elementsEqual(name) }
    }

    /// The object at `index` with only `node`'s members; stops reading once each has been found (the reader
    /// validated the whole document already, and lookups take the first member of a name).
    private func build(_ index: inout Int, _ node: Node) -> JSONValue {
        guard !node.isWhole, case .beginObject = tokens[index] else { return full(&index) }
        index += 1
        var members: [JSONMember] = []
        members.reserveCapacity(node.names.count)
        var found = 0
        while found < node.names.count {
            guard case .key(let span) = tokens[index] else { break }  // the object's end
            index += 1
            var matched = false
            for position in node.names.indices where key(span, is: node.names[position], node.nameStrings[position]) {
                members.append(JSONMember(key: node.nameStrings[position], value: build(&index, node.children[position])))
                found += 1
                matched = true
                break
            }
            if !matched { skip(&index) }
        }
        if found == node.names.count {
            skip(&index, inside: 1)
        } else {
            index += 1
        }
        return .object(members)
    }

    private func skip(_ index: inout Int, inside start: Int = 0) {
        var depth = start
        repeat {
            switch tokens[index] {
            case .beginObject, .beginArray: depth += 1
            case .endObject, .endArray: depth -= 1
            default: break
            }
            index += 1
        } while depth > 0
    }

    private func full(_ index: inout Int) -> JSONValue {
        let token = tokens[index]
        index += 1
        switch token {
        case .beginObject:
            var members: [JSONMember] = []
            while case .key(let span) = tokens[index] {
                index += 1
                members.append(JSONMember(key: reader.string(for: span), value: full(&index)))
            }
            index += 1
            return .object(members)
        case .beginArray:
            var elements: [JSONValue] = []
            while true {
                if case .endArray = tokens[index] { break }
                elements.append(full(&index))
            }
            index += 1
            return .array(elements)
        case .string(let span): return .string(reader.string(for: span))
        case .number(let span): return .number(reader.number(for: span))
        case .true: return .bool(true)
        case .false: return .bool(false)
        default: return .null
        }
    }
}
