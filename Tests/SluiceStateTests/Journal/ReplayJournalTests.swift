import SluiceState
import SluiceTestKit
import Testing

@Suite struct ReplayJournalTests {
    static func position(_ sequence: UInt64) -> SourcePosition {
        SourcePosition(source: "input", nextSequence: sequence, byteOffset: sequence * 10)
    }

    @Test func recordsAndReopens() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let journal = try ReplayJournal(path: folder.file("journal.log"))
        for id in 1...4 { try journal.append(checkpointID: UInt64(id), positions: [Self.position(UInt64(id) * 100)]) }
        let reopened = try ReplayJournal(path: folder.file("journal.log"))
        #expect(reopened.entries == journal.entries)
        #expect(reopened.position(ofSource: "input", checkpointID: 3) == Self.position(300))
        try reopened.truncate(after: 2)
        #expect(try ReplayJournal(path: folder.file("journal.log")).entries.map(\.checkpointID) == [1, 2])
    }

    @Test func tornLastLineIsIgnoredAndCut() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("journal.log")
        try ReplayJournal(path: path).append(checkpointID: 1, positions: [Self.position(100)])
        var bytes = try PosixFileSystem().readFile(at: path)
        bytes.append(contentsOf: Array("2 input 2".utf8))
        try PosixFileSystem().writeFile(at: path, bytes: bytes, sync: false)
        let journal = try ReplayJournal(path: path)
        #expect(journal.hadTornTail && journal.entries.map(\.checkpointID) == [1])
        try journal.append(checkpointID: 2, positions: [Self.position(200)])
        #expect(try ReplayJournal(path: path).entries.map(\.checkpointID) == [1, 2])
    }

    @Test func damageBeforeTheLastLineIsAnError() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("journal.log")
        let journal = try ReplayJournal(path: path)
        for id in 1...3 { try journal.append(checkpointID: UInt64(id), positions: [Self.position(UInt64(id))]) }
        var bytes = try PosixFileSystem().readFile(at: path)
        bytes[2] = UInt8(ascii: "9")
        try PosixFileSystem().writeFile(at: path, bytes: bytes, sync: false)
        let error = #expect(throws: StateError.self) { try ReplayJournal(path: path) }
        #expect(error?.code == .corruptJournal && error?.path == path)
    }

    @Test func compactionKeepsTheNewestCheckpoints() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("journal.log")
        let journal = try ReplayJournal(path: path, compactionLineCount: 10, retainedCheckpoints: 3)
        for id in 1...11 { try journal.append(checkpointID: UInt64(id), positions: [Self.position(UInt64(id))]) }
        #expect(journal.entries.map(\.checkpointID) == [9, 10, 11])
        #expect(try ReplayJournal(path: path).entries.map(\.checkpointID) == [9, 10, 11])
    }
}
