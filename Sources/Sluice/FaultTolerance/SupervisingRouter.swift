import DequeModule

/// Routes elements by key to independent branches, and restarts a failing branch alone.
///
/// Each branch is made by `makeBranch` and owns its own bounded queue (a bulkhead), so a branch that is
/// failing or restarting never holds up the others. When a branch throws on an element:
/// 1. the element is handed to `onFailure` (route it to the dead-letter channel) — it is never dropped silently;
/// 2. the branch's `RestartTracker` decides: restart after a backoff (elements for that branch wait in its
///    queue, up to `queueCapacity`; overflow goes to `onFailure` with `.branchQueueFull`), or give up
///    (the branch is stopped and its elements go to `onFailure` with `.branchStopped`).
///
/// Single-threaded and deterministic: time comes from `clock`, and queued elements are retried on the next
/// `route` or `drain` call after the backoff has passed. Use it inside one stage of a `SyncEngine`, or per
/// partition of a concurrent pipeline.
public final class SupervisingRouter<Element, Branch, Clock: MonotonicClock> {
    /// Why an element did not reach its branch.
    public enum FailureReason: Hashable, Sendable {
        /// The branch threw on this element.
        case branchFailed(String)
        /// The branch was restarting and its bulkhead queue was full.
        case branchQueueFull
        /// The branch exceeded its restart policy and is stopped.
        case branchStopped
    }

    private struct BranchState {
        var branch: Branch
        var tracker: RestartTracker
        var restartAt: UInt64?
        var isStopped = false
        var queue = Deque<Element>()
        var restarts = 0
    }

    private let makeBranch: (Int) -> Branch
    private let process: (inout Branch, Element) throws -> Void
    private let key: (Element) -> Int
    private let onFailure: (Element, Int, FailureReason) -> Void
    private let clock: Clock
    private let queueCapacity: Int
    private var generator: SplitMix64
    private var branches: [BranchState]

    /// Creates a router with `branchCount` branches.
    ///
    /// - Parameters:
    ///   - key: chooses the branch; taken modulo `branchCount`.
    ///   - makeBranch: makes a fresh branch for an index (called at start and on every restart).
    ///   - process: handles one element in a branch; throwing marks the branch failed.
    ///   - onFailure: receives every element that did not complete, with its branch index and the reason.
    public init(
        branchCount: Int, policy: RestartPolicy, queueCapacity: Int = 1024, clock: Clock, seed: UInt64 = 0x5EED,
        key: @escaping (Element) -> Int, makeBranch: @escaping (Int) -> Branch,
        process: @escaping (inout Branch, Element) throws -> Void,
        onFailure: @escaping (Element, Int, FailureReason) -> Void
    ) {
        precondition(branchCount > 0, "SupervisingRouter needs at least one branch")
        precondition(queueCapacity >= 0, "queueCapacity must not be negative")
        self.makeBranch = makeBranch
        self.process = process
        self.key = key
        self.onFailure = onFailure
        self.clock = clock
        self.queueCapacity = queueCapacity
        self.generator = SplitMix64(seed: seed)
        self.branches = (0..<branchCount).map { BranchState(branch: makeBranch($0), tracker: RestartTracker(policy: policy)) }
    }

    /// Restarts per branch so far.
    public var restartCounts: [Int] { branches.map(\.restarts) }

    /// Indices of branches stopped for good.
    public var stoppedBranches: [Int] { branches.indices.filter { branches[$0].isStopped } }

    /// Elements waiting in each branch's bulkhead queue.
    public var queueDepths: [Int] { branches.map(\.queue.count) }

    /// Routes one element to its branch.
    public func route(_ element: Element) {
        let index = Int(UInt(bitPattern: key(element)) % UInt(branches.count))
        let now = clock.nowNanoseconds()
        restartIfDue(index, now: now)
        drainQueue(index, now: now)  // elements that waited for a restart go first, in order
        if branches[index].isStopped {
            onFailure(element, index, .branchStopped)
        } else if branches[index].restartAt != nil || !branches[index].queue.isEmpty {
            enqueue(element, index)
        } else {
            deliver(element, index, now: now)
        }
    }

    /// Restarts every branch whose backoff has passed and delivers its queued elements.
    public func drain() {
        let now = clock.nowNanoseconds()
        for index in branches.indices {
            restartIfDue(index, now: now)
            drainQueue(index, now: now)
        }
    }

    private func enqueue(_ element: Element, _ index: Int) {
        if branches[index].queue.count >= queueCapacity {
            onFailure(element, index, .branchQueueFull)
        } else {
            branches[index].queue.append(element)
        }
    }

    private func restartIfDue(_ index: Int, now: UInt64) {
        guard let due = branches[index].restartAt, now >= due else { return }
        branches[index].branch = makeBranch(index)
        branches[index].restartAt = nil
        branches[index].restarts += 1
    }

    private func drainQueue(_ index: Int, now: UInt64) {
        while branches[index].restartAt == nil, !branches[index].isStopped, let next = branches[index].queue.popFirst() {
            deliver(next, index, now: now)
        }
        if branches[index].isStopped {
            while let next = branches[index].queue.popFirst() { onFailure(next, index, .branchStopped) }
        }
    }

    private func deliver(_ element: Element, _ index: Int, now: UInt64) {
        do {
            try process(&branches[index].branch, element)
        } catch {
            onFailure(element, index, .branchFailed(String(describing: error)))
            switch branches[index].tracker.recordFailure(atNanoseconds: now, using: &generator) {
            case .restart(let delay, _):
                branches[index].restartAt = now &+ delay
            case .giveUp:
                branches[index].isStopped = true
            }
        }
    }
}
