import SluiceState
import SluiceTestKit
import Testing

@Suite struct CheckpointCatalogTests {
    static func commit(_ catalog: CheckpointCatalog, _ id: UInt64) throws {
        try catalog.commit(
            try CheckpointFile.encode(CheckpointFileTests.sampleCapture(id: id)), id: id,
            parentID: id > 1 ? id - 1 : nil)
    }

    static func flipByte(in path: String, at offset: Int) throws {
        var bytes = try PosixFileSystem().readFile(at: path)
        bytes[offset] ^= 0x5A
        try PosixFileSystem().writeFile(at: path, bytes: bytes, sync: false)
    }

    @Test func keepsAChainAndPrunesOldCheckpoints() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let catalog = try CheckpointCatalog(directory: folder.file("ck"), retainedCount: 3)
        for id: UInt64 in 1...5 { try Self.commit(catalog, id) }
        #expect(catalog.entries.map(\.id) == [3, 4, 5])
        #expect(catalog.entries.map(\.parentID) == [2, 3, 4])
        let files = try PosixFileSystem().contentsOfDirectory(at: folder.file("ck")).filter { $0.hasSuffix(".snap") }
        #expect(files.count == 3)
        let reopened = try CheckpointCatalog(directory: folder.file("ck"), mode: .mustExist)
        #expect(reopened.entries == catalog.entries)
        let (image, report) = try reopened.recover()
        #expect(image?.id == 5 && report.restoredCheckpointID == 5 && !report.isFallback)
    }

    @Test func corruptNewestFallsBackToThePreviousAndSaysSo() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let catalog = try CheckpointCatalog(directory: folder.path)
        for id: UInt64 in 1...3 { try Self.commit(catalog, id) }
        let newest = folder.file(catalog.entries.last!.fileName)  // three were committed
        try Self.flipByte(in: newest, at: 60)
        let (image, report) = try CheckpointCatalog(directory: folder.path).recover()
        #expect(image?.id == 2)
        #expect(report.isFallback && report.skipped.map(\.id) == [3])
        #expect(report.skipped.first?.error.code == .corruptSnapshot)
        #expect(report.description.contains("skipped checkpoint 3"))
        #expect(report.description.contains("restored checkpoint 2 (fallback"))
        #expect(PosixFileSystem().itemExists(at: newest + ".corrupt"), "the damaged file is kept for inspection")
        #expect(try CheckpointCatalog(directory: folder.path).entries.map(\.id) == [1, 2])
    }

    @Test func missingNewestFileFallsBack() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let catalog = try CheckpointCatalog(directory: folder.path)
        for id: UInt64 in 1...2 { try Self.commit(catalog, id) }
        try PosixFileSystem().removeItem(at: folder.file(catalog.entries.last!.fileName))  // two were committed
        let (image, report) = try catalog.recover()
        #expect(image?.id == 1 && report.skipped.first?.error.code == .ioFailure)
    }

    @Test func everyCheckpointCorruptIsAnErrorNotAFreshStart() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let catalog = try CheckpointCatalog(directory: folder.path)
        for id: UInt64 in 1...2 { try Self.commit(catalog, id) }
        for entry in catalog.entries { try Self.flipByte(in: folder.file(entry.fileName), at: 50) }
        let error = #expect(throws: StateError.self) { try catalog.recover() }
        #expect(error?.code == .noUsableSnapshot)
    }

    @Test func emptyCatalogIsAFreshStart() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let (image, report) = try CheckpointCatalog(directory: folder.path).recover()
        #expect(image == nil && report.restoredCheckpointID == nil)
        #expect(report.description == "no checkpoint: starting from the beginning")
    }

    @Test func missingFolderIsAClearError() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let error = #expect(throws: StateError.self) {
            try CheckpointCatalog(directory: folder.file("absent"), mode: .mustExist)
        }
        #expect(error?.code == .checkpointFolderMissing && error?.path == folder.file("absent"))
    }

    @Test func aFileWhereTheFolderShouldBeIsUnreadable() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        try PosixFileSystem().writeFile(at: folder.file("ck"), bytes: [1], sync: false)
        let error = #expect(throws: StateError.self) { try CheckpointCatalog(directory: folder.file("ck")) }
        #expect(error?.code == .checkpointFolderUnreadable)
    }

    @Test(arguments: [0, 5, 30])
    func corruptManifestIsAnErrorNeverIgnored(_ offset: Int) throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let catalog = try CheckpointCatalog(directory: folder.path)
        for id: UInt64 in 1...2 { try Self.commit(catalog, id) }
        try Self.flipByte(in: folder.file("MANIFEST"), at: offset)
        let error = #expect(throws: StateError.self) { try CheckpointCatalog(directory: folder.path) }
        #expect(error?.code == .corruptCatalog || error?.code == .unsupportedFormat, "offset \(offset)")
        #expect(error?.path == folder.file("MANIFEST"))
    }

    /// Tests run as root here, so refused access is simulated by the injectable file system.
    @Test func refusedAccessIsAPermissionError() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let fileSystem = FaultInjectingFileSystem()
        try Self.commit(try CheckpointCatalog(directory: folder.path, fileSystem: fileSystem), 1)
        fileSystem.refuseAccess(under: folder.path)
        let error = #expect(throws: StateError.self) {
            try CheckpointCatalog(directory: folder.path, fileSystem: fileSystem)
        }
        #expect(error?.code == .permissionDenied && error?.path == folder.path)
    }

    @Test func fullDiskFailsTheCheckpointAndKeepsThePreviousOnes() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let fileSystem = FaultInjectingFileSystem()
        let catalog = try CheckpointCatalog(directory: folder.path, fileSystem: fileSystem)
        for id: UInt64 in 1...2 { try Self.commit(catalog, id) }
        for quota in [0, 100, 700] {
            fileSystem.setQuota(quota)
            let error = #expect(throws: StateError.self) { try Self.commit(catalog, 3) }
            #expect(error?.code == .diskFull, "quota \(quota)")
            fileSystem.setQuota(nil)
            let (image, report) = try CheckpointCatalog(directory: folder.path).recover()
            #expect(image?.id == 2 && !report.isFallback, "quota \(quota): checkpoint 2 is intact")
        }
        let leftovers = try PosixFileSystem().contentsOfDirectory(at: folder.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "a failed atomic write leaves no temporary file")
    }
}
