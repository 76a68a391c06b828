#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error reading bytes from a file or standard input: which source, and what the system said.
public struct ByteSourceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, extensible classification.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: Hashable, Sendable {
            case openFailed
            case readFailed
        }

        let base: Base

        /// The file could not be opened.
        public static let openFailed = Code(base: .openFailed)
        /// A read failed.
        public static let readFailed = Code(base: .readFailed)

        /// `open failed` or `read failed`.
        public var description: String { base == .openFailed ? "open failed" : "read failed" }
    }

    /// What went wrong.
    public var code: Code
    /// The path (or `<stdin>`).
    public var path: String
    /// The system error number.
    public var errno: Int32
    /// The byte offset reached when it happened.
    public var offset: Int

    /// Creates an error.
    public init(code: Code, path: String, errno: Int32, offset: Int) {
        self.code = code
        self.path = path
        self.errno = errno
        self.offset = offset
    }

    /// `<code> for <path> at byte <offset>: <strerror(errno)>`.
    public var description: String {
        "\(code) for \(path) at byte \(offset): \(String(cString: strerror(errno)))"
    }
}

/// A source of byte chunks read from a file descriptor (a file or standard input), one chunk per read.
///
/// The chunk buffer is reused: once the engine has processed a batch and let go of it, the next read fills the
/// same storage, so steady-state reading allocates nothing under the `SyncEngine` (under the `ConcurrentEngine` a
/// chunk still held downstream is copied on write). The file is opened on the first read and closed at the end.
public struct FileByteSource: PipelineSource {
    /// One chunk of at most `chunkSize` bytes.
    public typealias Element = [UInt8]

    private enum Origin: Sendable {
        case path(String)
        case standardInput
    }

    private var origin: Origin
    /// Bytes per chunk.
    public let chunkSize: Int
    private var descriptor: Int32 = -1
    /// Closes the opened file when the run lets go of its source before the end (a stage or the sink threw,
    /// a cursor was dropped): a long-lived process must not leak a descriptor per failed run.
    private var closer: DescriptorCloser?
    private var chunk: [UInt8] = []
    private var offset = 0
    private var isFinished = false

    /// Reads the file at `path` in chunks of `chunkSize` bytes.
    /// - Precondition: `chunkSize > 0`.
    public init(path: String, chunkSize: Int = 64 << 10) {
        precondition(chunkSize > 0, "chunkSize must be positive")
        origin = .path(path)
        self.chunkSize = chunkSize
    }

    /// Reads standard input in chunks of `chunkSize` bytes.
    public static func standardInput(chunkSize: Int = 64 << 10) -> FileByteSource {
        var source = FileByteSource(path: "<stdin>", chunkSize: chunkSize)
        source.origin = .standardInput
        return source
    }

    private var name: String {
        switch origin {
        case .path(let path): path
        case .standardInput: "<stdin>"
        }
    }

    /// Appends one chunk (at most `chunkSize` bytes) whatever `maxCount` is, which bounds a batch's memory.
    /// Blocks the calling thread in `read(2)` until bytes or the end arrive (stdin and pipes wait for their
    /// writer); it reads only when the engine asks, so a slow pipeline leaves the rest unread (backpressure). A
    /// blocked read is not interrupted by cancellation: it ends when bytes arrive or the writer closes the input.
    /// - Throws: `ByteSourceError` when the file cannot be opened or read.
    public mutating func read(into buffer: inout [[UInt8]], maxCount: Int) throws -> Bool {
        guard !isFinished else { return false }
        if descriptor < 0 { try open() }
        if chunk.count != chunkSize {
            chunk.removeAll(keepingCapacity: true)
            chunk.append(contentsOf: repeatElement(0, count: chunkSize))
        }
        let count = chunk.withUnsafeMutableBytes { bytes in
            var result: Int
            repeat {
                result = systemRead(descriptor, bytes.baseAddress, chunkSize)
            } while result < 0 && errno == EINTR
            return result
        }
        guard count >= 0 else {
            let failure = ByteSourceError(code: .readFailed, path: name, errno: errno, offset: offset)
            close()
            throw failure
        }
        guard count > 0 else {
            close()
            return false
        }
        offset += count
        chunk.removeLast(chunkSize - count)
        buffer.append(chunk)
        return true
    }

    private mutating func open() throws {
        switch origin {
        case .standardInput:
            descriptor = 0
        case .path(let path):
            descriptor = systemOpen(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                isFinished = true
                throw ByteSourceError(code: .openFailed, path: path, errno: errno, offset: 0)
            }
            closer = DescriptorCloser(descriptor)
        }
    }

    private mutating func close() {
        closer?.close()
        closer = nil
        descriptor = -1
        isFinished = true
    }
}

/// Owns an opened file descriptor: closes it once, at `close()` or when the last copy of its source goes.
final class DescriptorCloser: @unchecked Sendable {
    // `@unchecked Sendable`: confinement; the source that holds it is read from one thread or task at a time.
    private var descriptor: Int32

    init(_ descriptor: Int32) { self.descriptor = descriptor }

    func close() {
        guard descriptor >= 0 else { return }
        _ = systemClose(descriptor)
        descriptor = -1
    }

    deinit { close() }
}

/// A source of byte chunks cut from bytes already in memory.
public struct BufferByteSource: PipelineSource {
    /// One chunk of `chunkSize` bytes (the last may be shorter).
    public typealias Element = [UInt8]
    private let bytes: [UInt8]
    /// Bytes per chunk.
    public let chunkSize: Int
    private var position = 0

    /// Hands out `bytes` in chunks of `chunkSize` bytes (the last may be shorter).
    /// - Precondition: `chunkSize > 0`.
    public init(_ bytes: [UInt8], chunkSize: Int = 64 << 10) {
        precondition(chunkSize > 0, "chunkSize must be positive")
        self.bytes = bytes
        self.chunkSize = chunkSize
    }

    /// Appends up to `maxCount` chunks. O(bytes copied).
    public mutating func read(into buffer: inout [[UInt8]], maxCount: Int) throws -> Bool {
        for _ in 0..<maxCount where position < bytes.count {
            let end = min(position + chunkSize, bytes.count)
            buffer.append(Array(bytes[position..<end]))
            position = end
        }
        return position < bytes.count
    }
}

// The C calls under names that do not clash with the source's own `read` and `close`.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func systemOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }

private func systemClose(_ descriptor: Int32) -> Int32 { close(descriptor) }
