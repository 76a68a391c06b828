import NIOCore
import NIOPosix
import Synchronization

/// One request on a connection: commands written together (pipelined), and the promise of their replies in order.
struct RedisRequest {
    var commands: [RESPCommand]
    var timeout: TimeAmount
    var promise: EventLoopPromise<[RESPValue]>
}

/// Encodes requests, parses replies and hands each reply to the request that is waiting for it, in order.
///
/// Confined to its channel's event loop. A malformed reply, a reply nobody waits for, a timeout or the
/// connection closing fails every waiting request and closes the channel: after any of those the reply
/// boundaries cannot be trusted.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        var count: Int
        var promise: EventLoopPromise<[RESPValue]>
        var timeout: Scheduled<Void>?
        var summary: String
    }

    private let server: String
    /// Set once the connection failed, before the channel has finished closing: the pool must not lend it again.
    private let state: RedisConnection.ConnectionState
    private let parser = RESPParser()
    private var received: [UInt8] = []
    private var readIndex = 0
    private var waiting = CircularBuffer<Waiting>()
    /// The replies received so far for the request at the front of `waiting` (kept out of the ring buffer, whose
    /// subscript would copy the array on every append).
    private var headReplies: [RESPValue] = []
    private var failure: RedisError?

    init(server: String, state: RedisConnection.ConnectionState) {
        self.server = server
        self.state = state
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        var length = 0
        for command in request.commands { length += command.encodedLength }
        var bytes = context.channel.allocator.buffer(capacity: length)
        for command in request.commands { command.encode(into: &bytes) }
        let summary = request.commands.prefix(4).map(\.name).joined(separator: ",") + (request.commands.count > 4 ? ",…" : "")
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let scheduled = context.eventLoop.scheduleTask(in: request.timeout) {
            let (handler, context) = loopBound.value
            handler.failAll(context, RedisError(code: .timedOut, server: handler.server,
                message: "no reply to \(summary) within \(request.timeout.nanoseconds / 1_000_000) ms"))
        }
        waiting.append(Waiting(count: request.commands.count, promise: request.promise, timeout: scheduled, summary: summary))
        if request.commands.isEmpty {
            complete(context)
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            let (handler, context) = loopBound.value
            handler.failAll(context, RedisError(code: .connectionClosed, server: handler.server, message: "cannot send \(summary): \(error)"))
        }
        written.futureResult.cascade(to: promise)
        context.writeAndFlush(wrapOutboundOut(bytes), promise: written)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if readIndex > 0 && readIndex == received.count {
            received.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        buffer.readWithUnsafeReadableBytes { raw in
            received.append(contentsOf: raw)
            return raw.count
        }
        while failure == nil {
            // Parse only a complete value: a large reply arriving in many reads is not parsed again each time.
            // Short input is parsed anyway, so that bytes that are not RESP fail at once.
            let length = received.withUnsafeBytes { raw in
                parser.completeLength(UnsafeRawBufferPointer(rebasing: raw[readIndex...]))
            }
            guard length != nil || received.count - readIndex < 4_096 else { break }
            let parsed: (value: RESPValue, consumed: Int)?
            do {
                parsed = try received.withUnsafeBytes { raw throws(RESPParseError) in
                    try parser.parse(UnsafeRawBufferPointer(rebasing: raw[readIndex...]))
                }
            } catch {
                failAll(context, RedisError(code: .malformedReply, server: server, message: "\(error)"))
                return
            }
            guard let (value, consumed) = parsed else { break }
            readIndex += consumed
            guard !waiting.isEmpty else {
                failAll(context, RedisError(code: .unexpectedReply, server: server,
                    message: "a reply arrived that no command was waiting for: \(String(describing: value).prefix(120))"))
                return
            }
            headReplies.append(value)
            complete(context)
        }
        if readIndex > (1 << 20) {
            received.removeFirst(readIndex)
            readIndex = 0
        }
    }

    /// Completes the requests at the front that have all their replies.
    private func complete(_ context: ChannelHandlerContext) {
        while let first = waiting.first, first.count == headReplies.count {
            let done = waiting.removeFirst()
            done.timeout?.cancel()
            let replies = headReplies
            headReplies = []
            done.promise.succeed(replies)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(context, RedisError(code: .connectionClosed, server: server, message: "the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(context, RedisError(code: .connectionClosed, server: server, message: "\(error)"))
    }

    private func failAll(_ context: ChannelHandlerContext, _ error: RedisError) {
        if failure == nil { failure = error }
        state.broken.store(true, ordering: .sequentiallyConsistent)
        let failed = waiting
        waiting.removeAll()
        headReplies = []
        for request in failed {
            request.timeout?.cancel()
            request.promise.fail(error)
        }
        context.close(promise: nil)
    }
}

/// One connection to a Redis server: sends commands, pipelined, and returns their replies in order.
///
/// `send` never blocks; its future completes on the connection's event loop. A timeout, a malformed reply or a
/// closed socket fails the pending requests and closes the connection (`isUsable` turns false): the pool then
/// opens a new one. Error replies (`-ERR …`) are returned as `RESPValue.error`, not thrown.
public final class RedisConnection: Sendable {
    /// The channel the connection writes to.
    let channel: any Channel
    /// `host:port`, for messages.
    public let server: String
    private let state: ConnectionState

    /// Shared with the channel handler, which marks the connection broken.
    final class ConnectionState: Sendable {
        let broken = Atomic<Bool>(false)
    }

    init(channel: any Channel, server: String, state: ConnectionState) {
        self.channel = channel
        self.server = server
        self.state = state
    }

    /// Opens a connection (one attempt).
    static func connect(host: String, port: Int, timeout: TimeAmount, group: any EventLoopGroup) -> EventLoopFuture<RedisConnection> {
        let server = "\(host):\(port)"
        let state = ConnectionState()
        return ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(server: server, state: state))
                }
            }
            .connect(host: host, port: port)
            .map { RedisConnection(channel: $0, server: server, state: state) }
    }

    /// Whether the connection can still carry commands.
    public var isUsable: Bool { channel.isActive && !state.broken.load(ordering: .sequentiallyConsistent) }

    /// Sends `commands` in one write and returns their replies, in order.
    ///
    /// Fails with `RedisError` (`.timedOut`, `.malformedReply`, `.connectionClosed`) when the replies do not all
    /// arrive within `timeout`, cannot be parsed, or the connection closes.
    public func send(_ commands: [RESPCommand], timeout: TimeAmount) -> EventLoopFuture<[RESPValue]> {
        let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
        let server = server
        // A closed channel may have no handler left to fail the request: the write's failure does it (a second
        // completion of a promise is ignored).
        channel.writeAndFlush(RedisRequest(commands: commands, timeout: timeout, promise: promise)).whenFailure { error in
            promise.fail(RedisError(code: .connectionClosed, server: server, message: "cannot send: \(error)"))
        }
        return promise.futureResult
    }

    /// Closes the connection; pending requests fail with `.connectionClosed`.
    public func close() {
        channel.close(promise: nil)
    }
}
