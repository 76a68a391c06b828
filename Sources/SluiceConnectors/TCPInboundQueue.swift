import NIOCore
import Synchronization

/// The bytes a TCP connection delivered and the pipeline has not read yet, between NIO's event loop (which
/// pushes) and the source (which takes).
///
/// Backpressure: the channel reads only on demand (`autoRead` off). After each read burst the handler asks
/// `wantsMoreAfterRead()`; above `highWater` queued bytes it stops asking the socket for more, and the
/// source's next `take` that drains the queue issues the read again. So at most `highWater` plus one read
/// burst is held in memory. Guarded by a `Mutex`.
final class TCPInboundQueue: Sendable {
    /// What the source gets from `take`.
    enum Next {
        case chunks([[UInt8]])
        case end
        case failed(ConnectorError)
        case wait(EventLoopFuture<Void>)
    }

    private struct State {
        var chunks: [[UInt8]] = []
        var queuedBytes = 0
        var isFinished = false
        var failure: ConnectorError?
        var waiter: EventLoopPromise<Void>?
        var channel: (any Channel)?
        var isPaused = false
        var isClaimed = false
    }

    private let state = Mutex(State())
    private let eventLoop: any EventLoop
    private let highWater: Int
    /// Where the bytes come from, for error messages.
    let peer: String

    init(eventLoop: any EventLoop, peer: String, highWater: Int = 4 << 20) {
        self.eventLoop = eventLoop
        self.peer = peer
        self.highWater = highWater
    }

    /// Marks the queue as taken by a connection; false if another connection already has it (listen mode
    /// serves one client).
    func claim(_ channel: any Channel) -> Bool {
        state.withLock { state in
            guard !state.isClaimed else { return false }
            state.isClaimed = true
            state.channel = channel
            return true
        }
    }

    /// The connection that claimed the queue, if one did.
    var claimedChannel: (any Channel)? { state.withLock { $0.channel } }

    /// Adds bytes read from the socket (event loop).
    func push(_ bytes: [UInt8]) {
        let waiter = state.withLock { state in
            state.chunks.append(bytes)
            state.queuedBytes += bytes.count
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.succeed()
    }

    /// Whether the handler should ask the socket for more; when not, the queue is paused until drained.
    func wantsMoreAfterRead() -> Bool {
        state.withLock { state in
            if state.queuedBytes >= highWater { state.isPaused = true }
            return !state.isPaused
        }
    }

    /// Ends the stream: cleanly (`failure == nil`) or with an error (event loop).
    func finish(_ failure: ConnectorError?) {
        let waiter = state.withLock { state in
            if !state.isFinished {
                state.isFinished = true
                state.failure = failure
            }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.succeed()
    }

    /// Takes everything queued, or says the stream ended, or hands back a future that completes when there is
    /// news. Resumes a paused socket once the queue is drained.
    func take() -> Next {
        let (next, resume): (Next, (any Channel)?) = state.withLock { state in
            if !state.chunks.isEmpty {
                let chunks = state.chunks
                state.chunks.removeAll(keepingCapacity: true)
                state.queuedBytes = 0
                var resume: (any Channel)?
                if state.isPaused {
                    state.isPaused = false
                    resume = state.channel
                }
                return (.chunks(chunks), resume)
            }
            if state.isFinished { return (state.failure.map { .failed($0) } ?? .end, nil) }
            let promise = state.waiter ?? eventLoop.makePromise(of: Void.self)
            state.waiter = promise
            return (.wait(promise.futureResult), nil)
        }
        if let resume { resume.eventLoop.execute { resume.read() } }
        return next
    }
}

/// Moves bytes from a TCP channel into a `TCPInboundQueue`.
final class TCPInboundHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let queue: TCPInboundQueue

    init(queue: TCPInboundQueue) {
        self.queue = queue
    }

    func channelActive(context: ChannelHandlerContext) {
        context.read()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        queue.push(Array(buffer.readableBytesView))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if queue.wantsMoreAfterRead() { context.read() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        queue.finish(nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        queue.finish(ConnectorError(code: .ioFailed, message: "reading from \(queue.peer) failed", field: "uri",
            cause: "\(error)"))
        context.close(promise: nil)
    }
}
