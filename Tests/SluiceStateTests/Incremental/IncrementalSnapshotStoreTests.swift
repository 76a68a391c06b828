import SluiceState
import SluiceTestKit
import Testing

@Suite struct IncrementalSnapshotStoreTests {
    /// A tracked state of `keys` keys, `k0`…, value = index.
    static func makeState(keys: Int) throws -> ChangeTrackingStateBackend<Int64> {
        let state = ChangeTrackingStateBackend<Int64>(base: InMemoryStateBackend())
        for index in 0..<keys { try state.setValue(Int64(index), forKey: "k\(index)") }
        return state
    }

    /// Changes `count` seeded keys (and removes one, adds one).
    static func mutate(_ state: ChangeTrackingStateBackend<Int64>, count: Int, keys: Int, random: inout SeededRandomNumberGenerator) throws {
        for _ in 0..<count {
            let key = "k\(Int.random(in: 0..<keys, using: &random))"
            try state.setValue((try state.value(forKey: key) ?? 0) + 1, forKey: key)
        }
        try state.removeValue(forKey: "k\(Int.random(in: 0..<keys, using: &random))")
        try state.setValue(7, forKey: "new\(Int.random(in: 0..<1_000_000, using: &random))")
    }

    static func lines(_ entries: [(key: String, value: Int64)]) -> [String] { entries.map { "\($0.key)=\($0.value)" } }

    /// The lines only one side has (empty when they match), for a readable failure.
    static func difference(_ got: [String], _ expected: [String]) -> [String] {
        let got = Set(got)
        let expected = Set(expected)
        return got.subtracting(expected).sorted().map { "+" + $0 } + expected.subtracting(got).sorted().map { "-" + $0 }
    }

    static func lines(_ state: ChangeTrackingStateBackend<Int64>) throws -> [String] {
        var lines: [String] = []
        try state.forEach { lines.append("\($0)=\($1)") }
        return lines.sorted()
    }

    @Test func incrementalSnapshotsWriteOnlyChangesAndRestoreTheExactState() throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x1AC2)
        let seed = random.seed
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let keys = 20_000
        let state = try Self.makeState(keys: keys)
        let store = try IncrementalSnapshotStore(directory: folder.file("inc"))
        _ = try state.takeChanges()
        let full = try store.write(id: 1, snapshot: state.makeSnapshot(), changes: nil)
        #expect(full.compactedGroups == store.configuration.keyGroupCount && full.chunksReused == 0)
        for id in 2...6 as ClosedRange<UInt64> {
            try Self.mutate(state, count: keys / 100, keys: keys, random: &random)
            let report = try store.write(id: id, snapshot: state.makeSnapshot(), changes: state.takeChanges())
            #expect(report.bytesWritten * 10 <= full.bytesWritten, "seed \(seed): snapshot \(id) wrote \(report.bytesWritten) of \(full.bytesWritten)")
            #expect(report.chunksReused > 0, "seed \(seed)")
        }
        let reopened = try IncrementalSnapshotStore(directory: folder.file("inc"))
        let recovery = try reopened.recover(as: Int64.self)
        #expect(recovery.id == 6 && recovery.skipped.isEmpty)
        #expect(Self.difference(Self.lines(recovery.entries), try Self.lines(state)) == [], "seed \(seed)")
        #expect(reopened.snapshotIDs == [4, 5, 6], "three retained")
    }

    @Test func aCorruptChunkRollsBackToThePreviousCompleteSnapshot() throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x1AC3)
        let seed = random.seed
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let state = try Self.makeState(keys: 2_000)
        let store = try IncrementalSnapshotStore(directory: folder.file("inc"))
        _ = try state.takeChanges()
        try store.write(id: 1, snapshot: state.makeSnapshot(), changes: nil)
        try Self.mutate(state, count: 40, keys: 2_000, random: &random)
        try store.write(id: 2, snapshot: state.makeSnapshot(), changes: state.takeChanges())
        let expected = try Self.lines(state)
        try Self.mutate(state, count: 40, keys: 2_000, random: &random)
        try store.write(id: 3, snapshot: state.makeSnapshot(), changes: state.takeChanges())
        // Flip one byte in the middle of snapshot 3's own chunks.
        let path = folder.file("inc/chunks-00000000000000000003.dat")
        var bytes = try PosixFileSystem().readFile(at: path)
        bytes[bytes.count / 2] ^= 0x40
        try PosixFileSystem().writeFile(at: path, bytes: bytes, sync: false)

        let recovery = try IncrementalSnapshotStore(directory: folder.file("inc")).recover(as: Int64.self)
        #expect(recovery.id == 2, "seed \(seed)")
        #expect(recovery.skipped.map(\.id) == [3] && recovery.skipped.first?.error.code == .corruptSnapshot)
        #expect(recovery.skipped.first?.error.message.contains("CRC-32C") == true, "\(recovery.skipped)")
        #expect(Self.difference(Self.lines(recovery.entries), expected) == [], "seed \(seed)")
    }

    @Test func compactionRewritesGrownGroupsAndDropsUnreferencedFiles() throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x1AC4)
        let seed = random.seed
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        var configuration = IncrementalSnapshotStore.Configuration()
        configuration.keyGroupCount = 8
        configuration.maxChainLength = 4
        configuration.maxCompactionsPerSnapshot = 8
        let state = try Self.makeState(keys: 500)
        let store = try IncrementalSnapshotStore(directory: folder.file("inc"), configuration: configuration)
        _ = try state.takeChanges()
        try store.write(id: 1, snapshot: state.makeSnapshot(), changes: nil)
        var compacted = 0
        for id in 2...12 as ClosedRange<UInt64> {
            try Self.mutate(state, count: 50, keys: 500, random: &random)
            compacted += try store.write(id: id, snapshot: state.makeSnapshot(), changes: state.takeChanges()).compactedGroups
        }
        #expect(compacted > 0, "seed \(seed)")
        let files = try PosixFileSystem().contentsOfDirectory(at: folder.file("inc"))
        #expect(!files.contains("chunks-00000000000000000001.dat"), "the first full snapshot was compacted away: \(files)")
        #expect(files.filter { $0.hasSuffix(".manifest") }.count == 3)
        let recovery = try IncrementalSnapshotStore(directory: folder.file("inc"), configuration: configuration)
            .recover(as: Int64.self)
        let expected = try Self.lines(state)
        #expect(recovery.id == 12)
        #expect(Self.difference(Self.lines(recovery.entries), expected) == [], "seed \(seed)")
    }
}
