extension PipelineGraph {
    /// The graph's wiring after validation: nodes by index, successors in connection order, a topological order.
    struct Wiring {
        var successors: [[Int]]
        var predecessors: [[Int]]
        var order: [Int]
    }

    /// Checks the wiring; the engines call it before anything runs. O(stages + edges).
    /// - Throws: `PipelineError` naming the stages: `duplicateStageName`, `unknownStage`, `invalidEdge`,
    ///   `typeMismatch`, `invalidFanIn`, `invalidFanOut`, `cycle`, `disconnected`, `missingSource`, `missingSink`.
    public func validate() throws(PipelineError) {
        _ = try wiring()
    }

    func wiring() throws(PipelineError) -> Wiring {
        if let name = duplicateNames.first {
            throw PipelineError(.duplicateStageName, "two stages are named '\(name)'", stages: [name])
        }
        var indexByName: [String: Int] = [:]
        for (index, node) in nodes.enumerated() { indexByName[node.name] = index }
        var successors = Array(repeating: [Int](), count: nodes.count)
        var predecessors = Array(repeating: [Int](), count: nodes.count)
        for edge in edges {
            guard let from = indexByName[edge.from], let to = indexByName[edge.to] else {
                let missing = indexByName[edge.from] == nil ? edge.from : edge.to
                throw PipelineError(
                    .unknownStage, "the edge '\(edge.from)' -> '\(edge.to)' names '\(missing)', which is not a stage",
                    stages: [missing])
            }
            try checkEdge(nodes[from], nodes[to], repeated: successors[from].contains(to))
            successors[from].append(to)
            predecessors[to].append(from)
        }
        for (index, node) in nodes.enumerated() {
            if predecessors[index].count > 1 && node.kind != .fanIn {
                let names = predecessors[index].map { nodes[$0].name }
                throw PipelineError(
                    .invalidFanIn,
                    "'\(node.name)' has \(names.count) inputs (\(names.joined(separator: ", "))); only a merge may",
                    stages: [node.name] + names)
            }
            if successors[index].count > 1 && node.kind != .fanOut {
                let names = successors[index].map { nodes[$0].name }
                throw PipelineError(
                    .invalidFanOut,
                    "'\(node.name)' has \(names.count) outputs (\(names.joined(separator: ", "))); only a broadcast or partition may",
                    stages: [node.name] + names)
            }
        }
        let order = try topologicalOrder(successors: successors, predecessors: predecessors)
        try checkConnected(successors: successors, predecessors: predecessors)
        return Wiring(successors: successors, predecessors: predecessors, order: order)
    }

    private func checkEdge(_ from: GraphNode, _ to: GraphNode, repeated: Bool) throws(PipelineError) {
        let names = [from.name, to.name]
        if repeated {
            throw PipelineError(.invalidEdge, "'\(from.name)' is connected to '\(to.name)' twice", stages: names)
        }
        guard let output = from.outputType else {
            throw PipelineError(.invalidEdge, "the sink '\(from.name)' cannot feed '\(to.name)'", stages: names)
        }
        guard let input = to.inputType else {
            throw PipelineError(.invalidEdge, "the source '\(to.name)' cannot take input from '\(from.name)'", stages: names)
        }
        guard output.type == input.type else {
            throw PipelineError(
                .typeMismatch,
                "'\(from.name)' emits \(output.name) but '\(to.name)' expects \(input.name)", stages: names)
        }
    }

    /// Kahn's algorithm; what it cannot order lies on or behind a cycle, which is then found and named.
    private func topologicalOrder(successors: [[Int]], predecessors: [[Int]]) throws(PipelineError) -> [Int] {
        var remaining = predecessors.map(\.count)
        var order = remaining.indices.filter { remaining[$0] == 0 }
        var head = 0
        while head < order.count {
            let next = order[head]
            head += 1
            for successor in successors[next] {
                remaining[successor] -= 1
                if remaining[successor] == 0 { order.append(successor) }
            }
        }
        guard order.count < nodes.count else { return order }
        let cycle = findCycle(predecessors: predecessors, among: Set(remaining.indices.filter { remaining[$0] > 0 }))
        let names = cycle.map { nodes[$0].name }
        throw PipelineError(
            .cycle, "the stages \(names.joined(separator: " -> ")) -> \(names[0]) form a cycle", stages: names)
    }

    /// Walks back from an unordered node along unordered predecessors until a node repeats, and returns that
    /// loop in edge order. Every unordered node has an unordered predecessor (else Kahn's algorithm would have
    /// ordered it), so the walk never stops short and must close a cycle.
    private func findCycle(predecessors: [[Int]], among unordered: Set<Int>) -> [Int] {
        guard var current = unordered.min() else { return [] }
        var path: [Int] = []
        var position: [Int: Int] = [:]
        while position[current] == nil {
            position[current] = path.count
            path.append(current)
            guard let previous = predecessors[current].first(where: { unordered.contains($0) }) else { break }
            current = previous
        }
        let loop = Array(path[position[current, default: 0]...].reversed())
        // Start the loop at its smallest index so the message does not depend on where the walk began.
        guard let start = loop.indices.min(by: { loop[$0] < loop[$1] }) else { return loop }
        return Array(loop[start...] + loop[..<start])
    }

    private func checkConnected(successors: [[Int]], predecessors: [[Int]]) throws(PipelineError) {
        guard nodes.contains(where: { $0.kind == .source }) else {
            let names = nodes.map(\.name)
            throw PipelineError(
                .missingSource, "the graph has no source (stages: \(names.joined(separator: ", ")))", stages: names)
        }
        guard nodes.contains(where: { $0.kind == .sink }) else {
            let names = nodes.map(\.name)
            throw PipelineError(
                .missingSink, "the graph has no sink (stages: \(names.joined(separator: ", ")))", stages: names)
        }
        for (index, node) in nodes.enumerated() {
            if node.kind != .source && predecessors[index].isEmpty {
                throw PipelineError(.disconnected, "'\(node.name)' has no input", stages: [node.name])
            }
            if node.kind != .sink && successors[index].isEmpty {
                throw PipelineError(.disconnected, "'\(node.name)' has no output", stages: [node.name])
            }
        }
        // One weakly connected part: a graph of two separate pipelines is almost always a wiring mistake.
        var seen: Set<Int> = [0]
        var stack = [0]
        while let next = stack.popLast() {
            for neighbour in successors[next] + predecessors[next] where seen.insert(neighbour).inserted {
                stack.append(neighbour)
            }
        }
        if seen.count < nodes.count {
            let apart = nodes.indices.filter { !seen.contains($0) }.map { nodes[$0].name }
            throw PipelineError(
                .disconnected,
                "the stages \(apart.joined(separator: ", ")) are not connected to '\(nodes[0].name)'", stages: apart)
        }
    }
}
