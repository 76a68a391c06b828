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
            case .aggregate(_, let fields, let window):
                for field in fields { if let path = field.path { tree.add(path.steps[...]) } }
                if let window { tree.add(window.time.steps[...]) }
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

extension FieldTree {
    /// The tree as the JSON library's selection.
    var selection: JSONFieldSelection {
        JSONFieldSelection(
            members: children.map { JSONFieldSelection.Member(name: $0.name, selection: $0.tree.selection) },
            isWhole: isWhole)
    }
}
