/// The entry point of the typed pipeline API.
///
/// ```swift
/// let output = OutputCollector<Int>()
/// let pipeline = Pipeline.source(1...1_000)
///     .map("square") { $0 * $0 }
///     .filter("even") { $0.isMultiple(of: 2) }
///     .sink("collect", output)
/// let statistics = try SyncEngine().run(pipeline)
/// ```
///
/// Stage types are checked by the compiler; names are checked when an engine runs the pipeline
/// (`PipelineError.duplicateStageName`). For fan-out and fan-in, see `PipelineGraph`.
public enum Pipeline {
    /// Starts a pipeline at `source`, named `source`.
    @inlinable
    public static func source<Source: PipelineSource>(
        _ source: Source
    ) -> PipelineBuilder<Source, IdentityChain<Source.Element>> {
        self.source("source", source)
    }

    /// Starts a pipeline at the elements of a collection (an array, a range), named `source`.
    @inlinable
    public static func source<Elements: Collection & Sendable>(
        _ elements: Elements
    ) -> PipelineBuilder<CollectionSource<Elements>, IdentityChain<Elements.Element>>
    where Elements.Element: Sendable, Elements.Index: Sendable {
        source("source", CollectionSource(elements))
    }

    /// Starts a pipeline at the elements of a collection (an array, a range).
    @inlinable
    public static func source<Elements: Collection & Sendable>(
        _ name: String, _ elements: Elements
    ) -> PipelineBuilder<CollectionSource<Elements>, IdentityChain<Elements.Element>>
    where Elements.Element: Sendable, Elements.Index: Sendable {
        source(name, CollectionSource(elements))
    }

    /// Starts a pipeline at `source`.
    @inlinable
    public static func source<Source: PipelineSource>(
        _ name: String, _ source: Source
    ) -> PipelineBuilder<Source, IdentityChain<Source.Element>> {
        PipelineBuilder(sourceName: name, source: source, chain: IdentityChain(), stageNames: [name])
    }
}

/// A pipeline under construction: a source and a chain of stages, waiting for its sink.
///
/// Each method returns a new builder whose chain type records the new stage, so the compiler knows the whole
/// chain and can inline fused segments.
public struct PipelineBuilder<Source: PipelineSource, Chain: StageChain>: Sendable
where Chain.Input == Source.Element {
    @usableFromInline var pipelineName = "pipeline"
    @usableFromInline let sourceName: String
    @usableFromInline let source: Source
    @usableFromInline let chain: Chain
    @usableFromInline let stageNames: [String]
    @usableFromInline var deadLetterPolicy = DeadLetterPolicy()

    @inlinable
    init(sourceName: String, source: Source, chain: Chain, stageNames: [String]) {
        self.sourceName = sourceName
        self.source = source
        self.chain = chain
        self.stageNames = stageNames
    }

    /// Appends any stage: the general form behind `map`, `filter` and the others.
    @inlinable
    public func stage<Operator: StageOperator>(
        _ name: String? = nil, _ op: Operator, lifecycle: StageLifecycle = .onDemand, hooks: StageHooks? = nil,
        pool: StagePool<Operator>? = nil
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<Operator>>> where Operator.Input == Chain.Output {
        let stageName = name ?? "\(op.kind == .stateful ? "stateful" : "stage")\(stageNames.count)"
        return appending(StageNode(name: stageName, operator: op, lifecycle: lifecycle, hooks: hooks, pool: pool))
    }

    /// Appends a one-to-one transform. `pure: false` keeps it out of fusion.
    @inlinable
    public func map<Output: Sendable>(
        _ name: String? = nil, pure: Bool = true, _ transform: @escaping @Sendable (Chain.Output) throws -> Output
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<MapOperator<Chain.Output, Output>>>> {
        appending(StageNode(name: name ?? "map\(stageNames.count)", operator: MapOperator(isPure: pure, transform)))
    }

    /// Appends a one-to-one transform written as a type: the fastest kind of stage when fused.
    @inlinable
    public func map<Transform: ElementTransform>(
        _ name: String? = nil, _ transform: Transform
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<TransformOperator<Transform>>>>
    where Transform.Input == Chain.Output {
        appending(StageNode(name: name ?? "map\(stageNames.count)", operator: TransformOperator(transform)))
    }

    /// Appends a filter written as a type: the fastest kind of filter when fused.
    @inlinable
    public func filter<Predicate: ElementPredicate>(
        _ name: String? = nil, _ predicate: Predicate
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<PredicateOperator<Predicate>>>>
    where Predicate.Element == Chain.Output {
        appending(StageNode(name: name ?? "filter\(stageNames.count)", operator: PredicateOperator(predicate)))
    }

    /// Appends a stage that keeps the elements for which `predicate` holds.
    @inlinable
    public func filter(
        _ name: String? = nil, pure: Bool = true, _ predicate: @escaping @Sendable (Chain.Output) throws -> Bool
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<FilterOperator<Chain.Output>>>> {
        appending(
            StageNode(name: name ?? "filter\(stageNames.count)", operator: FilterOperator(isPure: pure, predicate)))
    }

    /// Appends a stage that turns each element into a batch of elements, by appending them to a reused buffer.
    @inlinable
    public func flatMap<Output: Sendable>(
        _ name: String? = nil, pure: Bool = true,
        appending transform: @escaping @Sendable (Chain.Output, inout [Output]) throws -> Void
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<FlatMapOperator<Chain.Output, Output>>>> {
        appending(
            StageNode(
                name: name ?? "flatMap\(stageNames.count)",
                operator: FlatMapOperator(isPure: pure, appending: transform)))
    }

    /// Appends a stage that turns each element into an array of elements, emitted in order.
    @inlinable
    public func flatMap<Output: Sendable>(
        _ name: String? = nil, pure: Bool = true, _ transform: @escaping @Sendable (Chain.Output) throws -> [Output]
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<FlatMapOperator<Chain.Output, Output>>>> {
        flatMap(name, pure: pure, appending: { input, buffer in buffer.append(contentsOf: try transform(input)) })
    }

    /// Appends a stateful stage with an explicit state value.
    @inlinable
    public func stateful<State: Sendable, Output: Sendable>(
        _ name: String? = nil, initial: State, lifecycle: StageLifecycle = .onDemand, hooks: StageHooks? = nil,
        step: @escaping @Sendable (inout State, Chain.Output, (Output) -> Void) throws -> Void,
        complete: @escaping @Sendable (inout State, (Output) -> Void) throws -> Void = { _, _ in }
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<StatefulOperator<State, Chain.Output, Output>>>> {
        appending(
            StageNode(
                name: name ?? "stateful\(stageNames.count)",
                operator: StatefulOperator(initial: initial, step: step, complete: complete), lifecycle: lifecycle,
                hooks: hooks))
    }

    /// Appends a running fold that emits the state after every element.
    @inlinable
    public func scan<State: Sendable>(
        _ name: String? = nil, initial: State,
        _ combine: @escaping @Sendable (State, Chain.Output) throws -> State
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<StatefulOperator<State, Chain.Output, State>>>> {
        stateful(name ?? "scan\(stageNames.count)", initial: initial) { state, element, emit in
            state = try combine(state, element)
            emit(state)
        }
    }

    /// Appends a fold that emits its state once, after the last element (nothing if no element arrived).
    @inlinable
    public func reduce<State: Sendable>(
        _ name: String? = nil, initial: State,
        _ combine: @escaping @Sendable (inout State, Chain.Output) throws -> Void
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<StatefulOperator<State, Chain.Output, State>>>> {
        stateful(
            name ?? "reduce\(stageNames.count)", initial: initial,
            step: { state, element, _ in try combine(&state, element) },
            complete: { state, emit in emit(state) })
    }

    /// Appends an aggregate by key: folds each element into its key's group and, after the last element, emits
    /// one `KeyedValue` per key in order of first appearance. State is O(distinct keys).
    @inlinable
    public func aggregate<Key: Hashable & Sendable, Value: Sendable>(
        _ name: String? = nil, by key: @escaping @Sendable (Chain.Output) -> Key, initial: Value,
        _ combine: @escaping @Sendable (inout Value, Chain.Output) throws -> Void
    ) -> PipelineBuilder<
        Source,
        ComposedChain<Chain, StageNode<StatefulOperator<KeyedAggregation<Key, Value>, Chain.Output, KeyedValue<Key, Value>>>>
    > {
        stateful(
            name ?? "aggregate\(stageNames.count)", initial: KeyedAggregation<Key, Value>(),
            step: { state, element, _ in try state.fold(element, key: key(element), initial: initial, combine: combine) },
            complete: { state, emit in for group in state.values { emit(group) } })
    }

    /// Sends failed elements to `policy.sink`, rate-limited as the policy says.
    @inlinable
    public func deadLetters(_ policy: DeadLetterPolicy) -> Self {
        var copy = self
        copy.deadLetterPolicy = policy
        return copy
    }

    /// Names the pipeline (the `pipeline` dimension of its metrics).
    @inlinable
    public func named(_ name: String) -> Self {
        var copy = self
        copy.pipelineName = name
        return copy
    }

    /// Ends the pipeline at `sink`, named `sink`.
    @inlinable
    public func sink<Sink: PipelineSink>(_ sink: Sink) -> RunnablePipeline<Source, Chain, Sink>
    where Sink.Input == Chain.Output {
        self.sink("sink", sink)
    }

    /// Ends the pipeline by collecting its outputs into `collector`; the sink is named `sink`.
    @inlinable
    public func sink(
        _ collector: OutputCollector<Chain.Output>
    ) -> RunnablePipeline<Source, Chain, CollectingSink<Chain.Output>> {
        sink("sink", CollectingSink(collector))
    }

    /// Ends the pipeline at `sink`.
    @inlinable
    public func sink<Sink: PipelineSink>(_ name: String, _ sink: Sink) -> RunnablePipeline<Source, Chain, Sink>
    where Sink.Input == Chain.Output {
        RunnablePipeline(
            name: pipelineName, sourceName: sourceName, source: source, chain: chain, sinkName: name, sink: sink,
            stageNames: stageNames + [name], deadLetterPolicy: deadLetterPolicy)
    }

    /// Ends the pipeline by collecting its outputs into `collector`.
    @inlinable
    public func sink(
        _ name: String, _ collector: OutputCollector<Chain.Output>
    ) -> RunnablePipeline<Source, Chain, CollectingSink<Chain.Output>> {
        sink(name, CollectingSink(collector))
    }

    @inlinable
    func appending<Operator: StageOperator>(
        _ node: StageNode<Operator>
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<Operator>>> where Operator.Input == Chain.Output {
        var next = PipelineBuilder<Source, ComposedChain<Chain, StageNode<Operator>>>(
            sourceName: sourceName, source: source, chain: ComposedChain(chain, node),
            stageNames: stageNames + [node.name])
        next.pipelineName = pipelineName
        next.deadLetterPolicy = deadLetterPolicy
        return next
    }
}
