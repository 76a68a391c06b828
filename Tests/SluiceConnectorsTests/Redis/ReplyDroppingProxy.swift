import NIOCore
import NIOPosix
import SluiceConnectors
import Synchronization

/// A TCP proxy on 127.0.0.1 in front of a Redis server that, once armed with a command name, lets the next such
/// command (`EXEC`, `XREADGROUP`) through to the server and then cuts that client's connection instead of passing
/// its reply on: the server ran the command, and the client cannot know whether it did (a network fault at the
/// worst moment, made deterministic). Every other byte passes unchanged in both directions.
final class ReplyDroppingProxy: Sendable {
    /// The port clients connect to.
    let port: Int
    private let listener: any Channel
    private let control: Control

    final class Control: Sendable {
        /// The command whose reply is dropped (upper case), if armed, and how many of it pass before that one.
        let armed = Mutex<(name: String, skip: Int)?>(nil)
        let cuts = Atomic<Int>(0)
    }

    /// Listens on a free port and forwards each connection to `127.0.0.1:upstreamPort`.
    init(upstreamPort: Int) throws {
        let control = Control()
        self.control = control
        listener = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { client in
                let link = Link(control: control, client: client)
                return ClientBootstrap(group: client.eventLoop)
                    .channelInitializer { upstream in
                        upstream.eventLoop.makeCompletedFuture {
                            try upstream.pipeline.syncOperations.addHandler(FromServer(link: link))
                        }
                    }
                    .connect(host: "127.0.0.1", port: upstreamPort)
                    .flatMapThrowing { upstream in
                        link.upstream = upstream
                        try client.pipeline.syncOperations.addHandler(FromClient(link: link))
                    }
                    .flatMap { client.setOption(.autoRead, value: true) }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        port = listener.localAddress?.port ?? 0
    }

    /// Makes the next `command` (`EXEC` unless given) any client sends, after `skipping` more of it that pass, the
    /// one whose reply is dropped.
    func arm(_ command: String = "EXEC", skipping: Int = 0) {
        control.armed.withLock { $0 = (command.uppercased(), skipping) }
    }

    /// How many connections were cut after an armed command.
    var cuts: Int { control.cuts.load(ordering: .sequentiallyConsistent) }

    /// Stops listening (connections already open stay until their ends close).
    func close() { try? listener.close().wait() }

    /// One client connection and its upstream one; used on their (shared) event loop only.
    private final class Link: @unchecked Sendable {
        let control: Control
        let client: any Channel
        var upstream: (any Channel)?
        let parser = RESPParser()
        var commands: [UInt8] = []
        var sent = 0
        var replies: [UInt8] = []
        var received = 0
        /// The number of the reply that is dropped (the armed command's), counting from 1.
        var cutAt: Int?

        init(control: Control, client: any Channel) {
            self.control = control
            self.client = client
        }
    }

    private final class FromClient: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let link: Link
        init(link: Link) { self.link = link }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = Self.unwrapInboundIn(data)
            link.commands += buffer.readableBytesView
            while let parsed = (try? link.parser.parse(link.commands)) ?? nil {
                link.commands.removeFirst(parsed.consumed)
                link.sent += 1
                let name = parsed.value.elements?.first?.text?.uppercased()
                let isArmed = link.control.armed.withLock { armed -> Bool in
                    guard let name, let armedCommand = armed, armedCommand.name == name else { return false }
                    if armedCommand.skip > 0 {
                        armed = (name, armedCommand.skip - 1)
                        return false
                    }
                    armed = nil
                    return true
                }
                if isArmed { link.cutAt = link.sent }
            }
            link.upstream?.writeAndFlush(buffer, promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            link.upstream?.close(promise: nil)
        }
    }

    private final class FromServer: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let link: Link
        init(link: Link) { self.link = link }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            link.replies += Self.unwrapInboundIn(data).readableBytesView
            var forward: [UInt8] = []
            while let parsed = (try? link.parser.parse(link.replies)) ?? nil {
                let bytes = link.replies.prefix(parsed.consumed)
                link.replies.removeFirst(parsed.consumed)
                link.received += 1
                if link.received == link.cutAt {
                    if !forward.isEmpty { link.client.writeAndFlush(ByteBuffer(bytes: forward), promise: nil) }
                    link.control.cuts.add(1, ordering: .sequentiallyConsistent)
                    link.client.close(promise: nil)
                    context.close(promise: nil)
                    return
                }
                forward += bytes
            }
            if !forward.isEmpty { link.client.writeAndFlush(ByteBuffer(bytes: forward), promise: nil) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            link.client.close(promise: nil)
        }
    }
}
