import Foundation
import Sluice
import NIOCore
import NIOPosix
import Synchronization

/// A small pool of connections to one Redis server, opened on demand, reopened with backoff after a failure.
///
/// A caller borrows a connection for one request (`send`) or for a sequence that must share one (`withConnection`,
/// for `WATCH … EXEC`); nobody else writes to it meanwhile. At most `maxConnections` are open: a caller beyond that
/// waits for one to come back (that wait is the pool's backpressure). A borrowed connection that failed is
/// dropped, and the next borrower opens a new one: each attempt waits `connectTimeout`, and failed attempts are
/// retried after 50 ms, 100 ms, 200 ms … (capped at 1 s) until `reconnectDeadline` has passed, then the borrow
/// fails with `RedisError.connectFailed` naming `host:port`. A new connection is lent once the server answers
/// `PING` with anything but `-LOADING` (a restarted server still reading its data set is waited for the same way),
/// after `AUTH` when the pool has `credentials`; a refused `AUTH` fails the borrow at once with
/// `.authenticationFailed` (no retry).
///
/// The `…Waiting` variants block the calling thread (never call them on an event loop); the others return
/// futures. Nothing here is cancelled by task cancellation: a request ends with its reply or its timeout.
public final class RedisConnectionPool: Sendable {
    /// The server's host name or address.
    public let host: String
    /// The server's port.
    public let port: Int
    /// How long one command may wait for its reply (blocking commands add their own block time).
    public let commandTimeout: TimeAmount
    private let connectTimeout: TimeAmount
    private let reconnectDeadline: TimeAmount
    /// The delays between connect attempts: 50 ms doubling up to 1 s (the supervisors' backoff, without jitter).
    private static let backoff = RestartPolicy(initialDelay: .milliseconds(50), multiplier: 2, maxDelay: .seconds(1), jitter: 0)
    private let maxConnections: Int
    private let group: any EventLoopGroup
    private let credentials: RedisCredentials?

    private struct State {
        var idle: [RedisConnection] = []
        var open = 0
        var waiters: [EventLoopPromise<RedisConnection?>] = []
        var isClosed = false
    }
    private let state = Mutex(State())

    /// `host:port`.
    public var server: String { "\(host):\(port)" }

    /// Creates a pool; nothing connects until the first request.
    public init(
        host: String, port: Int, maxConnections: Int = 4, commandTimeout: TimeAmount = .seconds(5),
        connectTimeout: TimeAmount = .seconds(2), reconnectDeadline: TimeAmount = .seconds(10),
        credentials: RedisCredentials? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.host = host
        self.port = port
        self.maxConnections = maxConnections
        self.commandTimeout = commandTimeout
        self.connectTimeout = connectTimeout
        self.reconnectDeadline = reconnectDeadline
        self.credentials = credentials
        self.group = group
    }

    /// Sends `commands` pipelined on one borrowed connection; the replies in order.
    /// `extraTimeout` adds to the command timeout (the block time of `XREADGROUP … BLOCK`).
    public func send(_ commands: [RESPCommand], extraTimeout: TimeAmount = .zero) -> EventLoopFuture<[RESPValue]> {
        let timeout = commandTimeout + extraTimeout
        return withConnection { connection in connection.send(commands, timeout: timeout) }
    }

    /// Like `send`, blocking the calling thread until the replies arrive or the request fails.
    public func sendWaiting(_ commands: [RESPCommand], extraTimeout: TimeAmount = .zero) throws -> [RESPValue] {
        try send(commands, extraTimeout: extraTimeout).wait()
    }

    /// Like `sendWaiting`, and an error reply throws, naming its command.
    public func sendCheckedWaiting(_ commands: [RESPCommand]) throws -> [RESPValue] {
        let replies = try sendWaiting(commands)
        for (reply, command) in zip(replies, commands) { try reply.checked(command.description, server: server) }
        return replies
    }

    /// Like `sendCheckedWaiting`, for commands that may run more than once (idempotent ones such as `XACK`, or
    /// at-least-once writes): when the connection closes or times out before the replies come
    /// (`RedisError.isOutcomeUnknown`), they are sent again on a new connection, at most `retries` times. An error
    /// reply throws, naming its command.
    public func sendCheckedRetrying(_ commands: [RESPCommand], retries: Int = 3) throws -> [RESPValue] {
        var lost = 0
        while true {
            do {
                return try sendCheckedWaiting(commands)
            } catch let error as RedisError where error.isOutcomeUnknown && lost < retries {
                lost += 1
            }
        }
    }

    /// Borrows one connection for the whole of `body` (returned when its future completes; dropped if it failed).
    public func withConnection<Value: Sendable>(
        _ body: @escaping @Sendable (RedisConnection) -> EventLoopFuture<Value>
    ) -> EventLoopFuture<Value> {
        borrow().flatMap { connection in
            body(connection).always { _ in self.giveBack(connection) }
        }
    }

    /// Closes every connection; later requests fail with `.connectionClosed`.
    public func close() {
        let (idle, waiters) = state.withLock { state in
            state.isClosed = true
            defer {
                state.idle.removeAll()
                state.waiters.removeAll()
            }
            return (state.idle, state.waiters)
        }
        for connection in idle { connection.close() }
        for waiter in waiters { waiter.succeed(nil) }
    }

    private enum Borrow {
        case idle(RedisConnection)
        case open
        case wait(EventLoopPromise<RedisConnection?>)
        case closed
    }

    private func borrow() -> EventLoopFuture<RedisConnection> {
        let loop = group.next()
        let decision: Borrow = state.withLock { state in
            if state.isClosed { return .closed }
            while let connection = state.idle.popLast() {
                if connection.isUsable { return .idle(connection) }
                state.open -= 1
            }
            if state.open < maxConnections {
                state.open += 1
                return .open
            }
            let promise = loop.makePromise(of: RedisConnection?.self)
            state.waiters.append(promise)
            return .wait(promise)
        }
        switch decision {
        case .idle(let connection): return loop.makeSucceededFuture(connection)
        case .closed: return loop.makeFailedFuture(RedisError(code: .connectionClosed, server: server, message: "the pool is closed"))
        case .open: return connect(loop: loop)
        case .wait(let promise):
            return promise.futureResult.flatMap { connection in
                // nil: a slot was freed (a failed connection was dropped) or the pool closed.
                if let connection { return loop.makeSucceededFuture(connection) }
                let opened = self.state.withLock { state -> Bool in
                    guard !state.isClosed else { return false }
                    state.open += 1
                    return true
                }
                return opened ? self.connect(loop: loop)
                    : loop.makeFailedFuture(RedisError(code: .connectionClosed, server: self.server, message: "the pool is closed"))
            }
        }
    }

    private func giveBack(_ connection: RedisConnection) {
        let usable = connection.isUsable
        let waiter: EventLoopPromise<RedisConnection?>? = state.withLock { state in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            if usable && !state.isClosed {
                state.idle.append(connection)
            } else {
                state.open -= 1
            }
            return nil
        }
        if !usable { connection.close() }
        if let waiter {
            if usable {
                waiter.succeed(connection)
            } else {
                state.withLock { $0.open -= 1 }
                waiter.succeed(nil)
            }
        }
    }

    /// Opens a connection, retrying with exponential backoff until the reconnect deadline. A new connection is
    /// lent only once the server answers `PING`: a server that has just started answers every command with
    /// `-LOADING` until it has read its data set (its append-only file), and that connection counts as an attempt
    /// that failed.
    private func connect(loop: any EventLoop) -> EventLoopFuture<RedisConnection> {
        let deadline = NIODeadline.now() + reconnectDeadline
        let promise = loop.makePromise(of: RedisConnection.self)
        let server = server
        let timeout = commandTimeout
        let credentials = credentials
        @Sendable func attempt(_ number: Int) {
            RedisConnection.connect(host: host, port: port, timeout: connectTimeout, group: loop).flatMap { connection in
                let handshake = (credentials.map { [$0.command] } ?? []) + [RESPCommand("PING")]
                return connection.send(handshake, timeout: timeout).flatMapThrowing { replies -> RedisConnection in
                    let refused: RedisError? =
                        if let credentials, let message = replies.first?.errorMessage {
                            RedisError(code: .authenticationFailed, server: server, message: "AUTH as \(credentials): \(message)")
                        } else if let message = replies.last?.errorMessage, message.hasPrefix("NOAUTH") {
                            RedisError(code: .authenticationFailed, server: server,
                                message: "PING: \(message) (the server wants a password: the redis connector's password-env option)")
                        } else if let message = replies.last?.errorMessage, message.hasPrefix("LOADING") {
                            RedisError(code: .serverError, server: server, message: "PING: \(message)")
                        } else {
                            nil
                        }
                    if let refused {
                        connection.close()
                        throw refused
                    }
                    return connection
                }
            }.whenComplete { result in
                switch result {
                case .success(let connection):
                    promise.succeed(connection)
                case .failure(let error as RedisError) where error.code == .authenticationFailed:
                    // Wrong credentials do not get right by waiting.
                    self.state.withLock { $0.open -= 1 }
                    promise.fail(error)
                case .failure(let error):
                    let delay = TimeAmount.nanoseconds(Int64(Self.backoff.baseDelayNanoseconds(attempt: number)))
                    if NIODeadline.now() + delay > deadline {
                        self.state.withLock { $0.open -= 1 }
                        promise.fail(RedisError(code: .connectFailed, server: self.server,
                            message: "cannot connect after \(number + 1) attempts in \(self.reconnectDeadline.nanoseconds / 1_000_000_000) s: \(error)"))
                    } else {
                        loop.scheduleTask(in: delay) { attempt(number + 1) }
                    }
                }
            }
        }
        attempt(0)
        return promise.futureResult
    }
}

extension RESPValue {
    /// Throws the server's error reply as a `RedisError` naming `command`; returns the value otherwise.
    @discardableResult
    public func checked(_ command: @autoclosure () -> String, server: String) throws(RedisError) -> RESPValue {
        if case .error(let message) = self {
            throw RedisError(code: .serverError, server: server, message: "\(command()): \(message)")
        }
        return self
    }
}
