import Foundation
import NIOCore
import NIOPosix
import SluiceConnectors
import SluiceTestKit
import Synchronization
import Testing

/// The RESP client against a real `redis-server`, and against a fake server that sends garbage.
@Suite(.enabled(if: redisAvailable, "\(redisSkipReason)"), .timeLimit(.minutes(1)))
struct RedisClientTests {
    @Test func pipelinedRepliesComeBackInOrderAndErrorRepliesAreValues() async throws {
        try await withRedisServer { _, pool in
            let replies = try pool.sendWaiting([
                RESPCommand("SET", "a", "41"), RESPCommand("INCR", "a"), RESPCommand("GET", "a"),
                RESPCommand("NOSUCHCOMMAND"), RESPCommand("GET", "missing"), RESPCommand("ECHO", "\r\n$5\r\n"),
            ])
            #expect(replies.count == 6)
            #expect(replies[0] == .simpleString("OK"))
            #expect(replies[1] == .integer(42))
            #expect(replies[2].text == "42")
            #expect(replies[3].errorMessage?.contains("unknown command") == true)
            #expect(replies[4].isNull)
            #expect(replies[5].text == "\r\n$5\r\n")
            let error = #expect(throws: RedisError.self) { try replies[3].checked("NOSUCHCOMMAND", server: pool.server) }
            #expect(error?.code == .serverError)
            #expect(error?.description.contains(pool.server) == true)
        }
    }

    @Test func manyCallersShareTheSmallPool() async throws {
        try await withRedisServer { _, pool in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for caller in 0..<16 {
                    group.addTask {
                        for index in 0..<20 {
                            let reply = try await pool.send([RESPCommand("INCR", "counter"), RESPCommand("ECHO", "\(caller)-\(index)")]).get()
                            #expect(reply[1].text == "\(caller)-\(index)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try pool.sendWaiting([RESPCommand("GET", "counter")])[0].text == "320")
        }
    }

    @Test func aKilledConnectionIsReplacedByTheNextRequest() async throws {
        try await withRedisServer { _, pool in
            let before = try pool.sendWaiting([RESPCommand("CLIENT", "ID")])[0].integer
            _ = try? pool.sendWaiting([RESPCommand("CLIENT", "KILL", "SKIPME", "no")])
            // The kill races with the next request (the socket may not have closed yet): retry a bounded number
            // of times, as a caller would.
            var after: Int64?
            for _ in 0..<50 where after == nil {
                after = (try? pool.sendWaiting([RESPCommand("CLIENT", "ID")]))?[0].integer
            }
            #expect(after != nil)
            #expect(after != before)
        }
    }

    @Test func aServerThatIsNotThereIsAConnectErrorNamingIt() {
        let port = RedisServer.freePort()
        let pool = RedisConnectionPool(host: "127.0.0.1", port: port, reconnectDeadline: .milliseconds(300))
        defer { pool.close() }
        let error = #expect(throws: RedisError.self) { try pool.sendWaiting([RESPCommand("PING")]) }
        #expect(error?.code == .connectFailed)
        #expect(error?.description.contains("127.0.0.1:\(port)") == true)
    }

    @Test func aReplyThatDoesNotComeIsATimeoutAndTheConnectionIsReplaced() async throws {
        let server = RedisServer()
        try server.start()
        defer { server.stop() }
        let pool = RedisConnectionPool(host: "127.0.0.1", port: server.port, maxConnections: 1, commandTimeout: .milliseconds(200))
        defer { pool.close() }
        let error = #expect(throws: RedisError.self) { try pool.sendWaiting([RESPCommand("BLPOP", "nothing", "0")]) }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("BLPOP") == true)
        #expect(try pool.sendWaiting([RESPCommand("PING")])[0] == .simpleString("PONG"))
    }

    /// A server that has just started answers `-LOADING` until it has read its data set: the pool lends no
    /// connection before the server answers `PING`, and retries with backoff meanwhile.
    @Test func aServerStillLoadingItsDataIsWaitedFor() throws {
        let replier = LoadingReplier(loadingConnections: 2)
        let fake = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(replier.handler()) }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? fake.close().wait() }
        let pool = RedisConnectionPool(host: "127.0.0.1", port: fake.localAddress?.port ?? 0, maxConnections: 1)
        defer { pool.close() }
        #expect(try pool.sendWaiting([RESPCommand("GET", "k")]) == [.simpleString("OK")])
        #expect(replier.connections.load(ordering: .sequentiallyConsistent) == 3)
    }

    @Test func garbageFromTheServerIsAnErrorNotACrash() throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let fake = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(GarbageReplier()) }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? fake.close().wait() }
        let port = fake.localAddress?.port ?? 0
        let pool = RedisConnectionPool(host: "127.0.0.1", port: port, maxConnections: 1)
        defer { pool.close() }
        let error = #expect(throws: RedisError.self) { try pool.sendWaiting([RESPCommand("PING"), RESPCommand("PING")]) }
        #expect(error?.code == .malformedReply)
        #expect(error?.description.contains("unexpected type byte") == true)
        #expect(error?.description.contains("127.0.0.1:\(port)") == true)
    }
}

/// Answers anything with one good reply followed by bytes that are not RESP.
final class GarbageReplier: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "+PONG\r\n?garbage\r\n")), promise: nil)
    }
}

/// A fake server whose first `loadingConnections` connections answer every command with `-LOADING` (a Redis that
/// is still reading its data set), and whose later ones answer `+PONG` to `PING` and `+OK` to anything else.
final class LoadingReplier: Sendable {
    let loadingConnections: Int
    let connections = Atomic<Int>(0)

    init(loadingConnections: Int) { self.loadingConnections = loadingConnections }

    /// The handler of one new connection.
    func handler() -> Handler {
        Handler(loading: connections.wrappingAdd(1, ordering: .sequentiallyConsistent).oldValue < loadingConnections)
    }

    final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let loading: Bool
        init(loading: Bool) { self.loading = loading }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            // One command per read is enough here: the client sends one at a time on these connections.
            let text = String(buffer: Self.unwrapInboundIn(data))
            let reply = loading ? "-LOADING Redis is loading the dataset in memory\r\n" : text.contains("PING") ? "+PONG\r\n" : "+OK\r\n"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: reply)), promise: nil)
        }
    }
}
