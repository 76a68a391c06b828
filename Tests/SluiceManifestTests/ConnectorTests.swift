import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Sluice
import SluiceManifest
import SluiceTestKit
import Testing

@testable import SluiceConnectors

/// The connector registry and the TCP connector (on 127.0.0.1, started and stopped by the test).
@Suite struct ConnectorTests {
    @Test func anUnknownSchemeListsTheRegisteredOnesAndCloseMatches() {
        let error = #expect(throws: ConnectorError.self) { try ConnectorRegistry.standard.resolve("fil:x.ndjson", as: .source) }
        #expect(error?.code == .unknownScheme)
        #expect(error?.suggestions == ["file"])
        #expect(error?.expected == "one of the registered schemes: file:, redis:, stdin:, stdout:, tcp:")
    }

    @Test func redisResolvesWithItsDefaultsAndRefusesATargetWithoutAStream() throws {
        let (_, endpoint) = try ConnectorRegistry.standard.resolve("redis://127.0.0.1:6379/events?partitions=4", as: .source)
        let configuration = try RedisStreamConfiguration(endpoint)
        #expect(configuration.server == "127.0.0.1:6379")
        #expect(configuration.stream == "events")
        #expect(configuration.partitions == 4)
        #expect(configuration.group == "sluice")
        #expect(configuration.streamName(3) == "events:3")
        #expect(configuration.leaseKey(3) == "sluice:lease:events:sluice:3")
        let error = #expect(throws: ConnectorError.self) { try ConnectorRegistry.standard.resolve("redis://127.0.0.1:6379", as: .sink) }
        #expect(error?.code == .invalidURI)
        #expect(error?.expected?.contains("redis://HOST:PORT/STREAM") == true)
        let option = #expect(throws: ConnectorError.self) {
            try ConnectorRegistry.standard.resolve("redis://127.0.0.1:6379/events?lease-ms=5", as: .source)
        }
        #expect(option?.field == "lease-ms")
    }

    @Test func dashIsStandardInputAsASourceAndStandardOutputAsASink() throws {
        #expect(try ConnectorRegistry.standard.resolve("-", as: .source).1.scheme == "stdin")
        #expect(try ConnectorRegistry.standard.resolve("-", as: .sink).1.scheme == "stdout")
        let (_, endpoint) = try ConnectorRegistry.standard.resolve("tcp://127.0.0.1:9000?mode=listen", as: .source)
        #expect(endpoint.target == "127.0.0.1:9000")
        #expect(endpoint[option: "mode"] == "listen")
        #expect(try ConnectorRegistry.standard.resolve("file:a.ndjson", as: .source).1[option: "chunk-size"] == "65536")
    }

    @Test func aManifestWritesToATCPPeerAndATCPSourceReadsItAll() async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        var input = ""
        for index in 0..<5_000 { input += "{\"i\":\(index),\"pad\":\"\(String(repeating: "x", count: index % 50))\"}\n" }
        try input.write(toFile: folder.file("in.ndjson"), atomically: true, encoding: .utf8)
        // The receiving end: a TCP source listening on an ephemeral port of 127.0.0.1.
        let (_, listen) = try ConnectorRegistry.standard.resolve("tcp://127.0.0.1:0?mode=listen", as: .source)
        var source = try TCPConnector.openSource(listen)
        let port = try #require(source.server?.localAddress?.port)
        let text = """
            source: file:\(folder.file("in.ndjson"))
            stages:
              - project: [i]
            sink: tcp://127.0.0.1:\(port)
            """
        let plan = try ManifestCompiler.compile(try ManifestReader().read(text: text, file: "m.yaml"))
        let sending = Task { try await ManifestRunner(plan: plan).run() }
        var received: [UInt8] = []
        var chunks: [[UInt8]] = []
        while try await source.readAsync(into: &chunks, maxCount: 16) {
            for chunk in chunks { received += chunk }
            chunks.removeAll()
        }
        for chunk in chunks { received += chunk }
        let summary = try await sending.value
        #expect(summary.documentsWritten == 5_000)
        #expect(String(decoding: received, as: UTF8.self) == (0..<5_000).map { "{\"i\":\($0)}\n" }.joined())
    }

    @Test func aTCPSourceThatCannotConnectFailsWhenOpened() async throws {
        // Port 1 on 127.0.0.1: nothing listens there on the test machines (a privileged port).
        let text = """
            source: tcp://127.0.0.1:1
            sink: "stdout:"
            """
        let plan = try ManifestCompiler.compile(try ManifestReader().read(text: text, file: "m.yaml"))
        let error = await #expect(throws: ManifestRunError.self) { try await ManifestRunner(plan: plan).run() }
        #expect(error?.code == .source)
    }

    @Test func theIdleTimeoutOptionIsCheckedAndDefaultsToThirtySeconds() throws {
        let (_, plain) = try ConnectorRegistry.standard.resolve("tcp://127.0.0.1:9000", as: .source)
        #expect(TCPConnector.idleTimeout(plain)?.limitNanoseconds == 30_000_000_000)
        #expect(TCPConnector.idleTimeout(plain)?.action == .deadLetter)
        let (_, off) = try ConnectorRegistry.standard.resolve("tcp://127.0.0.1:9000?idle-timeout=0", as: .source)
        #expect(TCPConnector.idleTimeout(off) == nil)
        let error = #expect(throws: ConnectorError.self) {
            try ConnectorRegistry.standard.resolve("tcp://127.0.0.1:9000?idle-timeout=soon", as: .source)
        }
        #expect(error?.field == "idle-timeout" && error?.code == .invalidOption)
        #expect(TCPByteSource.tickInterval(for: FramingIdleTimeout(limit: .seconds(30))) == .milliseconds(250))
        #expect(TCPByteSource.tickInterval(for: FramingIdleTimeout(limit: .milliseconds(40))) == .milliseconds(10))
    }

    /// On virtual time (NIO's `EmbeddedEventLoop`): a wait ends in a tick after the interval, or as soon as data
    /// comes; the second of the two is ignored; a failed wait fails.
    @Test func aWaitForBytesEndsInATickOrInData() throws {
        let loop = EmbeddedEventLoop()
        let seen = NIOLockedValueBox<[String]>([])
        let idle = loop.makePromise(of: Void.self)
        TCPByteSource.dataOrTick(idle.futureResult, after: .milliseconds(250)).whenComplete { result in
            seen.withLockedValue { $0.append("idle: \(result.map { $0 ? "data" : "tick" })") }
        }
        loop.advanceTime(by: .milliseconds(249))
        #expect(seen.withLockedValue { $0 }.isEmpty)
        loop.advanceTime(by: .milliseconds(1))
        idle.succeed()
        let busy = loop.makePromise(of: Void.self)
        TCPByteSource.dataOrTick(busy.futureResult, after: .milliseconds(250)).whenComplete { result in
            seen.withLockedValue { $0.append("busy: \(result.map { $0 ? "data" : "tick" })") }
        }
        busy.succeed()
        loop.advanceTime(by: .seconds(1))
        struct Broken: Error {}
        let failing = loop.makePromise(of: Void.self)
        TCPByteSource.dataOrTick(failing.futureResult, after: .milliseconds(250)).whenComplete { result in
            seen.withLockedValue { $0.append("failing: \((try? result.get()).map { "\($0)" } ?? "error")") }
        }
        failing.fail(Broken())
        loop.advanceTime(by: .seconds(1))
        #expect(seen.withLockedValue { $0 } == [#"idle: success("tick")"#, #"busy: success("data")"#, "failing: error"])
        try loop.syncShutdownGracefully()
    }

    /// A listening TCP source dropped before its peer ended (a run that failed early) closes its listening socket:
    /// before, the port stayed bound for the life of the process. (The semaphore's limit only keeps a regression
    /// from hanging the test run; nothing here is timed.)
    @Test func aDroppedListeningSourceFreesItsPort() throws {
        let (_, listen) = try ConnectorRegistry.standard.resolve("tcp://127.0.0.1:0?mode=listen", as: .source)
        var source: SluiceConnectors.TCPByteSource? = try TCPConnector.openSource(listen)
        let server = try #require(source?.server)
        let port = try #require(server.localAddress?.port)
        let closed = DispatchSemaphore(value: 0)
        server.closeFuture.whenComplete { _ in closed.signal() }
        source = nil
        #expect(closed.wait(timeout: .now() + 120) == .success, "the listening socket is still open")
        // The port can be listened on again.
        let (_, again) = try ConnectorRegistry.standard.resolve("tcp://127.0.0.1:\(port)?mode=listen", as: .source)
        let reopened = try TCPConnector.openSource(again)
        #expect(reopened.server?.localAddress?.port == port)
        _ = source
    }

    /// A file sink refuses writes after `close` (its descriptor is closed and its number may belong to another
    /// file by then) with an error naming the file; what was written before is in the file, whole.
    @Test func aClosedFileSinkRefusesFurtherWrites() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("out.ndjson")
        let sink = try FileByteSink(path: path, append: false)
        try Array("{\"a\":1}\n".utf8).withUnsafeBytes { try sink.write($0) }
        try sink.close()
        try sink.close()  // again: nothing happens
        for attempt in ["write", "flush", "synchronize"] {
            let error = #expect(throws: ConnectorError.self, "\(attempt)") {
                switch attempt {
                case "write": try Array("{\"b\":2}\n".utf8).withUnsafeBytes { try sink.write($0) }
                case "flush": try sink.flush()
                default: try sink.synchronize()
                }
            }
            #expect(error?.message == "cannot write to \(path): the sink is closed", "\(attempt)")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}\n")
    }

    /// A listening TCP sink that no peer ever connected to, with nothing to send, closes at once: before, its
    /// `close` waited for a peer forever, so a run that produced no output never ended. (The semaphore's limit
    /// only keeps a regression from hanging the test run; nothing here is timed.)
    @Test func aListeningSinkWithNoPeerAndNothingToSendClosesWithoutWaiting() throws {
        let (_, listen) = try ConnectorRegistry.standard.resolve("tcp://127.0.0.1:0?mode=listen", as: .sink)
        let sink = try TCPConnector.openSink(listen)
        let closed = DispatchSemaphore(value: 0)
        let outcome = NIOLockedValueBox<String>("not closed")
        DispatchQueue.global().async {
            do {
                try sink.close()
                outcome.withLockedValue { $0 = "closed" }
            } catch {
                outcome.withLockedValue { $0 = "\(error)" }
            }
            closed.signal()
        }
        #expect(closed.wait(timeout: .now() + 120) == .success, "close() is waiting for a peer that never came")
        #expect(outcome.withLockedValue { $0 } == "closed")
    }

    @Test func anIdleTCPConnectionGivesTicksThenItsBytes() throws {
        let (_, listen) = try ConnectorRegistry.standard.resolve("tcp://127.0.0.1:0?mode=listen&idle-timeout=40", as: .source)
        var source = try TCPConnector.openSource(listen)
        let port = try #require(source.server?.localAddress?.port)
        #expect(source.framingIdleTimeout?.limitNanoseconds == 40_000_000)
        let (_, connect) = try ConnectorRegistry.standard.resolve("tcp://127.0.0.1:\(port)", as: .sink)
        let sink = try TCPConnector.openSink(connect)
        var chunks: [[UInt8]] = []
        // Nothing sent yet: the read returns one empty chunk (a tick) instead of waiting for bytes.
        #expect(try source.read(into: &chunks, maxCount: 16))
        #expect(chunks == [[]])
        try Array("{\"a\":1}\n".utf8).withUnsafeBytes { try sink.write($0) }
        try sink.flush()
        var received: [UInt8] = []
        var reads = 0
        while received.count < 8 && reads < 100_000 {
            chunks.removeAll()
            _ = try source.read(into: &chunks, maxCount: 16)
            received += chunks.joined()
            reads += 1
        }
        #expect(String(decoding: received, as: UTF8.self) == "{\"a\":1}\n")
        try sink.close()
        var more = true
        while more && reads < 200_000 {
            chunks.removeAll()
            more = try source.read(into: &chunks, maxCount: 16)
            #expect(chunks.allSatisfy { $0.isEmpty }, "only ticks after the bytes")
            reads += 1
        }
        #expect(!more, "the source ends when the peer closes")
    }
}
