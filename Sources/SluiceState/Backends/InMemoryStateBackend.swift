import Metrics

/// Keyed state in a Swift dictionary: the fastest backend, bounded by RAM.
///
/// `makeSnapshot()` is O(1): the dictionary is copy-on-write, so the snapshot shares storage with the live
/// state until the next write, which then copies the table once (O(count)); that copy is part of the pause a
/// checkpoint costs and is measured with it.
public final class InMemoryStateBackend<Value: StateCodable>: StateBackend {
    private var entries: [String: Value] = [:]
    private var bytes = 0

    /// Creates an empty state.
    public init() {}

    /// `memory`.
    public var kind: String { "memory" }
    /// The dictionary's key count.
    public var count: Int { entries.count }
    /// UTF-8 key bytes plus encoded value bytes of every entry: a running total, O(1).
    public var stateSizeBytes: Int { bytes }

    /// Looks `key` up in the dictionary; no decoding.
    public func value(forKey key: String) -> Value? { entries[key] }

    /// Stores the value as it is (no encoding) and updates the byte total with its `encodedByteCount`.
    public func setValue(_ value: Value, forKey key: String) {
        if let old = entries.updateValue(value, forKey: key) {
            bytes += value.encodedByteCount - old.encodedByteCount
        } else {
            bytes += key.utf8.count + value.encodedByteCount
        }
    }

    /// Removes `key` and subtracts its bytes; false when it was not there.
    @discardableResult public func removeValue(forKey key: String) -> Bool {
        guard let old = entries.removeValue(forKey: key) else { return false }
        bytes -= key.utf8.count + old.encodedByteCount
        return true
    }

    /// Iterates the dictionary in its (unspecified) order; rethrows `body`'s error.
    public func forEach(_ body: (String, Value) throws -> Void) rethrows {
        for (key, value) in entries { try body(key, value) }
    }

    /// Shares the dictionary copy-on-write: O(1) now; the next write copies it once (O(count)).
    public func makeSnapshot() -> StateSnapshot<Value> {
        StateSnapshot(parts: [.memory(entries, bytes: bytes)])
    }

    /// Empties the state, then sets each entry in order (a later duplicate key wins).
    public func restore(_ restored: [(key: String, value: Value)]) {
        removeAll()
        entries.reserveCapacity(restored.count)
        for entry in restored { setValue(entry.value, forKey: entry.key) }
    }

    /// Drops every entry and sets the byte total to zero.
    public func removeAll() {
        entries = [:]
        bytes = 0
    }
}
