import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only history of run summaries for one environment: `reports/history/<environment-key>.jsonl`,
/// one `HistoryEntry` per line.
///
/// ## Atomicity (why no line is ever torn)
/// An append never writes into the live file. Under an exclusive `flock` on a sidecar lock file
/// (`.<name>.lock`, next to the store), it reads the current file, checks every line parses, writes the old
/// bytes followed by the new line to a temporary file in the same folder, `fsync`s it, and `rename`s it over
/// the store (`AtomicFileWriter`). A reader, which takes no lock, therefore sees either the old file or
/// the new one, whole; a crash at any point leaves the old file or the new one, never a partial line. The
/// lock serializes writers (threads or processes), so no append is lost. The old bytes are copied verbatim,
/// so every earlier line is kept as it was: the store is append-only in content.
///
/// The cost is O(file size) per append, which is fine for one line per gate or nightly run. A store whose
/// existing lines do not parse is never rewritten: the append fails with the damaged line's number.
public struct HistoryStore: Sendable {
    /// The history file.
    public let fileURL: URL

    /// A store at an explicit path.
    public init(fileURL: URL) {
        self.fileURL = fileURL
    }

    /// The store for `environmentKey` in `directory`: `<directory>/<environmentKey>.jsonl`.
    public init(directory: URL, environmentKey: String) {
        self.fileURL = directory.appendingPathComponent("\(environmentKey).jsonl")
    }

    /// The store a results file's summaries belong to: keyed by its fingerprint's environment key.
    public init(directory: URL, environment: EnvironmentFingerprint) {
        self.init(directory: directory, environmentKey: environment.environmentKey)
    }

    /// Appends the summary of `results` and returns the entry written.
    ///
    /// - Parameters:
    ///   - commitDate: the measured commit's date (ISO 8601), when known.
    ///   - runDate: when the run happened; defaults to the results file's start time.
    /// - Throws: `HarnessError` when the existing file is damaged (nothing is written) or I/O fails.
    /// Complexity: O(file size + entry size).
    @discardableResult
    public func append(results: ResultsFile, commitDate: String? = nil, runDate: String? = nil) throws -> HistoryEntry
    {
        let entry = HistoryEntry(results: results, commitDate: commitDate, runDate: runDate)
        try append(entry)
        return entry
    }

    /// Appends one entry atomically (see the type's documentation), unless the store already holds a line of the
    /// same run id: one run appended twice would count twice in its trend. Returns whether it was written.
    ///
    /// - Throws: `HarnessError` when the existing file is damaged (nothing is written) or I/O fails.
    /// Complexity: O(file size + entry size).
    @discardableResult
    public func append(_ entry: HistoryEntry) throws -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line: Data
        do {
            line = try encoder.encode(entry)
        } catch {
            throw HarnessError(code: .io, message: "cannot encode the entry: \(error)", file: fileURL.path)
        }
        line.append(UInt8(ascii: "\n"))
        let directory = fileURL.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw HarnessError(code: .io, message: "cannot create the folder: \(error)", file: directory.path)
        }
        var isNew = true
        try withExclusiveLock {
            let existing = try readExisting()
            guard try !Self.decode(existing, file: fileURL.path).contains(where: { $0.runID == entry.runID }) else {
                isNew = false
                return
            }
            var contents = existing
            if let last = contents.last, last != UInt8(ascii: "\n") {
                // Unreachable for files this store wrote: decode() above rejects an unterminated last line.
                contents.append(UInt8(ascii: "\n"))
            }
            contents.append(line)
            do throws(HarnessError) {
                try AtomicFileWriter.write(contents, to: fileURL)
            } catch {
                throw HarnessError(code: .io, message: "cannot write: \(error.message)", file: fileURL.path)
            }
        }
        return isNew
    }

    /// Every entry, oldest first (file order). A missing file is an empty history.
    ///
    /// - Throws: `HarnessError` naming the file and line for a damaged line or an unsupported schema version.
    /// Complexity: O(file size).
    public func load() throws -> [HistoryEntry] {
        try Self.decode(readExisting(), file: fileURL.path)
    }

    /// Decodes the lines of a store. Blank lines are allowed; a last line without its newline is damaged
    /// (a store written by this type always ends each line), as is any line that is not a valid entry.
    static func decode(_ data: Data, file: String) throws -> [HistoryEntry] {
        var entries: [HistoryEntry] = []
        var lineNumber = 0
        var start = data.startIndex
        while start < data.endIndex {
            lineNumber += 1
            let newline = data[start...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline ?? data.endIndex
            let bytes = data[start..<end]
            start = newline.map { data.index(after: $0) } ?? data.endIndex
            if bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) {
                continue
            }
            if newline == nil {
                throw HarnessError(
                    code: .damagedLine, message: "the last line is incomplete (no newline): a torn or truncated write",
                    file: file, line: lineNumber)
            }
            // Each line is read like a file by the one strict reader: schema first, then every field known and
            // of the right type. The error's field is the line; the message starts with the JSON path in it.
            do throws(HarnessError) {
                entries.append(try JSONFileReader.decode(
                    HistoryEntry.self, from: Data(bytes), path: file, kind: "history entry",
                    schemaVersion: HistoryEntry.currentSchemaVersion, code: .damagedLine))
            } catch {
                let isVersion = error.field == "schemaVersion" && error.message.hasPrefix("unsupported schema version")
                let detail = [error.field, error.message].compactMap { $0 }.joined(separator: ": ")
                throw HarnessError(
                    code: isVersion ? .unsupportedSchemaVersion : .damagedLine,
                    message: isVersion ? detail : "not a valid history entry: \(detail)", file: file, line: lineNumber)
            }
        }
        return entries
    }

    private func readExisting() throws -> Data {
        do {
            return try Data(contentsOf: fileURL)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return Data()
        } catch {
            if !FileManager.default.fileExists(atPath: fileURL.path) { return Data() }
            throw HarnessError(code: .io, message: "cannot read: \(error)", file: fileURL.path)
        }
    }

    /// Runs `body` holding an exclusive `flock` on the sidecar lock file. The lock file is never renamed,
    /// so every writer locks the same inode (locking the store itself would not work: rename replaces it).
    private func withExclusiveLock<T>(_ body: () throws -> T) throws -> T {
        let lockPath = fileURL.deletingLastPathComponent()
            .appendingPathComponent(".\(fileURL.lastPathComponent).lock").path
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw HarnessError(code: .io, message: "cannot open the lock file: errno \(errno)", file: lockPath)
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw HarnessError(code: .io, message: "cannot lock: errno \(errno)", file: lockPath)
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}

extension HistoryStore {
    /// The folder history stores live in by default, relative to the package root: `reports/history`.
    public static let defaultDirectory = URL(fileURLWithPath: HarnessLayout.defaultReports)
        .appendingPathComponent(HarnessLayout.historyFolder)

    /// Appends `results` to its environment's store in `directory`, with the commit's date read from git in
    /// `repository`: the one call a gate or nightly run makes. Returns the entry, the store's file, and whether the
    /// run was new to it (a run already there is not appended again).
    ///
    /// - Throws: `HarnessError` (see `append(_:)`); nothing is written when the store is damaged.
    /// Complexity: O(store size) plus one `git show`.
    @discardableResult
    public static func record(
        _ results: ResultsFile, in directory: URL = HistoryStore.defaultDirectory,
        repository: URL = URL(fileURLWithPath: ".")
    ) throws -> (entry: HistoryEntry, file: URL, isNew: Bool) {
        let store = HistoryStore(directory: directory, environment: results.environment)
        let entry = HistoryEntry(
            results: results, commitDate: GitCommitInfo.commitDate(results.environment.commit, repository: repository),
            runDate: nil)
        return (entry, store.fileURL, try store.append(entry))
    }
}
