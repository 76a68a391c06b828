/// Which worker owns each key group, for one worker count: the routing table of a keyed parallel segment.
///
/// Built once per worker count (O(groups × log workers)), then `worker(forGroup:)` is one array read. Two
/// assignments of the same `KeyGroups` differ only in the groups that `movedGroups(to:)` lists; for N and N+1
/// workers those all go to the new worker.
public struct KeyGroupAssignment: Sendable, Equatable {
    /// The key groups being assigned.
    public let keyGroups: KeyGroups
    /// The number of workers.
    public let workerCount: Int
    @usableFromInline
    let owners: [UInt32]

    /// Assigns every group of `keyGroups` to one of `workers` workers by jump consistent hash.
    /// - Precondition: `1 <= workers <= keyGroups.count`.
    public init(keyGroups: KeyGroups, workers: Int) {
        precondition(workers >= 1 && workers <= keyGroups.count, "worker count must be in 1...key group count")
        self.keyGroups = keyGroups
        workerCount = workers
        owners = (0..<keyGroups.count).map { UInt32(keyGroups.worker(forGroup: $0, workers: workers)) }
    }

    /// The worker that owns `group`. O(1).
    @inlinable
    public func worker(forGroup group: Int) -> Int { Int(owners[group]) }

    /// The worker that owns `key`. O(key length).
    @inlinable
    public func worker<Key: StableHashable>(for key: Key) -> Int { Int(owners[keyGroups.group(for: key)]) }

    /// The groups `worker` owns, ascending. O(groups).
    public func groups(ownedBy worker: Int) -> [Int] {
        owners.indices.filter { owners[$0] == UInt32(worker) }
    }

    /// How many groups each worker owns, indexed by worker. O(groups).
    public func groupCounts() -> [Int] {
        var counts = Array(repeating: 0, count: workerCount)
        for owner in owners { counts[Int(owner)] += 1 }
        return counts
    }

    /// The groups whose owner differs in `other`, ascending. O(groups).
    /// - Precondition: both assign the same `KeyGroups`.
    public func movedGroups(to other: KeyGroupAssignment) -> [Int] {
        precondition(keyGroups == other.keyGroups, "assignments of different key groups")
        return owners.indices.filter { owners[$0] != other.owners[$0] }
    }
}
