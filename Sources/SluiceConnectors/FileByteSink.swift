#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A byte sink writing to a file descriptor (a file, or standard output) in large writes.
///
/// Bytes are gathered in a 256 KiB buffer and written when it fills, on `flush` and on `close`. Used from one
/// thread at a time (the pipeline's sink); the buffer sits behind a `Mutex` only to make the class `Sendable`.
public final class FileByteSink: ByteSink {
    private struct State {
        var buffer: [UInt8] = []
        var isClosed = false
    }
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    /// The path, or `<stdout>`.
    public let name: String
    private let state = Mutex(State())
    private static let limit = 256 << 10

    /// Opens `path` for writing: created if missing, truncated unless `append`.
    /// - Throws: `ConnectorError.ioFailed` naming the path and the system's reason.
    public init(path: String, append: Bool) throws(ConnectorError) {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        let opened = open(path, flags, 0o644)
        guard opened >= 0 else {
            throw ConnectorError(code: .ioFailed, message: "cannot open \(path) for writing", field: "uri",
                cause: String(cString: strerror(errno)))
        }
        descriptor = opened
        ownsDescriptor = true
        name = path
    }

    /// Writes to an already open descriptor, which it does not close.
    public init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        ownsDescriptor = false
        self.name = name
    }

    /// Appends to the buffer; once it holds 256 KiB or more, writes it out, blocking until the descriptor took it.
    /// - Throws: `ConnectorError.ioFailed` when the write fails, or when the sink was closed (its descriptor
    ///   may since belong to another file).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try state.withLock { state in
            try checkOpen(state)
            state.buffer.append(contentsOf: bytes)
            if state.buffer.count >= Self.limit { try drain(&state.buffer) }
        }
    }

    /// Writes everything buffered to the descriptor, blocking until the system took it (no `fsync`: see
    /// `synchronize()`).
    public func flush() throws {
        try state.withLock { state in
            try checkOpen(state)
            try drain(&state.buffer)
        }
    }

    /// Flushes, then asks the system to put the file's bytes on disk (`fsync`); a pipe or terminal has nothing
    /// to synchronize. Blocks until the system is done.
    public func synchronize() throws {
        try state.withLock { state in
            try checkOpen(state)
            try drain(&state.buffer)
            if fsync(descriptor) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP {
                throw ConnectorError(code: .ioFailed, message: "cannot fsync \(name)", field: "uri",
                    cause: String(cString: strerror(errno)))
            }
        }
    }

    /// Flushes, then closes the descriptor if the sink opened it (not one passed to `init(descriptor:name:)`);
    /// calling it again does nothing.
    public func close() throws {
        try state.withLock { state in
            guard !state.isClosed else { return }
            state.isClosed = true
            try drain(&state.buffer)
            if ownsDescriptor { _ = systemClose(descriptor) }
        }
    }

    /// Refuses to write after `close`: the descriptor is closed, and its number may have been reused.
    private func checkOpen(_ state: State) throws {
        guard state.isClosed else { return }
        throw ConnectorError(code: .ioFailed, message: "cannot write to \(name): the sink is closed", field: "uri")
    }

    private func drain(_ buffer: inout [UInt8]) throws {
        var written = 0
        while written < buffer.count {
            // `written < buffer.count`, so the buffer is not empty and has a base address.
            let result = buffer.withUnsafeBytes { raw in
                systemWrite(descriptor, raw.baseAddress! + written, raw.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw ConnectorError(code: .ioFailed, message: "cannot write to \(name)", field: "uri",
                    cause: String(cString: strerror(errno)))
            }
            written += result
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

// The C calls under names that do not clash with the sink's own `write` and `close`.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

private func systemClose(_ descriptor: Int32) -> Int32 { close(descriptor) }
