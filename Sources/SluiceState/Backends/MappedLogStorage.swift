#if canImport(Glibc)
import Glibc
#endif

/// One `mmap` of a whole scratch file, unmapped when the storage and every snapshot reader let go.
// @unchecked Sendable: the mapped bytes a reader may see (below the length captured with it) are never
// written again; appends only touch bytes past every captured length.
final class MappedRegion: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    /// Keeps the file open as long as the mapping, for symmetry with the positional tier.
    let file: FileDescriptorBox

    init(file: FileDescriptorBox, capacity: Int) throws {
        let address = mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, file.descriptor, 0)
        guard let address, address != MAP_FAILED else {
            throw StateError.system("mmap state file", path: nil, errno: errno)
        }
        base = address
        self.capacity = capacity
        self.file = file
    }

    deinit { munmap(base, capacity) }
}

/// An append log in a memory-mapped file that grows by doubling: reserve the blocks with
/// `posix_fallocate` (so a full disk is an error now, never a `SIGBUS` later), then map the larger file.
/// Readers made earlier keep the old mapping, which stays valid.
final class MappedLogStorage: LogStorage {
    private let file: FileDescriptorBox
    private var region: MappedRegion
    private(set) var length = 0

    init(directory: String, initialCapacity: Int = 1 << 16) throws {
        precondition(initialCapacity > 0, "initial capacity must be positive")
        file = FileDescriptorBox(try makeScratchFile(in: directory))
        try Self.reserve(file, bytes: initialCapacity)
        region = try MappedRegion(file: file, capacity: initialCapacity)
    }

    var storageBytes: Int { region.capacity }

    private static func reserve(_ file: FileDescriptorBox, bytes: Int) throws {
        let result = posix_fallocate(file.descriptor, 0, off_t(bytes))
        if result != 0 { throw StateError.system("reserve state file space", path: nil, errno: result) }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        if length + bytes.count > region.capacity {
            var capacity = region.capacity
            while capacity < length + bytes.count { capacity *= 2 }
            try Self.reserve(file, bytes: capacity)
            region = try MappedRegion(file: file, capacity: capacity)
        }
        let start = length
        if let source = bytes.baseAddress { (region.base + start).copyMemory(from: source, byteCount: bytes.count) }
        length += bytes.count
        return start
    }

    func makeReader() -> any LogReader { MappedLogReader(region: region, length: length) }
}

struct MappedLogReader: LogReader {
    let region: MappedRegion
    let length: Int

    func copyBytes(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset + count <= length else {
            throw StateError(code: .ioFailure, message: "read past the mapped state (offset \(offset))")
        }
        return [UInt8](UnsafeRawBufferPointer(start: region.base + offset, count: count))
    }
}
