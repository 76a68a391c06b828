/// The keyed window state of one window stage: one shard of the stage's keys, owned by the stage.
///
/// There is no lock. A window stage runs on one thread at a time, and partitioned window state is *sharded*,
/// not striped: `PipelineGraph.addPartitionedWindow(...)` runs one window stage per worker, each owning the key
/// groups routed to it (the engines' key-group routing, `KeyGroups`), so no two threads ever touch the same
/// store. A class only so that the stage can mutate a key's state in place while it updates its own fields.
@usableFromInline final class WindowStore<Key: Hashable & Sendable, Partial: Sendable>: @unchecked Sendable {
    // @unchecked: confined to the window stage that owns it (one thread at a time, see above).
    @usableFromInline var states: [Key: KeyWindowState<Key, Partial>] = [:]

    @inlinable init() {}

    /// Calls `body` with every key's state. O(keys).
    @inlinable func forEach(_ body: (KeyWindowState<Key, Partial>) throws -> Void) rethrows {
        for state in states.values { try body(state) }
    }

    /// Removes every key.
    @inlinable func removeAll() { states.removeAll() }

    /// The number of keys held.
    @inlinable var count: Int { states.count }
}
