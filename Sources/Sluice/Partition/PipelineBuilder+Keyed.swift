extension PipelineBuilder {
    /// Starts a keyed stage: `.keyed(by: \.user).aggregate(…).parallel(4)`.
    ///
    /// The key must hash stably (`StableHashable`): it chooses the key group, and the group the worker, in every
    /// process alike.
    public func keyed<Key: Hashable & StableHashable & Sendable>(
        _ name: String? = nil, by key: @escaping @Sendable (Chain.Output) -> Key
    ) -> KeyedPipelineBuilder<Source, Chain, Key> {
        KeyedPipelineBuilder(builder: self, name: name ?? "keyed\(stageNames.count)", key: key)
    }

    /// Appends a parallel keyed stage.
    /// With `checkpoints`, the stage hands out its key groups at every barrier and starts from restored ones (see
    /// `KeyedStateCheckpoints`); its elements must then be `StreamElement`s (`KeyedOperation.carryingBarriers()`).
    public func parallel<Key, State, Output>(
        _ name: String? = nil, _ operation: KeyedOperation<Chain.Output, Key, State, Output>,
        _ parallelism: KeyedParallelism, checkpoints: KeyedStateCheckpoints<Key, State>? = nil
    ) -> PipelineBuilder<Source, ComposedChain<Chain, KeyedParallelStage<Chain.Output, Key, State, Output>>> {
        let stage = KeyedParallelStage(
            name: name ?? "keyed\(stageNames.count)", operation: operation, parallelism: parallelism,
            checkpoints: checkpoints)
        var next = PipelineBuilder<Source, ComposedChain<Chain, KeyedParallelStage<Chain.Output, Key, State, Output>>>(
            sourceName: sourceName, source: source, chain: ComposedChain(chain, stage),
            stageNames: stageNames + [stage.name])
        next.pipelineName = pipelineName
        next.deadLetterPolicy = deadLetterPolicy
        return next
    }
}

/// A keyed stage waiting for its per-key logic (`aggregate` or `process`).
public struct KeyedPipelineBuilder<Source: PipelineSource, Chain: StageChain, Key: Hashable & StableHashable & Sendable>:
    Sendable
where Chain.Input == Source.Element {
    let builder: PipelineBuilder<Source, Chain>
    let name: String
    let key: @Sendable (Chain.Output) -> Key

    /// Folds each key's elements into a value and emits one `KeyedValue` per key at the end; `merge` combines
    /// partial values, so hot keys can be split (see `KeyedOperation.aggregate`).
    public func aggregate<Value: Sendable>(
        initial: Value, _ fold: @escaping @Sendable (inout Value, Chain.Output) throws -> Void,
        merge: @escaping @Sendable (inout Value, Value) -> Void
    ) -> KeyedOperationBuilder<Source, Chain, Key, Value, KeyedValue<Key, Value>> {
        KeyedOperationBuilder(
            builder: builder, name: name,
            operation: KeyedOperation<Chain.Output, Key, Value, KeyedValue<Key, Value>>.aggregate(
                by: key, initial: initial, fold: fold, merge: merge))
    }

    /// Runs a per-key state machine that may emit per element (see `KeyedOperation.process`).
    public func process<State: Sendable, Output: Sendable>(
        initial: State, step: @escaping @Sendable (inout State, Chain.Output, (Output) -> Void) throws -> Void,
        complete: @escaping @Sendable (Key, inout State, (Output) -> Void) throws -> Void = { _, _, _ in }
    ) -> KeyedOperationBuilder<Source, Chain, Key, State, Output> {
        KeyedOperationBuilder(
            builder: builder, name: name,
            operation: .process(by: key, initial: initial, step: step, complete: complete))
    }
}

/// A keyed stage waiting for its parallelism.
public struct KeyedOperationBuilder<
    Source: PipelineSource, Chain: StageChain, Key: Hashable & StableHashable & Sendable, State: Sendable,
    Output: Sendable
>: Sendable where Chain.Input == Source.Element {
    let builder: PipelineBuilder<Source, Chain>
    let name: String
    let operation: KeyedOperation<Chain.Output, Key, State, Output>

    /// Runs the stage on `workers` workers (fixed), optionally splitting hot keys.
    public func parallel(
        _ workers: Int, hotKeys: HotKeySplitting? = nil, observer: PartitionObserver? = nil
    ) -> PipelineBuilder<Source, ComposedChain<Chain, KeyedParallelStage<Chain.Output, Key, State, Output>>> {
        parallel(KeyedParallelism(workers: workers, hotKeys: hotKeys, observer: observer))
    }

    /// Runs the stage with full control of key groups, scaling, splitting and windows.
    public func parallel(
        _ parallelism: KeyedParallelism
    ) -> PipelineBuilder<Source, ComposedChain<Chain, KeyedParallelStage<Chain.Output, Key, State, Output>>> {
        builder.parallel(name, operation, parallelism)
    }
}
