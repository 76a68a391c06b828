/// A state backend that remembers which keys changed since the last `takeChanges()`: what an incremental
/// snapshot (`IncrementalSnapshotStore`) writes instead of the whole state.
///
/// Forwards every call to `base`; `setValue` and `removeValue` add the key to a dirty set (O(1)). Used from one
/// thread at a time, like every backend.
public final class ChangeTrackingStateBackend<Value: StateCodable>: StateBackend {
    /// The backend holding the state.
    public let base: any StateBackend<Value>
    private var dirty: Set<String> = []

    /// Wraps `base`; nothing counts as changed until the first write.
    public init(base: any StateBackend<Value>) { self.base = base }

    /// The base backend's kind.
    public var kind: String { base.kind }
    /// The base backend's key count.
    public var count: Int { base.count }
    /// The base backend's live logical bytes.
    public var stateSizeBytes: Int { base.stateSizeBytes }
    /// Keys written or removed since the last `takeChanges()`.
    public var changedKeyCount: Int { dirty.count }

    /// Reads from the base backend; a read is not a change.
    public func value(forKey key: String) throws -> Value? { try base.value(forKey: key) }

    /// Writes to the base backend, then marks `key` changed.
    public func setValue(_ value: Value, forKey key: String) throws {
        try base.setValue(value, forKey: key)
        dirty.insert(key)
    }

    /// Removes from the base backend; marks `key` changed only when it was there.
    @discardableResult public func removeValue(forKey key: String) throws -> Bool {
        let removed = try base.removeValue(forKey: key)
        if removed { dirty.insert(key) }
        return removed
    }

    /// Iterates the base backend's entries.
    public func forEach(_ body: (String, Value) throws -> Void) throws { try base.forEach(body) }
    /// The base backend's snapshot; the changed keys are kept (`takeChanges()` takes them).
    public func makeSnapshot() throws -> StateSnapshot<Value> { try base.makeSnapshot() }

    /// Restores the base backend and forgets every change: the restored state is the new baseline.
    public func restore(_ entries: [(key: String, value: Value)]) throws {
        try base.restore(entries)
        dirty.removeAll()
    }

    /// Removes every key; each one counts as changed (removed), so the next incremental snapshot deletes it.
    /// O(keys).
    public func removeAll() throws {
        try base.forEach { key, _ in dirty.insert(key) }
        try base.removeAll()
    }

    /// The changes since the previous call, with each changed key's current value (nil: removed), and forgets
    /// them. Call it at a barrier, next to `makeSnapshot()`. O(changed keys).
    public func takeChanges() throws -> StateChanges<Value> {
        var changes = StateChanges<Value>()
        changes.entries.reserveCapacity(dirty.count)
        for key in dirty { changes.entries.append((key: key, value: try base.value(forKey: key))) }
        dirty.removeAll(keepingCapacity: true)
        return changes
    }
}

/// The keys that changed between two barriers, with their values at the second one (nil: removed).
public struct StateChanges<Value: StateCodable>: Sendable {
    /// Changed keys and their new values; nil marks a removal.
    public var entries: [(key: String, value: Value?)] = []

    /// No changes.
    public init() {}
}
