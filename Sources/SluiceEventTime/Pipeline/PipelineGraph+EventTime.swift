import Sluice

extension PipelineGraph {
    /// Adds a window stage whose keys are spread over `workers` parallel window stages, each owning its shard of
    /// the window state: partitioned window state is sharded by key group, not striped under locks.
    ///
    /// The stage is a broadcast named `name` (connect the event-time stream, `.watermarks(...)` output, to it),
    /// one `WindowOperator` per worker (`name/0`, `name/1`, …) and a merge of their results, whose name is
    /// returned (connect it to what consumes the results). Every worker receives every watermark, so all
    /// fire on the same event time, and every element, of which it aggregates only those whose key's key group
    /// (`keyGroups`, the engines' key-group routing) falls to it: each key's windows live in exactly one worker,
    /// which alone reads and writes them, so no lock guards window state. Routing costs O(workers) per element
    /// (a key-group lookup per worker); aggregation, state and firing are split between the workers. On the
    /// `ConcurrentEngine` the workers run in parallel; results of different keys reach the merge in any order,
    /// those of one key in its worker's firing order. With one worker it adds a plain window stage named `name`
    /// and returns `name`.
    ///
    /// `configuration` is shared: its counters add up over the workers (see `WindowCounters`); its
    /// `maxWindows` cap applies to each worker separately.
    /// - Precondition: `workers > 0`.
    @discardableResult
    public mutating func addPartitionedWindow<
        Element: Sendable, Key: Hashable & StableHashable & Sendable, Accumulator: WindowAccumulator,
        Trigger: WindowTrigger
    >(
        _ name: String, _ assigner: WindowAssigner, workers: Int, keyGroups: KeyGroups = KeyGroups(),
        key: @escaping @Sendable (Element) -> Key, trigger: Trigger, accumulator: Accumulator,
        configuration: WindowConfiguration<Element> = WindowConfiguration()
    ) -> String where Accumulator.Input == Element {
        precondition(workers > 0, "a partitioned window stage needs at least one worker")
        guard workers > 1 else {
            addStage(
                name,
                WindowOperator(
                    name: name, assigner: assigner, trigger: trigger, accumulator: accumulator, key: key,
                    configuration: configuration))
            return name
        }
        addBroadcast(name, of: EventTimeElement<Element>.self)
        let output = "\(name)/merge"
        addMerge(output, of: WindowResult<Key, Accumulator.Output>.self)
        for worker in 0..<workers {
            let stage = "\(name)/\(worker)"
            addStage(
                stage,
                WindowOperator(
                    name: stage, assigner: assigner, trigger: trigger, accumulator: accumulator, key: key,
                    configuration: configuration,
                    shard: (worker, { keyGroups.worker(for: $0, workers: workers) == worker })))
            connect(name, to: stage)
            connect(stage, to: output)
        }
        return output
    }
}
