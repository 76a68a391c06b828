import NIOCore
import NIOPosix
import Sluice

/// `tcp://HOST:PORT` on swift-nio: as a source, reads one connection's bytes until the peer closes it; as a
/// sink, writes the output to one connection.
///
/// `mode=connect` (the default) connects to HOST:PORT; `mode=listen` binds HOST:PORT and serves the first client
/// that connects (later clients are refused), then stops listening when that connection ends.
public enum TCPConnector {
    /// The connector, registered in `ConnectorRegistry.standard`.
    public static let connector = Connector(
        scheme: "tcp", summary: "one TCP connection, connecting or listening (swift-nio)",
        forms: ["tcp://HOST:PORT", "tcp://HOST:PORT?mode=listen"],
        options: [
            ConnectorOption("mode", .choice(["connect", "listen"]), default: "connect",
                "connect to HOST:PORT, or listen there and serve the first client"),
            ConnectorOption("idle-timeout", .integer(0...86_400_000), default: "30000",
                "source: milliseconds a document may stay incomplete with no bytes arriving before it is "
                    + "dead-lettered and framing restarts (0: wait forever)"),
        ],
        openSource: { endpoint in try ConnectorSource(openSource(endpoint)) },
        openSink: { endpoint in try openSink(endpoint) },
        checkTarget: { endpoint, _ throws(ConnectorError) in _ = try hostAndPort(endpoint) })

    /// Splits the target into host and port.
    /// - Throws: `ConnectorError.invalidURI` unless the target is HOST:PORT with a port in 0...65535.
    static func hostAndPort(_ endpoint: ConnectorEndpoint) throws(ConnectorError) -> (host: String, port: Int) {
        let target = endpoint.target.hasSuffix("/") ? String(endpoint.target.dropLast()) : endpoint.target
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]),
            (0...65_535).contains(port), colon != target.startIndex
        else {
            throw ConnectorError(code: .invalidURI, message: "'\(endpoint.uri)' has no HOST:PORT", field: "uri",
                expected: "tcp://HOST:PORT with a port in 0...65535, e.g. tcp://127.0.0.1:9000")
        }
        var host = String(target[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    /// The source's timeout guard from the `idle-timeout` option (nil when 0).
    static func idleTimeout(_ endpoint: ConnectorEndpoint) -> FramingIdleTimeout? {
        let milliseconds = endpoint[option: "idle-timeout"].flatMap { Int($0) } ?? 30_000
        return milliseconds > 0 ? FramingIdleTimeout(limit: .milliseconds(milliseconds)) : nil
    }

    static func openSource(_ endpoint: ConnectorEndpoint) throws -> TCPByteSource {
        let (host, port) = try hostAndPort(endpoint)
        let idleTimeout = idleTimeout(endpoint)
        let group = MultiThreadedEventLoopGroup.singleton
        let queue = TCPInboundQueue(eventLoop: group.next(), peer: endpoint.uri)
        do {
            if endpoint[option: "mode"] == "listen" {
                let server = try ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelOption(.autoRead, value: false)
                    .childChannelInitializer { channel in
                        guard queue.claim(channel) else { return channel.close() }
                        return channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(TCPInboundHandler(queue: queue))
                        }
                    }
                    .bind(host: host, port: port).wait()
                return TCPByteSource(queue: queue, server: server, idleTimeout: idleTimeout)
            }
            let channel = try ClientBootstrap(group: group)
                .channelOption(.autoRead, value: false)
                .channelInitializer { channel in
                    _ = queue.claim(channel)
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(TCPInboundHandler(queue: queue))
                    }
                }
                .connect(host: host, port: port).wait()
            return TCPByteSource(queue: queue, server: nil, client: channel, idleTimeout: idleTimeout)
        } catch {
            throw ConnectorError(code: .ioFailed, message: "cannot open \(endpoint.uri)", field: "uri",
                cause: "\(error)")
        }
    }

    static func openSink(_ endpoint: ConnectorEndpoint) throws -> TCPByteSink {
        let (host, port) = try hostAndPort(endpoint)
        let group = MultiThreadedEventLoopGroup.singleton
        do {
            if endpoint[option: "mode"] == "listen" {
                let accepted = group.next().makePromise(of: (any Channel).self)
                let server = try ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        accepted.succeed(channel)
                        return channel.eventLoop.makeSucceededVoidFuture()
                    }
                    .bind(host: host, port: port).wait()
                return TCPByteSink(name: endpoint.uri, pending: accepted.futureResult, server: server, accepted: accepted)
            }
            let channel = try ClientBootstrap(group: group).connect(host: host, port: port).wait()
            return TCPByteSink(name: endpoint.uri, pending: channel.eventLoop.makeSucceededFuture(channel), server: nil)
        } catch {
            throw ConnectorError(code: .ioFailed, message: "cannot open \(endpoint.uri)", field: "uri",
                cause: "\(error)")
        }
    }
}

/// The byte chunks of one TCP connection, as a pipeline source.
///
/// `read` blocks the calling thread until bytes arrive or the peer closes the connection; `readAsync` suspends
/// instead. With an idle timeout (the `idle-timeout` option, 30 s by default), a wait without bytes is cut into
/// ticks (a quarter of the limit, at most 250 ms): the read returns one empty chunk, so the framing stage's
/// guard sees time pass and a peer that stops inside a document cannot stall the pipeline forever. Cancelling
/// the task suspended in `readAsync` does not interrupt the wait; the next tick returns (without a timeout the
/// source ends only when the peer closes or the connection fails).
public struct TCPByteSource: PipelineSource {
    /// A chunk of bytes as the socket delivered it, or an empty tick chunk.
    public typealias Element = [UInt8]
    let queue: TCPInboundQueue
    let server: (any Channel)?
    var client: (any Channel)?
    /// The guard for the framing stage after this source; nil: no guard, and no ticks.
    public let framingIdleTimeout: FramingIdleTimeout?
    /// How long a read waits for bytes before it returns a tick.
    let tickInterval: TimeAmount
    /// Closes the listening socket and the connection when the last copy of the source goes, so a run that
    /// ended before the peer did (a stage or the sink threw) frees its port and socket.
    private let closer: TCPSourceCloser

    init(queue: TCPInboundQueue, server: (any Channel)?, client: (any Channel)? = nil, idleTimeout: FramingIdleTimeout? = nil) {
        self.queue = queue
        self.server = server
        self.client = client
        framingIdleTimeout = idleTimeout
        tickInterval = Self.tickInterval(for: idleTimeout)
        closer = TCPSourceCloser(queue: queue, server: server, client: client)
    }

    /// A quarter of the limit, between 1 ms and 250 ms.
    static func tickInterval(for idleTimeout: FramingIdleTimeout?) -> TimeAmount {
        guard let idleTimeout else { return .zero }
        let quarter = Int64(clamping: idleTimeout.limitNanoseconds / 4)
        return .nanoseconds(min(max(quarter, 1_000_000), 250_000_000))
    }

    /// Takes every chunk queued (not limited by `maxCount`), blocking the thread until there are bytes, the peer
    /// closes (false) or the connection fails (throws), or, with an idle timeout, a tick is due (one empty
    /// chunk). Draining the queue resumes a paused socket (backpressure); nothing else ends the wait.
    public mutating func read(into buffer: inout [[UInt8]], maxCount: Int) throws -> Bool {
        while true {
            switch try take(into: &buffer) {
            case .done(let hasMore): return hasMore
            case .wait(let future):
                if framingIdleTimeout == nil {
                    try future.wait()
                } else if try !Self.dataOrTick(future, after: tickInterval).wait() {
                    buffer.append([])
                    return true
                }
            }
        }
    }

    /// Like `read`, suspending (instead of blocking a thread) until bytes arrive, the connection ends, or, with an
    /// idle timeout, a tick is due (then it appends one empty chunk). Bytes are read from the socket only as the
    /// engine asks for them, so a slow pipeline slows the sender (TCP backpressure). Cancellation does not
    /// interrupt the wait; the run stops at its next suspension point after it.
    public mutating func readAsync(into buffer: inout [[UInt8]], maxCount: Int) async throws -> Bool {
        while true {
            switch try take(into: &buffer) {
            case .done(let hasMore): return hasMore
            case .wait(let future):
                if framingIdleTimeout == nil {
                    try await future.get()
                } else if try await !Self.dataOrTick(future, after: tickInterval).get() {
                    buffer.append([])
                    return true
                }
            }
        }
    }

    /// Completes with true when `future` does (or fails with its error), or with false (a tick) when `interval`
    /// passes first, on `future`'s event loop. Whichever comes second is ignored.
    static func dataOrTick(_ future: EventLoopFuture<Void>, after interval: TimeAmount) -> EventLoopFuture<Bool> {
        let loop = future.eventLoop
        let promise = loop.makePromise(of: Bool.self)
        let tick = loop.scheduleTask(in: interval) { promise.succeed(false) }
        future.whenComplete { result in
            tick.cancel()
            // A promise completed twice keeps its first value.
            promise.completeWith(result.map { true })
        }
        return promise.futureResult
    }

    /// What a read does next: return (whether more may follow), or wait for `future`.
    private enum ReadStep {
        case done(Bool)
        case wait(EventLoopFuture<Void>)
    }

    /// Takes what the queue holds; the part of `read` and `readAsync` that does not depend on how they wait.
    private func take(into buffer: inout [[UInt8]]) throws -> ReadStep {
        switch queue.take() {
        case .chunks(let chunks):
            buffer.append(contentsOf: chunks)
            return .done(true)
        case .end:
            closeServer()
            return .done(false)
        case .failed(let error):
            closeServer()
            throw error
        case .wait(let future):
            return .wait(future)
        }
    }

    private func closeServer() {
        server?.close(promise: nil)
    }
}

/// Closes a TCP source's sockets when its last copy goes (closing an already closed channel does nothing).
final class TCPSourceCloser: Sendable {
    private let queue: TCPInboundQueue
    private let server: (any Channel)?
    private let client: (any Channel)?

    init(queue: TCPInboundQueue, server: (any Channel)?, client: (any Channel)?) {
        self.queue = queue
        self.server = server
        self.client = client
    }

    deinit {
        server?.close(promise: nil)
        (client ?? queue.claimedChannel)?.close(promise: nil)
    }
}

/// Output bytes written to one TCP connection. `flush` waits until the bytes are written to the socket
/// (backpressure: a slow peer slows the pipeline), blocking the calling thread.
public final class TCPByteSink: ByteSink {
    private let name: String
    private let pending: EventLoopFuture<any Channel>
    private let server: (any Channel)?
    /// Listen mode: the promise of the first peer, failed at `close` when none came.
    private let accepted: EventLoopPromise<any Channel>?
    private let buffer = BufferBox()

    init(name: String, pending: EventLoopFuture<any Channel>, server: (any Channel)?,
         accepted: EventLoopPromise<any Channel>? = nil) {
        self.name = name
        self.pending = pending
        self.server = server
        self.accepted = accepted
    }

    /// Appends to the buffer; once it holds 256 KiB or more, flushes (blocking until the socket took the bytes).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.append(bytes) >= 256 << 10 { try flush() }
    }

    /// Writes everything buffered to the connection, blocking the thread until the socket took it (in listen mode
    /// first until a peer connects): a slow peer slows the pipeline. Task cancellation does not interrupt it.
    public func flush() throws {
        let bytes = buffer.take()
        guard !bytes.isEmpty else { return }
        do {
            let channel = try pending.wait()
            try channel.writeAndFlush(ByteBuffer(bytes: bytes)).wait()
        } catch {
            throw ConnectorError(code: .ioFailed, message: "cannot write to \(name)", field: "uri", cause: "\(error)")
        }
    }

    /// Flushes, then closes the listening socket (listen mode) and the connection, blocking until they are closed
    /// (close errors are ignored). Buffered bytes in listen mode wait for a peer to connect, as `flush` does; with
    /// nothing left to send, a sink no peer ever connected to closes at once instead of waiting for one.
    public func close() throws {
        try flush()
        if let server {
            try? server.close().wait()
            accepted?.fail(ConnectorError(code: .ioFailed, message: "\(name): closed before a peer connected",
                                          field: "uri"))
        }
        if let channel = try? pending.wait() { try? channel.close().wait() }
    }
}
