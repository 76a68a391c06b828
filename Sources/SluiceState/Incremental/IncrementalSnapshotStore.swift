import Synchronization

/// Incremental snapshots of one stage's keyed state: the state is split into key groups, each group kept as a
/// chain of chunks (a base holding the whole group, then deltas holding what changed), and a checkpoint writes only
/// the chunks that changed since the previous one. Its manifest lists every group's chain, so a snapshot references
/// the unchanged chunks of earlier snapshots instead of copying them (Flink's incremental checkpoints with shared
/// state files, at key-group granularity).
///
/// Files in `directory`: `chunks-<id>.dat` (the chunks snapshot `id` wrote, concatenated) and
/// `snapshot-<id>.manifest` (see `ChunkManifest`). A write is durable and atomic: the data file is written and
/// `fsync`ed, the folder synced, then the manifest replaced atomically (temporary file, `fsync`, rename, folder
/// `fsync`); a snapshot exists once its manifest does.
///
/// Compaction: when a group's deltas outgrow `compactionRatio` of its base, or its chain reaches
/// `maxChainLength`, the group is rewritten as a new base from the snapshot (at most `maxCompactionsPerSnapshot`
/// groups per snapshot, the neediest first, so compaction is spread over checkpoints). Data files that no retained
/// manifest references are deleted.
///
/// Recovery verifies every chunk a manifest references against its CRC-32C; a snapshot with one damaged or missing
/// chunk is skipped and the previous complete snapshot is restored instead. Thread-safe; one writer at a time.
public final class IncrementalSnapshotStore: Sendable {
    /// Tuning; the defaults suit state of 10⁴–10⁷ keys.
    public struct Configuration: Sendable {
        /// Key groups (chunks of a full snapshot).
        public var keyGroupCount = 128
        /// A group is compacted when its deltas' bytes exceed this fraction of its base's.
        public var compactionRatio = 0.5
        /// A group is compacted when its chain (base plus deltas) reaches this length.
        public var maxChainLength = 64
        /// At most this many groups are compacted by one snapshot (0: `keyGroupCount / 16`, at least 1).
        public var maxCompactionsPerSnapshot = 0
        /// Snapshots (manifests) kept, newest first; at least 2, so that a damaged newest one has a fallback.
        public var retainedCount = 3

        /// The defaults.
        public init() {}
    }

    /// What one `write` did.
    public struct WriteReport: Sendable {
        /// The snapshot id.
        public var id: UInt64
        /// Bytes written: the data file plus the manifest.
        public var bytesWritten: Int
        /// Chunks written by this snapshot.
        public var chunksWritten: Int
        /// Chunks of earlier snapshots this one references.
        public var chunksReused: Int
        /// Groups rewritten as a new base (all of them for a full snapshot).
        public var compactedGroups: Int
    }

    /// What `recover` restored.
    public struct Recovery<Value: StateCodable>: Sendable {
        /// The restored snapshot, nil when the store holds none.
        public var id: UInt64?
        /// The state entries, sorted by key.
        public var entries: [(key: String, value: Value)]
        /// Newer snapshots skipped because a chunk or the manifest was damaged or missing, newest first.
        public var skipped: [(id: UInt64, error: StateError)]
    }

    /// The folder.
    public let directory: String
    /// The configuration.
    public let configuration: Configuration
    private let fileSystem: any FileSystem
    private let manifests: Mutex<[ChunkManifest]>

    /// Opens (creating it when missing) the store in `directory` and reads its manifests. O(manifests).
    public init(
        directory: String, fileSystem: any FileSystem = PosixFileSystem(), configuration: Configuration = Configuration()
    ) throws {
        precondition(configuration.keyGroupCount > 0, "at least one key group")
        precondition(configuration.retainedCount >= 2, "keep at least two snapshots")
        self.directory = directory
        self.fileSystem = fileSystem
        self.configuration = configuration
        try fileSystem.createDirectoryDurably(at: directory)
        var loaded: [ChunkManifest] = []
        for name in try fileSystem.contentsOfDirectory(at: directory) {
            guard let id = Self.id(of: name, prefix: "snapshot-", suffix: ".manifest") else { continue }
            // A damaged manifest is kept out of the chain here and reported by `recover`.
            if let manifest = try? ChunkManifest.decode(fileSystem.readFile(at: joinPath(directory, name)), path: name),
                manifest.id == id
            {
                loaded.append(manifest)
            }
        }
        manifests = Mutex(loaded.sorted { $0.id < $1.id })
    }

    static func name(_ prefix: String, _ id: UInt64, _ suffix: String) -> String {
        let digits = String(id)
        return prefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    static func id(of name: String, prefix: String, suffix: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        return UInt64(name.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// The snapshots the store holds, oldest first.
    public var snapshotIDs: [UInt64] { manifests.withLock { $0.map(\.id) } }

    /// Durably writes snapshot `id` of `snapshot`. With `changes` (what changed since the previous snapshot this
    /// store wrote or recovered) only the changed groups' deltas are written; without them, or with no previous
    /// snapshot, every group is written as a base (a full snapshot). O(changes), plus O(state) when groups are
    /// compacted. On error nothing the store listed before is touched.
    /// - Precondition: `id` is larger than every snapshot id in the store.
    @discardableResult
    public func write<Value: StateCodable>(
        id: UInt64, snapshot: StateSnapshot<Value>, changes: StateChanges<Value>?
    ) throws -> WriteReport {
        let groupCount = configuration.keyGroupCount
        let previous = manifests.withLock { $0.last }
        precondition(previous.map { id > $0.id } ?? true, "snapshot ids increase")
        var chains: [[ChunkReference]]
        var compact: Set<Int> = []
        var data = BinaryWriter()
        var written = 0
        func append<V: StateCodable>(_ group: Int, _ kind: SnapshotChunk.Kind, _ entries: [(key: String, value: V?)]) {
            let offset = data.bytes.count
            SnapshotChunk.encode(group: group, kind: kind, entries: entries, into: &data)
            let length = data.bytes.count - offset
            let reference = ChunkReference(
                group: group, isBase: kind == .base, fileID: id, offset: offset, length: length,
                checksum: CRC32C.checksum(data.bytes[offset...]))
            if kind == .base { chains[group] = [reference] } else { chains[group].append(reference) }
            written += 1
        }
        if let previous, previous.groupCount == groupCount, let changes {
            chains = previous.chains
            var buckets = Array(repeating: [(key: String, value: Value?)](), count: groupCount)
            for change in changes.entries {
                buckets[SnapshotChunk.group(of: change.key, groupCount: groupCount)].append(change)
            }
            compact = compactionCandidates(chains: chains, touched: buckets.indices.filter { !buckets[$0].isEmpty })
            for group in buckets.indices where !buckets[group].isEmpty && !compact.contains(group) {
                append(group, .delta, buckets[group].sorted { $0.key < $1.key })
            }
        } else {
            chains = Array(repeating: [], count: groupCount)
            compact = Set(0..<groupCount)
        }
        if !compact.isEmpty {
            var buckets = [Int: [(key: String, value: Value?)]]()
            for group in compact { buckets[group] = [] }
            try snapshot.forEach { key, value in
                let group = SnapshotChunk.group(of: key, groupCount: groupCount)
                if compact.contains(group) { buckets[group]?.append((key: key, value: value)) }
            }
            for group in compact.sorted() { append(group, .base, (buckets[group] ?? []).sorted { $0.key < $1.key }) }
        }
        var bytesWritten = 0
        if !data.bytes.isEmpty {
            try fileSystem.writeFile(at: joinPath(directory, Self.name("chunks-", id, ".dat")), bytes: data.bytes, sync: true)
            try fileSystem.syncDirectory(at: directory)
            bytesWritten += data.bytes.count
        }
        let manifest = ChunkManifest(id: id, groupCount: groupCount, chains: chains)
        let encoded = manifest.encode()
        try fileSystem.writeAtomically(encoded, to: joinPath(directory, Self.name("snapshot-", id, ".manifest")))
        bytesWritten += encoded.count
        let retained = manifests.withLock { list -> [ChunkManifest] in
            list.append(manifest)
            list.removeFirst(max(0, list.count - configuration.retainedCount))
            return list
        }
        collectGarbage(retained: retained)
        return WriteReport(
            id: id, bytesWritten: bytesWritten, chunksWritten: written, chunksReused: manifest.chunks.count - written,
            compactedGroups: compact.count)
    }

    /// The touched groups to rewrite as a base: those past the ratio or the chain length, neediest first, capped.
    private func compactionCandidates(chains: [[ChunkReference]], touched: [Int]) -> Set<Int> {
        let cap = configuration.maxCompactionsPerSnapshot > 0
            ? configuration.maxCompactionsPerSnapshot : max(1, configuration.keyGroupCount / 16)
        var needs: [(group: Int, score: Double)] = []
        for group in touched {
            let chain = chains[group]
            guard let base = chain.first else {
                needs.append((group, .infinity))
                continue
            }
            let deltaBytes = chain.dropFirst().reduce(0) { $0 + $1.length }
            let score = Double(deltaBytes) / Double(max(base.length, 1))
            if score > configuration.compactionRatio || chain.count + 1 >= configuration.maxChainLength {
                needs.append((group, score))
            }
        }
        return Set(needs.sorted { $0.score > $1.score }.prefix(cap).map(\.group))
    }

    /// Deletes manifests no longer retained and data files no retained manifest references. Best effort: a file
    /// left behind costs space, never correctness.
    private func collectGarbage(retained: [ChunkManifest]) {
        let keptIDs = Set(retained.map(\.id))
        let referenced = Set(retained.flatMap { $0.chunks.map(\.fileID) })
        guard let names = try? fileSystem.contentsOfDirectory(at: directory) else { return }
        for name in names {
            if let id = Self.id(of: name, prefix: "snapshot-", suffix: ".manifest"), !keptIDs.contains(id) {
                try? fileSystem.removeItem(at: joinPath(directory, name))
            } else if let id = Self.id(of: name, prefix: "chunks-", suffix: ".dat"), !referenced.contains(id) {
                try? fileSystem.removeItem(at: joinPath(directory, name))
            }
        }
    }

    /// Restores the newest snapshot whose manifest and chunks all verify, skipping damaged newer ones, and makes it
    /// the base of the next incremental write. O(restored state + chunks).
    ///
    /// Throws `noUsableSnapshot` when snapshots exist and none is complete: starting empty would silently lose state.
    public func recover<Value: StateCodable>(as type: Value.Type) throws -> Recovery<Value> {
        var skipped: [(id: UInt64, error: StateError)] = []
        var candidates = manifests.withLock { $0 }
        let listed = try fileSystem.contentsOfDirectory(at: directory).compactMap {
            Self.id(of: $0, prefix: "snapshot-", suffix: ".manifest")
        }
        for id in listed where !candidates.contains(where: { $0.id == id }) {
            let path = joinPath(directory, Self.name("snapshot-", id, ".manifest"))
            skipped.append(
                (id, StateError(code: .corruptCatalog, message: "the incremental manifest is damaged", path: path)))
        }
        while let manifest = candidates.last {
            do {
                let entries = try load(manifest, as: type)
                manifests.withLock { $0 = candidates }
                return Recovery(id: manifest.id, entries: entries, skipped: skipped.sorted { $0.id > $1.id })
            } catch let error as StateError {
                skipped.append((manifest.id, error))
                candidates.removeLast()
            }
        }
        if !skipped.isEmpty {
            throw StateError(
                code: .noUsableSnapshot,
                message: "no incremental snapshot is complete: " + skipped.map { "\($0.id): \($0.error)" }.joined(separator: "; "),
                path: directory)
        }
        return Recovery(id: nil, entries: [], skipped: [])
    }

    /// Restores snapshot `id` exactly (the one a checkpoint names), verifying every chunk it references, and makes
    /// it the base of the next incremental write: snapshots newer than `id` (written for a checkpoint that never
    /// committed, or rolled back) are forgotten, and their ids may be written again. O(restored state + chunks).
    ///
    /// Throws `corruptSnapshot` when the snapshot is missing, or one of its chunks is damaged or missing (the
    /// message names the chunk's group, offset and file).
    public func recover<Value: StateCodable>(id: UInt64, as type: Value.Type) throws -> [(key: String, value: Value)] {
        let listed = manifests.withLock { $0 }
        guard let manifest = listed.first(where: { $0.id == id }) else {
            throw StateError(
                code: .corruptSnapshot, message: "incremental snapshot \(id) is missing or its manifest is damaged",
                path: joinPath(directory, Self.name("snapshot-", id, ".manifest")))
        }
        let entries = try load(manifest, as: type)
        manifests.withLock { $0 = listed.filter { $0.id <= id } }
        return entries
    }

    /// Forgets every snapshot as a base (their files stay until the next write collects them), so that the next
    /// write is a full one: what recovery does when the restored checkpoint's state did not come from this store.
    func discardSnapshotsAsBase() {
        manifests.withLock { $0 = [] }
    }

    private func load<Value: StateCodable>(_ manifest: ChunkManifest, as type: Value.Type) throws -> [(key: String, value: Value)] {
        var files: [UInt64: [UInt8]] = [:]
        var state: [String: Value] = [:]
        for chain in manifest.chains {
            for chunk in chain {
                let path = joinPath(directory, Self.name("chunks-", chunk.fileID, ".dat"))
                if files[chunk.fileID] == nil {
                    guard fileSystem.itemExists(at: path) else {
                        throw StateError(
                            code: .corruptSnapshot, message: "snapshot \(manifest.id) references a missing data file",
                            path: path)
                    }
                    files[chunk.fileID] = try fileSystem.readFile(at: path)
                }
                // Just filled in above.
                let file = files[chunk.fileID]!
                guard chunk.offset >= 0, chunk.length >= 0, chunk.offset + chunk.length <= file.count else {
                    throw StateError(
                        code: .corruptSnapshot,
                        message: "chunk of group \(chunk.group) at offset \(chunk.offset) (\(chunk.length) bytes) lies past the end of the file (\(file.count) bytes)",
                        path: path)
                }
                let bytes = Array(file[chunk.offset..<(chunk.offset + chunk.length)])
                let checksum = CRC32C.checksum(bytes)
                guard checksum == chunk.checksum else {
                    throw StateError(
                        code: .corruptSnapshot,
                        message: "chunk of group \(chunk.group) at offset \(chunk.offset): CRC-32C \(hex(checksum)), the manifest of snapshot \(manifest.id) says \(hex(chunk.checksum))",
                        path: path)
                }
                // A group's chain starts with its base and only its chain holds its keys, so chunks apply in
                // order onto one dictionary.
                try SnapshotChunk.apply(bytes, expectedGroup: chunk.group, to: &state, path: path)
            }
        }
        return state.map { (key: $0.key, value: $0.value) }.sorted { $0.key < $1.key }
    }
}
