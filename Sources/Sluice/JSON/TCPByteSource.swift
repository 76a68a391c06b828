#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A network source: byte chunks read from a TCP connection to an IPv4 address.
///
/// Connects on the first read. `read` waits (blocking its thread, with `poll`) at most `tickInterval` for data:
/// when none came it appends one empty chunk, a tick that lets the framing stage's timeout guard see time pass,
/// and returns. Its `framingIdleTimeout` is `FramingIdleTimeout.networkDefault`, so a framing stage right after it
/// has the guard on unless the pipeline names another. The end of the stream (the peer closed) ends the source.
/// Errors name the address and the stream offset.
public struct TCPByteSource: PipelineSource {
    /// One chunk of at most `chunkSize` bytes; an empty chunk is a tick.
    public typealias Element = [UInt8]

    /// Dotted IPv4 address.
    public let host: String
    /// TCP port.
    public let port: UInt16
    /// Bytes per chunk.
    public let chunkSize: Int
    /// Longest wait for data before a tick, in milliseconds.
    public let tickMilliseconds: Int32
    private var descriptor: Int32 = -1
    /// Closes the socket when a run lets go of the source before the end (a stage or the sink threw).
    private var closer: DescriptorCloser?
    private var offset = 0
    private var isFinished = false

    /// Reads from `host:port`; idle waits are cut into ticks of `tickInterval`.
    /// - Precondition: `chunkSize > 0`, `tickInterval` at least 1 ms.
    public init(host: String, port: UInt16, chunkSize: Int = 64 << 10, tickInterval: Duration = .milliseconds(250)) {
        precondition(chunkSize > 0, "chunkSize must be positive")
        let milliseconds = tickInterval.components.seconds * 1000 + tickInterval.components.attoseconds / 1_000_000_000_000_000
        precondition(milliseconds >= 1 && milliseconds <= Int64(Int32.max), "tickInterval must be at least 1 ms")
        self.host = host
        self.port = port
        self.chunkSize = chunkSize
        tickMilliseconds = Int32(milliseconds)
    }

    /// The guard on: a peer can stop mid-document.
    public var framingIdleTimeout: FramingIdleTimeout? { .networkDefault }

    private var name: String { "tcp://\(host):\(port)" }

    /// Appends one chunk (or one empty tick chunk after `tickInterval` without data). Returns false at the end.
    public mutating func read(into buffer: inout [[UInt8]], maxCount: Int) throws -> Bool {
        guard !isFinished else { return false }
        if descriptor < 0 { try connect() }
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        var ready: Int32
        repeat { ready = poll(&request, 1, tickMilliseconds) } while ready < 0 && errno == EINTR
        guard ready >= 0 else { throw failure(.readFailed) }
        guard ready > 0 else {
            buffer.append([])
            return true
        }
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var count: Int
        repeat {
            count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        } while count < 0 && errno == EINTR
        guard count >= 0 else { throw failure(.readFailed) }
        guard count > 0 else {
            finish()
            return false
        }
        offset += count
        chunk.removeLast(chunkSize - count)
        buffer.append(chunk)
        return true
    }

    private mutating func connect() throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            isFinished = true
            throw ByteSourceError(code: .openFailed, path: name, errno: EINVAL, offset: 0)
        }
        #if canImport(Glibc)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw failure(.openFailed) }
        closer = DescriptorCloser(descriptor)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                socketConnect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw failure(.openFailed) }
    }

    private mutating func failure(_ code: ByteSourceError.Code) -> ByteSourceError {
        let error = ByteSourceError(code: code, path: name, errno: errno, offset: offset)
        finish()
        return error
    }

    private mutating func finish() {
        closer?.close()
        closer = nil
        descriptor = -1
        isFinished = true
    }
}

// The C calls under names that do not clash with the source's own members.
private func socketConnect(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(descriptor, address, length)
}

