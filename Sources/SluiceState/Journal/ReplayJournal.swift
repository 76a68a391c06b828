/// An append-only log of completed checkpoints' source positions: where a restarted pipeline replays from.
///
/// One text line per source per completed checkpoint, each with its own CRC-32C:
/// `<checkpoint id> <source> <next sequence> <byte offset> <crc32c>`. Appends are `fsync`ed. A torn last
/// line (the process died mid-append) is ignored and reported; damage anywhere else is a `corruptJournal`
/// error. When it passes `compactionLineCount` lines, it is rewritten atomically with only the newest
/// `retainedCheckpoints` checkpoints. Used from one thread at a time.
public final class ReplayJournal {
    /// One journal line.
    public struct Entry: Hashable, Sendable {
        /// The completed checkpoint.
        public var checkpointID: UInt64
        /// Where the source resumes after that checkpoint.
        public var position: SourcePosition
    }

    /// The journal file.
    public let path: String
    private let fileSystem: any FileSystem
    /// The entries, oldest first.
    public private(set) var entries: [Entry] = []
    /// Whether a torn last line was found (and ignored) when the journal was opened.
    public private(set) var hadTornTail = false
    let compactionLineCount: Int
    let retainedCheckpoints: Int

    /// Opens (or creates) the journal at `path`. O(file).
    public init(
        path: String, fileSystem: any FileSystem = PosixFileSystem(), compactionLineCount: Int = 4096,
        retainedCheckpoints: Int = 16
    ) throws {
        self.path = path
        self.fileSystem = fileSystem
        self.compactionLineCount = compactionLineCount
        self.retainedCheckpoints = retainedCheckpoints
        guard fileSystem.itemExists(at: path) else { return }
        let bytes = try fileSystem.readFile(at: path)
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let endsWithNewline = bytes.last == UInt8(ascii: "\n")
        if endsWithNewline || lines.last?.isEmpty == true { lines.removeLast() }
        for (number, line) in lines.enumerated() {
            let isLast = number == lines.count - 1
            if let entry = Self.parse(line) {
                entries.append(entry)
            } else if isLast && !endsWithNewline {
                hadTornTail = true
                let keep = bytes.count - line.count
                try fileSystem.truncateFile(at: path, to: keep)
            } else {
                throw StateError(
                    code: .corruptJournal, message: "line \(number + 1) is damaged: \(String(decoding: line, as: UTF8.self))",
                    path: path)
            }
        }
    }

    static func format(_ entry: Entry) -> String {
        let body =
            "\(entry.checkpointID) \(entry.position.source) \(entry.position.nextSequence) \(entry.position.byteOffset)"
        return body + " " + hex(CRC32C.checksum(body.utf8)) + "\n"
    }

    static func parse(_ line: ArraySlice<UInt8>) -> Entry? {
        guard let text = String(validating: line, as: UTF8.self) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count == 5, let id = UInt64(fields[0]), let sequence = UInt64(fields[2]),
            let offset = UInt64(fields[3])
        else { return nil }
        let body = fields[0..<4].joined(separator: " ")
        guard hex(CRC32C.checksum(body.utf8)) == fields[4] else { return nil }
        return Entry(
            checkpointID: id, position: SourcePosition(source: String(fields[1]), nextSequence: sequence, byteOffset: offset))
    }

    /// Durably records that checkpoint `checkpointID` completed with the sources at `positions`.
    public func append(checkpointID: UInt64, positions: [SourcePosition]) throws {
        for position in positions {
            precondition(!position.source.contains(" "), "source names in the journal cannot contain spaces")
        }
        let new = positions.map { Entry(checkpointID: checkpointID, position: $0) }
        let text = new.map(Self.format).joined()
        let writer = try fileSystem.makeDurableWriter(at: path, truncate: false)
        defer { try? writer.close() }
        try Array(text.utf8).withUnsafeBytes { try writer.write($0) }
        try writer.sync()
        entries.append(contentsOf: new)
        if entries.count > compactionLineCount { try compact() }
    }

    /// Keeps only the newest `retainedCheckpoints` checkpoints' lines (atomic rewrite). O(entries).
    public func compact() throws {
        let ids = Set(entries.map(\.checkpointID)).sorted().suffix(retainedCheckpoints)
        let kept = entries.filter { ids.contains($0.checkpointID) }
        try fileSystem.writeAtomically(Array(kept.map(Self.format).joined().utf8), to: path)
        entries = kept
    }

    /// Drops the lines of checkpoints newer than `checkpointID` (after recovery fell back past them).
    public func truncate(after checkpointID: UInt64) throws {
        guard entries.contains(where: { $0.checkpointID > checkpointID }) else { return }
        let kept = entries.filter { $0.checkpointID <= checkpointID }
        try fileSystem.writeAtomically(Array(kept.map(Self.format).joined().utf8), to: path)
        entries = kept
    }

    /// Where `source` resumes after checkpoint `checkpointID`, if the journal recorded it.
    public func position(ofSource source: String, checkpointID: UInt64) -> SourcePosition? {
        entries.last { $0.checkpointID == checkpointID && $0.position.source == source }?.position
    }
}
