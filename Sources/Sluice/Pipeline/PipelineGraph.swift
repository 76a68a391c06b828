/// A pipeline as a graph of named stages, for fan-out (broadcast, partition by key) and fan-in (merge).
///
/// ```swift
/// var graph = PipelineGraph(name: "orders")
/// graph.addSource("orders", SequenceSource(orders))
/// graph.addPartition("byCustomer", of: Order.self) { $0.customerID }
/// graph.addStage("left", MapOperator<Order, Int> { $0.total })
/// graph.addStage("right", MapOperator<Order, Int> { $0.total * 2 })
/// graph.addMerge("merge", of: Int.self)
/// graph.addSink("totals", CollectingSink(collector))
/// graph.connect("orders", to: "byCustomer")
/// graph.connect("byCustomer", to: "left")
/// ...
/// let statistics = try SyncEngine().run(graph)
/// ```
///
/// Unlike the typed `Pipeline` chain, the graph's wiring is checked at run time: `validate()` (which the engines
/// call first) reports unknown or duplicate stages, type mismatches, cycles, disconnected parts and misplaced
/// fan-in or fan-out as a `PipelineError` naming the stages. Each graph stage is its own segment (fusion applies
/// inside typed chains).
public struct PipelineGraph: Sendable {
    /// The pipeline's name (the `pipeline` dimension of its metrics).
    public var name: String
    /// Where failed elements go; the default discards them (they are still counted).
    public var deadLetterPolicy = DeadLetterPolicy()
    var nodes: [GraphNode] = []
    var edges: [(from: String, to: String)] = []
    var duplicateNames: [String] = []

    /// Creates an empty graph.
    public init(name: String = "graph") {
        self.name = name
    }

    /// Adds a source stage.
    public mutating func addSource<Source: PipelineSource>(_ name: String, _ source: Source) {
        add(SourceGraphNode(name: name, source: source))
    }

    /// Adds a transform or stateful stage.
    public mutating func addStage<Operator: StageOperator>(
        _ name: String, _ op: Operator, lifecycle: StageLifecycle = .onDemand, hooks: StageHooks? = nil,
        pool: StagePool<Operator>? = nil
    ) {
        add(
            OperatorGraphNode(
                node: StageNode(name: name, operator: op, lifecycle: lifecycle, hooks: hooks, pool: pool)))
    }

    /// Adds a fan-out stage that sends every element to each of its successors.
    public mutating func addBroadcast<Element: Sendable>(_ name: String, of type: Element.Type) {
        add(FanOutGraphNode<Element>(name: name, route: nil))
    }

    /// Adds a fan-out stage that sends each element to one successor, chosen by its key: the key's stable hash
    /// picks its key group (`keyGroups`), and jump consistent hashing picks the group's successor (successors in the
    /// order they were connected). Elements with equal keys always take the same path, in every process and on
    /// every machine, and adding a successor moves only about 1/(N+1) of the keys. A `StreamElement` checkpoint
    /// barrier goes to every successor and never reaches `key`.
    /// - Precondition: at most `keyGroups.count` successors.
    public mutating func addPartition<Element: Sendable, Key: StableHashable & Sendable>(
        _ name: String, of type: Element.Type, keyGroups: KeyGroups = KeyGroups(), by key: @escaping @Sendable (Element) -> Key
    ) {
        add(
            FanOutGraphNode<Element>(
                name: name, route: { element, ways in keyGroups.worker(for: key(element), workers: ways) }))
    }

    /// Adds a fan-in stage that merges all its inputs into one stream (in arrival order). A merge of
    /// `StreamElement`s aligns checkpoint barriers across its inputs (`BarrierAligner`) and forwards each once;
    /// see the engines' `run(_:)` for how each engine holds back a blocked input.
    public mutating func addMerge<Element: Sendable>(_ name: String, of type: Element.Type) {
        add(MergeGraphNode<Element>(name: name))
    }

    /// Adds a sink stage.
    public mutating func addSink<Sink: PipelineSink>(_ name: String, _ sink: Sink) {
        add(SinkGraphNode(name: name, sink: sink))
    }

    /// Sends the output of stage `from` to stage `to`.
    public mutating func connect(_ from: String, to: String) {
        edges.append((from, to))
    }

    private mutating func add(_ node: GraphNode) {
        if nodes.contains(where: { $0.name == node.name }) {
            duplicateNames.append(node.name)
        } else {
            nodes.append(node)
        }
    }
}
