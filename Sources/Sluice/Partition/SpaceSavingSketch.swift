/// The Space-Saving heavy-hitter sketch (Metwally, Agrawal and El Abbadi, 2005): the approximately most frequent
/// keys of a stream in O(capacity) memory.
///
/// Every key whose true count exceeds (total / capacity) is monitored, and a monitored key's `count` over-estimates
/// its true count by at most its `error`. Not thread-safe: the router of a keyed stage owns one.
public struct SpaceSavingSketch<Key: Hashable & Sendable>: Sendable {
    /// One monitored key.
    public struct Entry: Sendable {
        /// The key.
        public var key: Key
        /// The estimated count (never below the true count).
        public var count: Int
        /// The most by which `count` may over-estimate.
        public var error: Int
    }

    /// The most keys monitored at once.
    public let capacity: Int
    private var entries: [Entry] = []
    private var indexByKey: [Key: Int] = [:]
    /// Everything added since the last reset.
    public private(set) var total = 0

    /// Creates an empty sketch. - Precondition: `capacity >= 1`.
    public init(capacity: Int) {
        precondition(capacity >= 1, "capacity must be positive")
        self.capacity = capacity
        entries.reserveCapacity(capacity)
    }

    /// Counts `weight` occurrences of `key`. O(1) for a monitored key or while there is room, else O(capacity)
    /// (the smallest entry is replaced).
    ///
    /// Returns the slot `key` now occupies when it was not monitored before (a new entry, or the smallest entry
    /// replaced), and `nil` when it was: a caller that sketches a stand-in for its key (a hash, say) can keep the
    /// real keys in an array indexed by slot, touching it only when this returns a slot.
    @discardableResult
    public mutating func add(_ key: Key, weight: Int = 1) -> Int? {
        total += weight
        if let index = indexByKey[key] {
            entries[index].count += weight
            return nil
        } else if entries.count < capacity {
            indexByKey[key] = entries.count
            entries.append(Entry(key: key, count: weight, error: 0))
            return entries.count - 1
        } else {
            var smallest = 0
            for index in entries.indices where entries[index].count < entries[smallest].count { smallest = index }
            let floor = entries[smallest].count
            indexByKey[entries[smallest].key] = nil
            indexByKey[key] = smallest
            entries[smallest] = Entry(key: key, count: floor + weight, error: floor)
            return smallest
        }
    }

    /// The slots of the monitored keys, most frequent first (`self[slot]` is the entry). O(capacity log capacity).
    public func topSlots(_ count: Int) -> [Int] {
        Array(entries.indices.sorted { entries[$0].count > entries[$1].count }.prefix(count))
    }

    /// The entry in `slot`. - Precondition: `slot` was returned by `add` or `topSlots` since the last `reset()`.
    public subscript(slot: Int) -> Entry { entries[slot] }

    /// The monitored keys, most frequent first. O(capacity log capacity).
    public func top(_ count: Int) -> [Entry] {
        Array(entries.sorted { $0.count > $1.count }.prefix(count))
    }

    /// The estimated count of `key` (0 if it is not monitored). O(1).
    public func estimate(_ key: Key) -> Int {
        indexByKey[key].map { entries[$0].count } ?? 0
    }

    /// Forgets everything, keeping the storage.
    public mutating func reset() {
        entries.removeAll(keepingCapacity: true)
        indexByKey.removeAll(keepingCapacity: true)
        total = 0
    }
}
