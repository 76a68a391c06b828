/// The `String`s of recently seen short object keys, so that a key that repeats (in every document of a stream, or
/// in every element of an array of objects) is validated and built into a `String` once, not at every occurrence.
///
/// A direct-mapped table of 64 slots indexed by a hash of the key's raw bytes. Only keys of at most 16 bytes without
/// escapes are cached; others are always decoded. A hit compares the raw bytes in full, so a cached key is exactly
/// the one the bytes spell. Keep one per stream and pass it to `JSONDocumentParser.parse(_:frame:limits:keys:)`, as
/// the `.values()` stage does. A value type: copies share storage until one of them records a key.
public struct JSONKeyCache: Sendable {
    struct Slot: Sendable {
        /// The key's first 8 bytes and the next 8 (zero-padded), and its length (-1: empty slot).
        var low: UInt64 = 0
        var high: UInt64 = 0
        var length = -1
        var key = ""
    }

    static let slotCount = 64
    var slots = [Slot](repeating: Slot(), count: JSONKeyCache.slotCount)

    /// An empty cache.
    public init() {}

    /// A cache to park in a variable while the real one is moved out (shared, so taking it allocates nothing).
    static let placeholder = JSONKeyCache()
}

/// A cursor's view of a `JSONKeyCache` during one parse.
struct JSONKeyTable {
    let slots: UnsafeMutablePointer<JSONKeyCache.Slot>

    /// The key whose raw (unescaped, validated) bytes are `p[start..<end]`, from the table or decoded and recorded.
    /// `n` bounds the readable bytes after `p`.
    @inline(__always)
    func key(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int, n: Int) -> String {
        let count = end &- start
        guard count <= 16 else { return JSONStringDecoder.decode(p + start, count: count, escaped: false) }
        var low: UInt64 = 0
        var high: UInt64 = 0
        if start &+ 16 <= n {
            let raw = UnsafeRawPointer(p + start)
            // Read as little-endian on every platform: byte k of the key is bits 8k..8k+7. Clear the bytes after it.
            low = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            high = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            if count < 8 {
                low &= (1 &<< UInt64(count &* 8)) &- 1
                high = 0
            } else if count < 16 {
                high &= (1 &<< UInt64((count &- 8) &* 8)) &- 1
            }
        } else {
            for k in 0..<count {
                let byte = UInt64(p[start &+ k])
                if k < 8 { low |= byte &<< UInt64(k &* 8) } else { high |= byte &<< UInt64((k &- 8) &* 8) }
            }
        }
        let hash = (low ^ (high &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(count)) &* 0xC2B2_AE3D_27D4_EB4F
        let slot = slots + Int(truncatingIfNeeded: hash &>> 58)
        if slot.pointee.length == count && slot.pointee.low == low && slot.pointee.high == high {
            return slot.pointee.key
        }
        let key = JSONStringDecoder.decode(p + start, count: count, escaped: false)
        slot.pointee = JSONKeyCache.Slot(low: low, high: high, length: count, key: key)
        return key
    }
}
