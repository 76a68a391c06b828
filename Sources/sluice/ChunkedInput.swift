#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file (or standard input, for `-`) read in fixed-size chunks into one reused buffer.
struct ChunkedInput: ~Copyable {
    /// What the user called the input: its path, or `-`.
    let name: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool

    /// Opens `path`; `-` is standard input.
    init(path: String) throws(InputError) {
        name = path
        if path == "-" {
            descriptor = STDIN_FILENO
            ownsDescriptor = false
        } else {
            let opened = open(path, O_RDONLY)
            guard opened >= 0 else { throw InputError(name: path, errno: errno) }
            descriptor = opened
            ownsDescriptor = true
        }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// Calls `body` with each chunk of at most `chunkSize` bytes, in order, until the end of the input.
    /// The chunk is valid only during the call. Read errors are `InputError`s; `body`'s errors propagate.
    func forEachChunk(size chunkSize: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError(name: name, errno: errno)
            }
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}

/// An input that could not be opened or read.
struct InputError: Error, CustomStringConvertible {
    var name: String
    var reason: String

    init(name: String, errno code: Int32) {
        self.name = name
        self.reason = String(cString: strerror(code))
    }

    var description: String { "cannot read \(name == "-" ? "standard input" : name): \(reason)" }
}
