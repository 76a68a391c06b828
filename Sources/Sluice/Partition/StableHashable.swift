import SluiceJSON

/// A key that can feed a `StableKeyHasher` the same bytes in every process, so that it lands on the same key group
/// (and so the same worker and the same checkpointed state) everywhere.
///
/// Conform your own key types by feeding their fields in a fixed order; give variable-length fields a length or a
/// separator. Never feed `hashValue`: it changes from process to process.
public protocol StableHashable {
    /// Feeds this key's bytes to `hasher`. Equal keys must feed equal bytes.
    func stableHash(into hasher: inout StableKeyHasher)
}

extension String: StableHashable {
    /// Feeds the UTF-8 bytes (no length), so that a key hashes like `XXH64` of its text.
    public func stableHash(into hasher: inout StableKeyHasher) {
        let fed: Void? = utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if fed == nil {
            var copy = self
            copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }
}

extension Substring: StableHashable {
    /// Feeds the UTF-8 bytes, like the equal `String`.
    public func stableHash(into hasher: inout StableKeyHasher) {
        let fed: Void? = utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if fed == nil { String(self).stableHash(into: &hasher) }
    }
}

extension Array: StableHashable where Element == UInt8 {
    /// Feeds the bytes as they are.
    public func stableHash(into hasher: inout StableKeyHasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

extension Int: StableHashable {
    /// Feeds the 8 little-endian bytes of the value as an `Int64` (the same on 32- and 64-bit machines).
    public func stableHash(into hasher: inout StableKeyHasher) { hasher.combine(UInt64(bitPattern: Int64(self))) }
}

extension Int64: StableHashable {
    /// Feeds the 8 little-endian bytes.
    public func stableHash(into hasher: inout StableKeyHasher) { hasher.combine(UInt64(bitPattern: self)) }
}

extension Int32: StableHashable {
    /// Feeds the 8 little-endian bytes of the value widened to `Int64`, so it hashes like the equal `Int`.
    public func stableHash(into hasher: inout StableKeyHasher) { hasher.combine(UInt64(bitPattern: Int64(self))) }
}

extension UInt64: StableHashable {
    /// Feeds the 8 little-endian bytes.
    public func stableHash(into hasher: inout StableKeyHasher) { hasher.combine(self) }
}

extension UInt32: StableHashable {
    /// Feeds the 8 little-endian bytes of the value widened to `UInt64`.
    public func stableHash(into hasher: inout StableKeyHasher) { hasher.combine(UInt64(self)) }
}

extension UInt: StableHashable {
    /// Feeds the 8 little-endian bytes of the value widened to `UInt64`.
    public func stableHash(into hasher: inout StableKeyHasher) { hasher.combine(UInt64(self)) }
}

extension JSONValue: StableHashable {
    /// Feeds a string's UTF-8 bytes and an integer's 8 bytes exactly as `String` and `Int64` do, so a JSON key
    /// lands where the equal Swift key lands; other values feed a tag byte and their contents.
    public func stableHash(into hasher: inout StableKeyHasher) {
        func tag(_ value: UInt8) { withUnsafeBytes(of: value) { hasher.combine(bytes: $0) } }
        switch self {
        case .string(let text): text.stableHash(into: &hasher)
        case .number(.int(let value)): value.stableHash(into: &hasher)
        case .number(.double(let value)):
            tag(1)
            hasher.combine(value.bitPattern)
        case .number(.bigInteger(let text)):
            tag(2)
            text.stableHash(into: &hasher)
        case .null: tag(3)
        case .bool(let value): tag(value ? 5 : 4)
        case .array(let elements):
            tag(6)
            hasher.combine(UInt64(elements.count))
            for element in elements { element.stableHash(into: &hasher) }
        case .object(let members):
            tag(7)
            hasher.combine(UInt64(members.count))
            for member in members {
                hasher.combine(UInt64(member.key.utf8.count))
                member.key.stableHash(into: &hasher)
                member.value.stableHash(into: &hasher)
            }
        }
    }
}
