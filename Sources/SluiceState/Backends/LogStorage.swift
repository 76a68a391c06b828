#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where an append log keeps its bytes: a memory-mapped file or a plain file read with `pread`.
///
/// Log files are scratch space: they are created in a folder, unlinked at once (so a crash leaves nothing
/// behind), and live as long as the storage or a snapshot reader holds them. Durability comes from
/// checkpoints, not from these files.
protocol LogStorage: AnyObject {
    /// Bytes appended so far.
    var length: Int { get }
    /// Bytes the storage holds on its device (capacity for a mapping).
    var storageBytes: Int { get }
    /// Appends `bytes`; returns the offset of the first one. Amortized O(bytes).
    func append(_ bytes: UnsafeRawBufferPointer) throws -> Int
    /// An immutable reader of the bytes appended so far; it keeps the file alive.
    func makeReader() -> any LogReader
}

/// Reads bytes appended before it was made; safe from any thread.
protocol LogReader: Sendable {
    /// Copies `count` bytes starting at `offset`.
    func copyBytes(at offset: Int, count: Int) throws -> [UInt8]
}

/// Record layout: `[u32 key length][u32 value length][key][value]`, little-endian.
let logRecordHeaderSize = 8

extension LogReader {
    /// Decodes the value of the record at `offset`.
    func decodeValue<Value: StateCodable>(_ type: Value.Type, recordAt offset: Int) throws -> Value {
        let header = try copyBytes(at: offset, count: logRecordHeaderSize)
        var headerReader = BinaryReader(header)
        let keyLength = Int(try headerReader.readUInt32())
        let valueLength = Int(try headerReader.readUInt32())
        let raw = try copyBytes(at: offset + logRecordHeaderSize + keyLength, count: valueLength)
        var reader = BinaryReader(raw)
        return try Value(decoding: &reader)
    }

    /// The whole record at `offset` (header, key and value), for compaction and spilling.
    func copyRecord(at offset: Int) throws -> [UInt8] {
        let header = try copyBytes(at: offset, count: logRecordHeaderSize)
        var headerReader = BinaryReader(header)
        let keyLength = Int(try headerReader.readUInt32())
        let valueLength = Int(try headerReader.readUInt32())
        return try copyBytes(at: offset, count: logRecordHeaderSize + keyLength + valueLength)
    }
}

private let scratchCounter = Atomic<Int>(0)

/// Creates a new file in `directory`, opens it read-write, and unlinks it so it vanishes with its last user.
func makeScratchFile(in directory: String) throws -> Int32 {
    let number = scratchCounter.add(1, ordering: .relaxed).newValue
    let path = joinPath(directory, "sluice-state-\(getpid())-\(number).log")
    let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    if descriptor < 0 { throw StateError.system("create state file", path: path, errno: errno) }
    unlink(path)
    return descriptor
}

/// An owned file descriptor, closed when the last holder (storage or snapshot reader) lets go.
final class FileDescriptorBox: Sendable {
    let descriptor: Int32
    init(_ descriptor: Int32) { self.descriptor = descriptor }
    deinit { _ = close(descriptor) }
}

/// Appends with `pwrite` and reads with `pread`: the disk tier.
final class PositionalLogStorage: LogStorage {
    private let file: FileDescriptorBox
    private(set) var length = 0

    init(directory: String) throws { file = FileDescriptorBox(try makeScratchFile(in: directory)) }

    var storageBytes: Int { length }

    func append(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        let start = length
        var done = 0
        while done < bytes.count {
            // bytes.count > 0 here, so baseAddress is non-nil.
            let count = pwrite(file.descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(start + done))
            if count < 0 {
                if errno == EINTR { continue }
                throw StateError.system("pwrite state file", path: nil, errno: errno)
            }
            done += count
        }
        length += bytes.count
        return start
    }

    func makeReader() -> any LogReader { PositionalLogReader(file: file) }
}

struct PositionalLogReader: LogReader {
    let file: FileDescriptorBox

    func copyBytes(at offset: Int, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        try bytes.withUnsafeMutableBytes { raw in
            while done < count {
                // count > done >= 0 here, so baseAddress is non-nil.
                let got = pread(file.descriptor, raw.baseAddress! + done, count - done, off_t(offset + done))
                if got < 0 {
                    if errno == EINTR { continue }
                    throw StateError.system("pread state file", path: nil, errno: errno)
                }
                if got == 0 {
                    throw StateError(code: .ioFailure, message: "state file shorter than its index (offset \(offset))")
                }
                done += got
            }
        }
        return bytes
    }
}
