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

    public var kind: String { "memory" }
    public var count: Int { entries.count }
    public var stateSizeBytes: Int { bytes }

    public func value(forKey key: String) -> Value? { entries[key] }

    public func setValue(_ value: Value, forKey key: String) {
        if let old = entries.updateValue(value, forKey: key) {
            bytes += value.encodedByteCount - old.encodedByteCount
        } else {
            bytes += key.utf8.count + value.encodedByteCount
        }
    }

    @discardableResult public func removeValue(forKey key: String) -> Bool {
        guard let old = entries.removeValue(forKey: key) else { return false }
        bytes -= key.utf8.count + old.encodedByteCount
        return true
    }

    public func forEach(_ body: (String, Value) throws -> Void) rethrows {
        for (key, value) in entries { try body(key, value) }
    }

    public func makeSnapshot() -> StateSnapshot<Value> {
        StateSnapshot(parts: [.memory(entries, bytes: bytes)])
    }

    public func restore(_ restored: [(key: String, value: Value)]) {
        removeAll()
        entries.reserveCapacity(restored.count)
        for entry in restored { setValue(entry.value, forKey: entry.key) }
    }

    public func removeAll() {
        entries = [:]
        bytes = 0
    }
}
