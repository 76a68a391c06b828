/// A source that numbers its records and can go back to an earlier position: what replay needs.
///
/// Used from one thread (the pipeline driver's).
public protocol ReplayableSource: AnyObject {
    /// The source's name, unique within a pipeline (no spaces: it is written to the replay journal).
    var name: String { get }
    /// The position of the next record `next()` returns.
    var position: SourcePosition { get }
    /// The next record, or nil at the end of the input. Does not block on a file source.
    func next() throws -> SourceRecord?
    /// Moves to `position` (taken from this source earlier, or from a checkpoint).
    func seek(to position: SourcePosition) throws
}

/// One record read from a source.
public struct SourceRecord: Sendable {
    /// The record's sequence number within its source (0, 1, 2, ...).
    public var sequence: UInt64
    /// The record's bytes (a slice of the source's buffer, not a copy).
    public var bytes: ArraySlice<UInt8>

    /// Creates a record.
    public init(sequence: UInt64, bytes: ArraySlice<UInt8>) {
        self.sequence = sequence
        self.bytes = bytes
    }
}

/// An NDJSON file read whole into memory, one record per non-empty line, numbered from 0.
///
/// Memory is O(file size); fine for tests, the crash worker and benchmark inputs.
public final class NDJSONFileSource: ReplayableSource {
    /// The source's name (default `file`, or `memory` for in-memory bytes); its positions carry it.
    public let name: String
    private let bytes: [UInt8]
    private var offset = 0
    private var sequence: UInt64 = 0

    /// Reads the file at `path`; throws a `StateError` naming it when it cannot be read.
    public convenience init(path: String, name: String = "file", fileSystem: any FileSystem = PosixFileSystem()) throws {
        self.init(bytes: try fileSystem.readFile(at: path), name: name)
    }

    /// Serves `bytes` as NDJSON.
    public init(bytes: [UInt8], name: String = "memory") {
        self.bytes = bytes
        self.name = name
    }

    /// The byte offset and sequence number of the next record, under this source's name.
    public var position: SourcePosition {
        SourcePosition(source: name, nextSequence: sequence, byteOffset: UInt64(offset))
    }

    /// The next non-empty line (without its newline), numbered in order; nil at the end. Never blocks: the
    /// input is in memory.
    public func next() -> SourceRecord? {
        while offset < bytes.count {
            let end = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let line = bytes[offset..<end]
            offset = min(end + 1, bytes.count)
            if line.isEmpty { continue }
            defer { sequence += 1 }
            return SourceRecord(sequence: sequence, bytes: line)
        }
        return nil
    }

    /// Moves to the position's byte offset and sequence number; throws `corruptSnapshot` when the offset is
    /// past the end. The position's source name is not checked.
    public func seek(to position: SourcePosition) throws {
        guard position.byteOffset <= UInt64(bytes.count) else {
            throw StateError(
                code: .corruptSnapshot,
                message: "checkpoint position \(position) is past the end of the input (\(bytes.count) bytes)")
        }
        offset = Int(position.byteOffset)
        sequence = position.nextSequence
    }
}
