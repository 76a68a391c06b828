/// Keyed state in three tiers: RAM, then a memory-mapped file, then a plain disk file.
///
/// Writes go to the RAM tier. When it passes its `SpillPolicy` threshold (keys or bytes), all of its
/// entries move to the memory-mapped tier in one batch append (O(RAM entries)); when that tier passes its
/// threshold, its live records move to the disk tier, and the mapped file is released. Each file tier
/// compacts itself when superseded records outweigh live ones. A key lives in exactly one tier: writing a
/// key drops its older copy from the lower tiers. Reads look in RAM, then the mapped file, then disk.
public final class SpillingStateBackend<Value: StateCodable>: StateBackend {
    private var memory: [String: Value] = [:]
    private var memoryBytes = 0
    private let mapped: LogStore<Value>
    private let disk: LogStore<Value>
    /// The thresholds.
    public let policy: SpillPolicy
    /// How many times the RAM tier spilled to the mapped tier.
    public private(set) var memorySpillCount = 0
    /// How many times the mapped tier spilled to the disk tier.
    public private(set) var mappedSpillCount = 0

    /// Creates an empty state whose file tiers live in `directory` (default: `$TMPDIR` or `/tmp`).
    public init(
        policy: SpillPolicy = SpillPolicy(), directory: String = defaultScratchDirectory(),
        compactionMinimumBytes: Int = 1 << 16
    ) throws {
        self.policy = policy
        mapped = try LogStore(compactionMinimumBytes: compactionMinimumBytes) {
            try MappedLogStorage(directory: directory)
        }
        disk = try LogStore(compactionMinimumBytes: compactionMinimumBytes) {
            try PositionalLogStorage(directory: directory)
        }
    }

    /// `spill`.
    public var kind: String { "spill" }
    /// Keys over the three tiers (a key lives in one).
    public var count: Int { memory.count + mapped.count + disk.count }
    /// Live logical bytes summed over the tiers: the RAM total plus each file tier's live records.
    public var stateSizeBytes: Int { memoryBytes + mapped.liveBytes + disk.liveBytes }

    /// Keys per tier: RAM, memory-mapped file, disk.
    public var tierCounts: (memory: Int, mapped: Int, disk: Int) { (memory.count, mapped.count, disk.count) }
    /// Compactions run by the file tiers so far.
    public var compactionCount: Int { mapped.compactions + disk.compactions }

    /// Looks in RAM, then the mapped tier, then disk (decoding from a file tier); nil when in none.
    public func value(forKey key: String) throws -> Value? {
        if let value = memory[key] { return value }
        if mapped.count > 0, let value = try mapped.value(forKey: key) { return value }
        if disk.count > 0 { return try disk.value(forKey: key) }
        return nil
    }

    /// Writes to RAM, dropping an older copy from the file tiers; spills RAM to the mapped tier (and that on to
    /// disk) once the policy's threshold is passed.
    public func setValue(_ value: Value, forKey key: String) throws {
        if let old = memory.updateValue(value, forKey: key) {
            memoryBytes += value.encodedByteCount - old.encodedByteCount
        } else {
            memoryBytes += key.utf8.count + value.encodedByteCount
            if mapped.count > 0 { try mapped.removeValue(forKey: key) }
            if disk.count > 0 { try disk.removeValue(forKey: key) }
        }
        if policy.memoryIsOver(keys: memory.count, bytes: memoryBytes) { try spillMemory() }
    }

    /// Removes `key` from whichever tier holds it; false when none does.
    @discardableResult public func removeValue(forKey key: String) throws -> Bool {
        if let old = memory.removeValue(forKey: key) {
            memoryBytes -= key.utf8.count + old.encodedByteCount
            return true
        }
        if try mapped.removeValue(forKey: key) { return true }
        return try disk.removeValue(forKey: key)
    }

    /// Moves every RAM entry to the mapped tier, then cascades if that tier is over. O(RAM entries).
    private func spillMemory() throws {
        try mapped.setValues(memory.lazy.map { (key: $0.key, value: $0.value) })
        memory = [:]
        memoryBytes = 0
        memorySpillCount += 1
        if policy.mappedIsOver(keys: mapped.count, bytes: mapped.liveBytes) {
            try disk.setValues(try mapped.drain())
            mappedSpillCount += 1
        }
    }

    /// Passes the RAM entries, then the mapped tier's, then the disk tier's.
    public func forEach(_ body: (String, Value) throws -> Void) throws {
        for (key, value) in memory { try body(key, value) }
        try mapped.forEach(body)
        try disk.forEach(body)
    }

    /// One part per tier: the RAM dictionary (copy-on-write), and each file tier's index and reader.
    public func makeSnapshot() -> StateSnapshot<Value> {
        StateSnapshot(parts: [
            .memory(memory, bytes: memoryBytes), .log(mapped.makeSnapshot()), .log(disk.makeSnapshot()),
        ])
    }

    /// Empties every tier, then sets each entry in order (spilling as thresholds are passed).
    public func restore(_ entries: [(key: String, value: Value)]) throws {
        try removeAll()
        for entry in entries { try setValue(entry.value, forKey: entry.key) }
    }

    /// Empties RAM and gives both file tiers fresh, empty storage.
    public func removeAll() throws {
        memory = [:]
        memoryBytes = 0
        try mapped.removeAll()
        try disk.removeAll()
    }
}
