/// The router of a parallel keyed stage: routes elements to workers and runs the skew window, hot-key splitting
/// and rescaling. Confined to the segment's task.
struct KeyedRouter<Input: Sendable, Key: Hashable & StableHashable & Sendable, State: Sendable, Output: Sendable> {
    typealias Item = KeyedWorkItem<Input, Key, State>
    let runtime: KeyedParallelRuntime<Input, Key, State, Output>
    let counters: PartitionLoadCounters
    let acks: BoundedChannel<KeyedHandOff<Key, State>>
    var assignment: KeyGroupAssignment
    var live: Int
    var pending: [[Item]]
    var windowLoads: [Int]
    var groupLoads: [Int]
    var windowCount = 0
    var windows = 0
    /// The heavy-hitter sketch runs on the keys' stable hashes (concrete `UInt64`s, cheap to hash and compare);
    /// `sketchKeys[slot]` is the key behind the sketch's entry in `slot`, written only when a key enters the sketch.
    var sketch: SpaceSavingSketch<UInt64>
    var sketchKeys: [Key] = []
    var sampleCountdown = 1
    var splitKeys: Set<Key> = [] {
        // The per-element test looks at the hash first; only a hash match looks the key up.
        didSet { splitHashes = Set(splitKeys.map { StableKeyHasher.hash($0) }) }
    }
    var splitHashes: Set<UInt64> = []
    var nextPartialWorker = 0
    var controller: ParallelismController?
    var lastDecision: UInt64
    var lastBusy: [UInt64] = []

    var parallelism: KeyedParallelism { runtime.parallelism }

    init(
        runtime: KeyedParallelRuntime<Input, Key, State, Output>, counters: PartitionLoadCounters,
        acks: BoundedChannel<KeyedHandOff<Key, State>>
    ) {
        self.runtime = runtime
        self.counters = counters
        self.acks = acks
        let parallelism = runtime.parallelism
        let workers = parallelism.scaling.map { min(max(parallelism.workers, $0.minimumWorkers), $0.maximumWorkers) }
            ?? parallelism.workers
        assignment = KeyGroupAssignment(keyGroups: parallelism.keyGroups, workers: workers)
        live = 0
        pending = []
        windowLoads = []
        groupLoads = Array(repeating: 0, count: parallelism.keyGroups.count)
        sketch = SpaceSavingSketch(capacity: parallelism.heavyHitterCapacity)
        let now = runtime.context.clock.nowNanoseconds()
        lastDecision = now
        controller = parallelism.scaling.map { ParallelismController(policy: $0, workers: workers, now: now) }
    }

    /// Routes every batch of `input`, then merges split keys back and finishes the workers' inboxes.
    mutating func route(
        from input: BoundedChannel<Input>, to output: BoundedChannel<Output>, inboxes: () -> [BoundedChannel<Item>],
        spawn: (Int) -> Void
    ) async throws {
        let keyGroups = parallelism.keyGroups
        let batchSize = runtime.context.batchSize
        let splittable = runtime.operation.merge != nil && parallelism.hotKeys != nil
        let carriesBarriers = KeyedParallelStage<Input, Key, State, Output>.carriesBarriers
        grow(to: assignment.workerCount, spawn: spawn)
        if let restoring = runtime.checkpoints?.restoring, !restoring.isEmpty {
            // Each restored group goes to its owner under this run's worker count, before any element.
            var byWorker: [[Int: KeyGroupState<Key, State>]] = Array(repeating: [:], count: live)
            for (group, state) in restoring { byWorker[assignment.worker(forGroup: group)][group] = state }
            for worker in 0..<live where !byWorker[worker].isEmpty { pending[worker].append(.adopt(byWorker[worker])) }
            try await sendPending(inboxes())
        }
        var batch: [Input] = []
        batch.reserveCapacity(batchSize)
        while try await input.receive(into: &batch, maxCount: batchSize) > 0 {
            for element in batch {
                if carriesBarriers, let barrier = KeyedParallelStage<Input, Key, State, Output>.barrier(of: element) {
                    try await passBarrier(barrier, to: output, inboxes: inboxes)
                    continue
                }
                let key = runtime.operation.key(element)
                let hash = StableKeyHasher.hash(key)
                let group = keyGroups.group(forHash: hash)
                groupLoads[group] &+= 1
                sampleCountdown -= 1
                if sampleCountdown == 0 {
                    sampleCountdown = parallelism.sketchSampling
                    if let slot = sketch.add(hash) {
                        if slot == sketchKeys.count { sketchKeys.append(key) } else { sketchKeys[slot] = key }
                    }
                }
                if splittable, !splitHashes.isEmpty, splitHashes.contains(hash), splitKeys.contains(key) {
                    let worker = nextPartialWorker
                    nextPartialWorker = (nextPartialWorker + 1) % live
                    pending[worker].append(.partial(element, key))
                    windowLoads[worker] &+= 1
                } else {
                    let worker = assignment.worker(forGroup: group)
                    pending[worker].append(.record(element, key, group: group))
                    windowLoads[worker] &+= 1
                }
            }
            windowCount += batch.count
            batch.removeAll(keepingCapacity: true)
            try await sendPending(inboxes())
            if windowCount >= parallelism.window {
                try await closeWindow(splittable: splittable, inboxes: inboxes, spawn: spawn)
            }
        }
        if windowCount > 0 { try await closeWindow(splittable: false, inboxes: inboxes, spawn: spawn) }
        try await mergeBack(Array(splitKeys), inboxes: inboxes())
        for inbox in inboxes().prefix(live) { inbox.finish() }
    }

    /// Stops routing until every worker has stepped everything sent before `barrier` and sent its outputs, hands
    /// the merged key groups to the checkpoint, and forwards the barrier before any later element is routed.
    private mutating func passBarrier(
        _ barrier: CheckpointBarrier, to output: BoundedChannel<Output>, inboxes: () -> [BoundedChannel<Item>]
    ) async throws {
        // A split key's state is whole only in its owner: merge the partial values back first.
        try await mergeBack(Array(splitKeys), inboxes: inboxes())
        for worker in 0..<live { pending[worker].append(.barrier) }
        try await sendPending(inboxes())
        var groups: [Int: KeyGroupState<Key, State>] = [:]
        for _ in 0..<live {
            guard let handOff = try await acks.receive() else { throw CancellationError() }
            groups.merge(handOff.groups) { _, _ in preconditionFailure("two workers own one key group") }
        }
        runtime.checkpoints?.onSnapshot(barrier, groups)
        try await output.send(KeyedParallelStage<Input, Key, State, Output>.barrierOutput(barrier))
    }

    private mutating func grow(to workers: Int, spawn: (Int) -> Void) {
        while live < workers {
            spawn(live)
            if pending.count <= live { pending.append([]) }
            if windowLoads.count <= live { windowLoads.append(0) }
            live += 1
        }
        runtime.parallelism.observer?.recordWorkers(live)
        runtime.metrics?.workers(live)
    }

    private mutating func sendPending(_ inboxes: [BoundedChannel<Item>]) async throws {
        for worker in 0..<live where !pending[worker].isEmpty {
            try await inboxes[worker].send(contentsOf: pending[worker])
            pending[worker].removeAll(keepingCapacity: true)
        }
    }

    private mutating func closeWindow(
        splittable: Bool, inboxes: () -> [BoundedChannel<Item>], spawn: (Int) -> Void
    ) async throws {
        windows += 1
        let loads = Array(windowLoads.prefix(live))
        let skew = partitionSkewRatio(loads)
        let scale = Double(parallelism.sketchSampling) / Double(max(windowCount, 1))
        let top = sketch.topSlots(parallelism.heavyHitterCapacity).map { (key: sketchKeys[$0], count: sketch[$0].count) }
        let hitters = top.map { PartitionReport.HeavyHitter(key: String(describing: $0.key), share: Double($0.count) * scale) }
        var histogram: [Int: Int]?
        if windows % parallelism.histogramEveryWindows == 1 || parallelism.histogramEveryWindows == 1 {
            var counts: [Int: Int] = [:]
            for (group, load) in groupLoads.enumerated() where load > 0 { counts[group] = load }
            histogram = counts
        }
        parallelism.observer?.recordWindow(loads: loads, skew: skew, hitters: hitters, histogram: histogram)
        runtime.metrics?.window(loads: loads, skew: skew, top: hitters.first)
        if splittable, let hotKeys = parallelism.hotKeys, live > 1 {
            let shares = Dictionary(top.map { ($0.key, Double($0.count) * scale) }, uniquingKeysWith: max)
            let cooled = splitKeys.filter { (shares[$0] ?? 0) < hotKeys.coolingThreshold }
            let hot = top.filter { Double($0.count) * scale >= hotKeys.threshold && !splitKeys.contains($0.key) }
            if !cooled.isEmpty { try await mergeBack(Array(cooled), inboxes: inboxes()) }
            for entry in hot { splitKeys.insert(entry.key) }
            parallelism.observer?.recordSplits(split: hot.count, mergedBack: cooled.count)
        }
        windowCount = 0
        for index in windowLoads.indices { windowLoads[index] = 0 }
        for index in groupLoads.indices where groupLoads[index] != 0 { groupLoads[index] = 0 }
        sketch.reset()
        sketchKeys.removeAll(keepingCapacity: true)
        try await decide(inboxes: inboxes, spawn: spawn)
    }

    /// Asks the controller, at most once per decision interval, and rescales when it says so.
    private mutating func decide(inboxes: () -> [BoundedChannel<Item>], spawn: (Int) -> Void) async throws {
        if let schedule = parallelism._rescaleSchedule, !schedule.isEmpty {
            let target = schedule[(windows - 1) % schedule.count]
            precondition(target >= 1 && target <= parallelism.keyGroups.count, "scheduled worker count out of range")
            if target != live { try await rescale(to: target, inboxes: inboxes, spawn: spawn) }
            return
        }
        guard var controller, let policy = parallelism.scaling else { return }
        let now = runtime.context.clock.nowNanoseconds()
        let elapsed = now &- lastDecision
        guard elapsed >= policy.decisionIntervalNanoseconds, elapsed > 0 else { return }
        let busy = counters.busy(count: live)
        let previous = lastBusy.count == live ? lastBusy : Array(repeating: 0, count: live)
        let shares: [Double] = zip(busy, previous).map { (now: UInt64, before: UInt64) -> Double in
            min(1, Double(now &- before) / Double(elapsed))
        }
        let utilization: Double = shares.reduce(0, +) / Double(live)
        let current = inboxes()
        let queued = (0..<live).map { current[$0].depth }.reduce(0, +)
        let backlog = min(1, Double(queued) / Double(live * runtime.context.capacity))
        lastDecision = now
        let target = controller.observe(utilization: utilization, backlog: backlog, now: now)
        self.controller = controller
        if let target {
            try await rescale(to: target, inboxes: inboxes, spawn: spawn)
        }
        lastBusy = counters.busy(count: live)
    }

    /// Merges the partial values of split `keys` back into their owners and stops splitting them.
    private mutating func mergeBack(_ keys: [Key], inboxes: [BoundedChannel<Item>]) async throws {
        guard !keys.isEmpty, let merge = runtime.operation.merge else { return }
        for worker in 0..<live { pending[worker].append(.flushPartials(keys)) }
        try await sendPending(inboxes)
        var partials: [[Key: State]] = Array(repeating: [:], count: live)
        for _ in 0..<live {
            guard let handOff = try await acks.receive() else { throw CancellationError() }
            partials[handOff.worker] = handOff.partials
        }
        for key in keys {
            var combined: State?
            for worker in 0..<live {
                guard let partial = partials[worker][key] else { continue }
                if combined == nil { combined = partial } else { merge(&combined!, partial) }
            }
            splitKeys.remove(key)
            guard let combined else { continue }
            let group = parallelism.keyGroups.group(for: key)
            pending[assignment.worker(forGroup: group)].append(.mergePartial(key, group: group, combined))
        }
        try await sendPending(inboxes)
    }

    /// Moves key groups, with their state, from the current workers to `workers` workers.
    private mutating func rescale(
        to workers: Int, inboxes: () -> [BoundedChannel<Item>], spawn: (Int) -> Void
    ) async throws {
        try await mergeBack(Array(splitKeys), inboxes: inboxes())
        let previous = live
        let next = KeyGroupAssignment(keyGroups: parallelism.keyGroups, workers: workers)
        for worker in 0..<previous { pending[worker].append(.handOff(next, worker: worker)) }
        try await sendPending(inboxes())
        var moved: [[Int: KeyGroupState<Key, State>]] = Array(repeating: [:], count: workers)
        var movedGroups = 0
        var movedKeys = 0
        for _ in 0..<previous {
            guard let handOff = try await acks.receive() else { throw CancellationError() }
            for (group, state) in handOff.groups {
                moved[next.worker(forGroup: group)][group] = state
                movedGroups += 1
                movedKeys += state.count
            }
        }
        if workers > previous { grow(to: workers, spawn: spawn) }
        let current = inboxes()
        for worker in workers..<max(previous, workers) { current[worker].finish() }
        live = workers
        assignment = next
        nextPartialWorker = 0
        for worker in 0..<workers where !moved[worker].isEmpty { pending[worker].append(.adopt(moved[worker])) }
        try await sendPending(current)
        runtime.parallelism.observer?.recordWorkers(live)
        runtime.parallelism.observer?.recordRescale(
            PartitionReport.Rescale(from: previous, to: workers, movedGroups: movedGroups, movedKeys: movedKeys))
        runtime.metrics?.workers(live)
    }
}
