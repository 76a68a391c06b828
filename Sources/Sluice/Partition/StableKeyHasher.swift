/// A 64-bit hash of bytes that is the same in every process, on every machine and in every release: XXH64 with a
/// fixed seed (0 unless you pass another).
///
/// Swift's `Hasher` (and so `hashValue`) is seeded per process, so it cannot route keys to partitions whose state is
/// checkpointed, restored elsewhere, or shared across nodes. This hasher can: `StableKeyHasher.hash(bytes)` is
/// exactly `XXH64(bytes, seed: 0)`, so another language with an xxHash library computes the same value.
///
/// ```swift
/// var hasher = StableKeyHasher()
/// hasher.combine(customerID)          // any `StableHashable`
/// hasher.combine(UInt64(region))
/// let hash = hasher.finalize()
/// ```
///
/// Feeding bytes in several pieces gives the same result as feeding them in one piece. Composite keys should feed
/// a length or a separator between variable-length parts, or `("ab", "c")` and `("a", "bc")` hash the same.
/// Hashing never allocates.
public struct StableKeyHasher: Sendable {
    /// The seed every Sluice partitioning uses.
    public static let defaultSeed: UInt64 = 0

    static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    private let seed: UInt64
    private var lanes: (UInt64, UInt64, UInt64, UInt64)
    /// Up to 31 bytes not yet consumed as a 32-byte stripe.
    private var pending: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var pendingCount = 0
    private var totalLength: UInt64 = 0

    /// Creates a hasher; the default seed gives the values Sluice partitions with.
    public init(seed: UInt64 = StableKeyHasher.defaultSeed) {
        self.seed = seed
        lanes = (seed &+ Self.prime1 &+ Self.prime2, seed &+ Self.prime2, seed, seed &- Self.prime1)
    }

    /// The hash of `bytes` alone: `XXH64(bytes, seed)`. O(n) in the byte count.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = defaultSeed) -> UInt64 {
        var hasher = StableKeyHasher(seed: seed)
        hasher.combine(bytes: bytes)
        return hasher.finalize()
    }

    /// The hash of a key alone, as `StableHashable` feeds it.
    public static func hash<Key: StableHashable>(_ key: Key, seed: UInt64 = defaultSeed) -> UInt64 {
        var hasher = StableKeyHasher(seed: seed)
        key.stableHash(into: &hasher)
        return hasher.finalize()
    }

    /// Feeds a key's bytes.
    public mutating func combine<Key: StableHashable>(_ key: Key) {
        key.stableHash(into: &self)
    }

    /// Feeds the 8 little-endian bytes of `value`.
    public mutating func combine(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { combine(bytes: $0) }
    }

    /// Feeds raw bytes. O(n) in the byte count.
    public mutating func combine(bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        totalLength &+= UInt64(bytes.count)
        var offset = 0
        if pendingCount > 0 {
            let taken = min(32 - pendingCount, bytes.count)
            let start = pendingCount
            withUnsafeMutableBytes(of: &pending) { buffer in
                for index in 0..<taken { buffer[start + index] = bytes[index] }
            }
            pendingCount += taken
            offset = taken
            guard pendingCount == 32 else { return }
            let stripe = pending
            consumeStripe(stripe.0, stripe.1, stripe.2, stripe.3)
            pendingCount = 0
        }
        while bytes.count - offset >= 32 {
            consumeStripe(
                Self.load(bytes, offset), Self.load(bytes, offset + 8), Self.load(bytes, offset + 16),
                Self.load(bytes, offset + 24))
            offset += 32
        }
        let rest = bytes.count - offset
        if rest > 0 {
            withUnsafeMutableBytes(of: &pending) { buffer in
                for index in 0..<rest { buffer[index] = bytes[offset + index] }
            }
            pendingCount = rest
        }
    }

    /// The hash of everything fed so far. The hasher may go on being fed afterwards.
    public func finalize() -> UInt64 {
        var hash: UInt64
        if totalLength >= 32 {
            hash =
                Self.rotate(lanes.0, 1) &+ Self.rotate(lanes.1, 7) &+ Self.rotate(lanes.2, 12)
                &+ Self.rotate(lanes.3, 18)
            hash = Self.mergeRound(hash, lanes.0)
            hash = Self.mergeRound(hash, lanes.1)
            hash = Self.mergeRound(hash, lanes.2)
            hash = Self.mergeRound(hash, lanes.3)
        } else {
            hash = seed &+ Self.prime5
        }
        hash &+= totalLength
        var tail = pending
        let count = pendingCount
        withUnsafeBytes(of: &tail) { bytes in
            var offset = 0
            while count - offset >= 8 {
                hash ^= Self.round(0, Self.load(bytes, offset))
                hash = Self.rotate(hash, 27) &* Self.prime1 &+ Self.prime4
                offset += 8
            }
            if count - offset >= 4 {
                let word = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                hash ^= UInt64(word) &* Self.prime1
                hash = Self.rotate(hash, 23) &* Self.prime2 &+ Self.prime3
                offset += 4
            }
            while offset < count {
                hash ^= UInt64(bytes[offset]) &* Self.prime5
                hash = Self.rotate(hash, 11) &* Self.prime1
                offset += 1
            }
        }
        hash ^= hash >> 33
        hash &*= Self.prime2
        hash ^= hash >> 29
        hash &*= Self.prime3
        hash ^= hash >> 32
        return hash
    }

    private mutating func consumeStripe(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) {
        lanes.0 = Self.round(lanes.0, a)
        lanes.1 = Self.round(lanes.1, b)
        lanes.2 = Self.round(lanes.2, c)
        lanes.3 = Self.round(lanes.3, d)
    }

    @inline(__always)
    private static func load(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    private static func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* prime2, 31) &* prime1
    }

    @inline(__always)
    private static func mergeRound(_ accumulator: UInt64, _ value: UInt64) -> UInt64 {
        (accumulator ^ round(0, value)) &* prime1 &+ prime4
    }
}
