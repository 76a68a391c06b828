import SluiceJSON

/// The fields a pipeline reads before it replaces the document (by a projection or an aggregate): a tree of
/// member names. A leaf keeps its whole value.
struct FieldTree: Sendable, Equatable {
    var children: [(name: String, tree: FieldTree)] = []
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
    let tree: FieldTree
    private var reader = JSONTokenReader(allowsMultipleDocuments: true)
    private var tokens: [JSONToken] = []

    init(tree: FieldTree) {
        self.tree = tree
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
        do {
            try reader.feed(bytes, into: &tokens)
        } catch {
            reader = JSONTokenReader(allowsMultipleDocuments: true)
            return nil
        }
        // An object ends at its closing brace, so the document is complete; anything more is a second document.
        guard tokens.last == .endOfDocument, tokens.dropLast().firstIndex(of: .endOfDocument) == nil,
            reader.depth == 0
        else {
            reader = JSONTokenReader(allowsMultipleDocuments: true)
            return nil
        }
        var index = 0
        return build(&index, tree)
    }

    private func build(_ index: inout Int, _ tree: FieldTree) -> JSONValue {
        guard !tree.isWhole, case .beginObject = tokens[index] else { return full(&index) }
        index += 1
        var members: [JSONMember] = []
        while true {
            switch tokens[index] {
            case .endObject:
                index += 1
                return .object(members)
            case .key(let span):
                index += 1
                if let child = tree.children.first(where: { reader.string(for: span, equals: $0.name) }) {
                    members.append(JSONMember(key: child.name, value: build(&index, child.tree)))
                } else {
                    skip(&index)
                }
            default:
                // The reader validated the document: inside an object only keys and the end follow.
                preconditionFailure("a validated object holds keys and values only")
            }
        }
    }

    private func skip(_ index: inout Int) {
        var depth = 0
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
            while tokens[index] != .endArray { elements.append(full(&index)) }
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
