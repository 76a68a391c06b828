/// One run of a parallel keyed stage on `ConcurrentEngine`: a router (the segment's own task) and one child task
/// per worker, each worker with its own bounded channel.
///
/// The router hashes each element's key (`StableKeyHasher`), finds its key group and the group's worker, and sends
/// batches to the workers; a split hot key's elements go round-robin instead. Once per skew window it measures
/// skew, updates the heavy hitters, splits or merges back hot keys and asks the parallelism controller. A rescale
/// is a stop-the-router hand-off: every worker gives back the groups it loses (after every element sent to it
/// before), and their new owners adopt them (before any later element), so nothing is lost, duplicated or
/// reordered within a key.
struct KeyedParallelRuntime<Input: Sendable, Key: Hashable & StableHashable & Sendable, State: Sendable, Output: Sendable>:
    Sendable
{
    typealias Item = KeyedWorkItem<Input, Key, State>
    let name: String
    let operation: KeyedOperation<Input, Key, State, Output>
    let parallelism: KeyedParallelism
    let context: _ConcurrentSpawnContext
    let metrics: PartitionMetrics?
    let checkpoints: KeyedStateCheckpoints<Key, State>?

    /// Routes everything from `input` and returns the stage's statistics (processed, emitted, errors).
    func run(input: BoundedChannel<Input>, output: BoundedChannel<Output>) async throws -> (Int, Int, Int) {
        let maximumWorkers = max(
            parallelism.scaling?.maximumWorkers ?? parallelism.workers, parallelism._rescaleSchedule?.max() ?? 1)
        let counters = PartitionLoadCounters(capacity: max(maximumWorkers, parallelism.workers))
        let acks = BoundedChannel<KeyedHandOff<Key, State>>(
            capacity: .bounded(max(maximumWorkers, parallelism.workers) + 1), name: "\(name)/acks", clock: nil)
        var inboxes: [BoundedChannel<Item>] = []
        do {
            let totals = try await withThrowingTaskGroup(of: (Int, Int, Int).self) { group in
                var router = KeyedRouter(runtime: self, counters: counters, acks: acks)
                func spawn(_ index: Int) {
                    let inbox = context.makeChannel(of: Item.self, name: "\(name)/worker\(index)")
                    if index < inboxes.count { inboxes[index] = inbox } else { inboxes.append(inbox) }
                    let worker = KeyedWorker<Input, Key, State, Output>(
                        index: index, stageName: name, operation: operation, batchSize: context.batchSize,
                        clock: context.clock, slot: counters.slot(index))
                    group.addTask { [router = context.router] in
                        var worker = worker
                        do {
                            try await worker.run(inbox: inbox, output: output, acks: acks, router: router)
                        } catch {
                            // The router may be waiting for this worker's acknowledgement: fail that wait too.
                            inbox.fail(error)
                            acks.fail(error)
                            throw error
                        }
                        return (worker.processed, worker.emitted, worker.errors)
                    }
                }
                try await router.route(from: input, to: output, inboxes: { inboxes }, spawn: spawn)
                var totals = (0, 0, 0)
                while let (processed, emitted, errors) = try await group.next() {
                    totals = (totals.0 + processed, totals.1 + emitted, totals.2 + errors)
                }
                return totals
            }
            output.finish()
            return totals
        } catch {
            output.fail(error)
            for inbox in inboxes { inbox.fail(error) }
            acks.fail(error)
            throw error
        }
    }
}
