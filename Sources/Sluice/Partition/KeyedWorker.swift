/// One worker of a parallel keyed stage: drains its own bounded channel (a bulkhead) and keeps its keys' state per
/// key group. Confined to the task that runs it.
struct KeyedWorker<Input: Sendable, Key: Hashable & StableHashable & Sendable, State: Sendable, Output: Sendable> {
    typealias Item = KeyedWorkItem<Input, Key, State>
    let index: Int
    let stageName: String
    let operation: KeyedOperation<Input, Key, State, Output>
    let batchSize: Int
    let clock: any MonotonicClock
    let slot: PartitionLoadCounters.Slot
    var table = KeyGroupStateTable<Key, State>()
    var partials: [Key: State] = [:]
    var processed = 0
    var emitted = 0
    var errors = 0

    /// Runs until `inbox` is finished and drained, then completes every key it owns. Suspends in `receive` when the
    /// inbox is empty and in `send` when `output` is full (backpressure to the router).
    mutating func run(
        inbox: BoundedChannel<Item>, output: BoundedChannel<Output>, acks: BoundedChannel<KeyedHandOff<Key, State>>,
        router: DeadLetterRouter
    ) async throws {
        // Locals, so that the closures below do not capture `self` while `table` is being modified.
        let operation = operation
        let stageName = stageName
        var items: [Item] = []
        items.reserveCapacity(batchSize)
        var outputs: [Output] = []
        while try await inbox.receive(into: &items, maxCount: batchSize) > 0 {
            let start = clock.nowNanoseconds()
            var count = 0
            for item in items {
                switch item {
                case .record(let element, let key, let group):
                    count += 1
                    do {
                        try table.update(key, group: group, initial: operation.initial) { state in
                            try operation.step(&state, element) { outputs.append($0) }
                        }
                    } catch {
                        errors += 1
                        router.route(element: element, error: error, stageName: stageName)
                    }
                case .partial(let element, let key):
                    count += 1
                    do {
                        try operation.step(&partials[key, default: operation.initial], element) { _ in }
                    } catch {
                        errors += 1
                        router.route(element: element, error: error, stageName: stageName)
                    }
                case .handOff(let assignment, let me):
                    let moved = table.extract { assignment.worker(forGroup: $0) != me }
                    // Outputs of the moving keys go out before their new owner can emit anything: per-key order.
                    try await flush(&outputs, to: output)
                    try await acks.send(KeyedHandOff(worker: index, groups: moved))
                case .flushPartials(let keys):
                    var flushed: [Key: State] = [:]
                    for key in keys { if let state = partials.removeValue(forKey: key) { flushed[key] = state } }
                    try await acks.send(KeyedHandOff(worker: index, partials: flushed))
                case .adopt(let groups):
                    table.adopt(groups)
                case .barrier:
                    // Outputs before the barrier go out before the router forwards it; the copy is copy-on-write.
                    try await flush(&outputs, to: output)
                    try await acks.send(KeyedHandOff(worker: index, groups: table.groups))
                case .mergePartial(let key, let group, let partial):
                    // Only aggregations (which have `merge`) are ever split.
                    let merge = operation.merge!
                    table.update(key, group: group, initial: operation.initial) { merge(&$0, partial) }
                }
            }
            processed += count
            slot.processed.add(count, ordering: .relaxed)
            slot.busyNanoseconds.add(clock.nowNanoseconds() &- start, ordering: .relaxed)
            items.removeAll(keepingCapacity: true)
            try await flush(&outputs, to: output)
        }
        precondition(partials.isEmpty, "split keys are merged back before the inbox finishes")
        let failures = table.complete(operation, router: router, stageName: stageName) { outputs.append($0) }
        errors += failures
        try await flush(&outputs, to: output)
    }

    private mutating func flush(_ outputs: inout [Output], to output: BoundedChannel<Output>) async throws {
        guard !outputs.isEmpty else { return }
        emitted += outputs.count
        try await output.send(contentsOf: outputs)
        outputs.removeAll(keepingCapacity: true)
    }
}
