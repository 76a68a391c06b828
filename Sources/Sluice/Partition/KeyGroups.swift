/// The fixed set of key groups that keys are hashed into: the unit of keyed state, of routing, and of rescaling.
///
/// A key's group is a pure function of its stable hash (`StableKeyHasher`) and `count`, so it is the same in every
/// process. Workers own whole key groups, and a worker keeps its keyed state per key group, so changing the number
/// of workers (up to `count`, the maximum parallelism) moves whole groups together with their state, never single
/// keys. This is Flink's scheme: choose `count` once for the lifetime of the state, because changing it reshuffles
/// every key.
///
/// Groups go to workers by jump consistent hash (Lamping and Veach, 2014) of the group number: going from N to N+1
/// workers moves about 1/(N+1) of the groups, all of them to the new worker, and nothing else moves.
public struct KeyGroups: Sendable, Hashable {
    /// The default maximum parallelism: as many groups as Flink allows at most, so that jump hashing of groups to a
    /// handful of workers is balanced to within about 1% (the spread is about the square root of the groups a
    /// worker owns).
    public static let defaultCount = 32_768

    /// The number of key groups, which is also the maximum number of workers.
    public let count: Int

    /// Creates a key-group space.
    /// - Precondition: `1 <= count <= 1 << 24`.
    public init(count: Int = KeyGroups.defaultCount) {
        precondition(count >= 1 && count <= 1 << 24, "key group count must be in 1...16777216")
        self.count = count
    }

    /// The key group of a stable hash: the high bits of `hash × count` (an unbiased range reduction). O(1).
    @inlinable
    public func group(forHash hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(count)).high)
    }

    /// The key group of a key. O(key length).
    @inlinable
    public func group<Key: StableHashable>(for key: Key) -> Int {
        group(forHash: StableKeyHasher.hash(key))
    }

    /// The worker, in `0..<workers`, that owns `group` when there are `workers` workers. O(log workers).
    /// - Precondition: `0 <= group < count` and `1 <= workers <= count`.
    @inlinable
    public func worker(forGroup group: Int, workers: Int) -> Int {
        precondition(group >= 0 && group < count, "key group out of range")
        precondition(workers >= 1 && workers <= count, "worker count must be in 1...key group count")
        return Self.jumpConsistentHash(Self.mix(UInt64(group)), buckets: workers)
    }

    /// The worker, in `0..<workers`, that owns `key`'s group. O(key length + log workers).
    @inlinable
    public func worker<Key: StableHashable>(for key: Key, workers: Int) -> Int {
        worker(forGroup: group(for: key), workers: workers)
    }

    /// The bucket in `0..<buckets` for `key` by jump consistent hash. O(log buckets).
    @inlinable
    static func jumpConsistentHash(_ key: UInt64, buckets: Int) -> Int {
        var key = key
        var bucket = -1
        var next = 0
        while next < buckets {
            bucket = next
            key = key &* 2_862_933_555_777_941_757 &+ 1
            // 2^31 / ((key >> 33) + 1), as the published algorithm has it (types spelled out: the literals'
            // inference took the type checker 0.7 s).
            let scale: Double = 2_147_483_648.0 / Double((key >> 33) + 1)
            next = Int(Double(bucket + 1) * scale)
        }
        return bucket
    }

    /// SplitMix64's finalizer, so that consecutive group numbers become well-spread jump-hash keys.
    @inlinable
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
