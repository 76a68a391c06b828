import Foundation
@testable import SluiceConnectors
import SluiceManifest
import SluiceTestKit
import Testing

/// The Redis Streams source and sink through manifest runs (the code path of `sluice run`), against a real
/// `redis-server`: acknowledgement after durable output, dead letters, takeover of a dead consumer's entries,
/// the transactional Redis-to-Redis path, and the lag.
@Suite(.enabled(if: redisAvailable, "\(redisSkipReason)"), .timeLimit(.minutes(1)))
struct RedisStreamsTests {
    static func run(_ text: String) async throws -> RunSummary {
        let plan = try ManifestCompiler.compile(try ManifestReader().read(text: text, file: "redis.yaml"))
        return try await ManifestRunner(plan: plan).run()
    }

    static func pending(_ pool: RedisConnectionPool, stream: String, partitions: Int, group: String = "sluice") throws -> Int64 {
        try (0..<partitions).map { partition in
            try pool.sendWaiting([RESPCommand("XPENDING", "\(stream):\(partition)", group)])[0].elements?[0].integer ?? -1
        }.reduce(0, +)
    }

    @Test(arguments: ["sync", "concurrent"])
    func everyGoodEntryReachesTheFileAndEveryEntryIsAcknowledged(engine: String) async throws {
        try await withRedisServer { server, pool in
            let folder = TemporaryDirectory()
            defer { folder.remove() }
            try produce(pool, stream: "in", partitions: 4, count: 1_000)
            _ = try pool.sendWaiting([
                RESPCommand("XADD", "in:1", "*", "data", "{not json"),
                RESPCommand("XADD", "in:2", "*", "other", "no data field"),
            ])
            let summary = try await Self.run("""
                name: to-file
                source: redis://\(server.address)/in?partitions=4&idle-exit-ms=300&lease-ms=1000&batch=64
                stages:
                  - name: kept
                    filter: '.keep'
                  - name: rejects
                    dead-letter: file:\(folder.file("dead.ndjson"))
                sink: file:\(folder.file("out.ndjson"))
                engine: \(engine)
                """)
            let lines = try String(contentsOfFile: folder.file("out.ndjson"), encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(Set(numbers(lines)) == Set((0..<1_000).filter { $0 % 5 != 0 }))
            #expect(lines.count == 800)
            #expect(summary.documentsRejected == 1)
            #expect(try String(contentsOfFile: folder.file("dead.ndjson"), encoding: .utf8).contains("{not json"))
            // The entry without the field went to the dead-letter stream, with its stream, ID and reason.
            let dead = try pool.sendWaiting([RESPCommand("XRANGE", "in:dead", "-", "+")])[0].elements ?? []
            #expect(dead.count == 1)
            #expect(entryText(dead.first).contains("has no field 'data'"))
            #expect(try Self.pending(pool, stream: "in", partitions: 4) == 0)
        }
    }

    @Test func redisToRedisWritesEachInputOnceWithItsSourceAndAcknowledgesInTheSameTransaction() async throws {
        try await withRedisServer { server, pool in
            try produce(pool, stream: "raw", partitions: 3, count: 600)
            let summary = try await Self.run("""
                name: to-redis
                source: redis://\(server.address)/raw?partitions=3&idle-exit-ms=300&lease-ms=1000&batch=50
                stages:
                  - name: kept
                    filter: '.keep'
                  - name: by-key
                    key: .key
                sink: redis://\(server.address)/clean?partitions=5
                engine: concurrent
                """)
            #expect(summary.documentsWritten == 480)
            let (documents, sources) = try readAll(pool, stream: "clean", partitions: 5)
            #expect(documents.count == 480)
            #expect(Set(sources).count == 480)
            #expect(Set(numbers(documents)) == Set((0..<600).filter { $0 % 5 != 0 }))
            // Each record sits in the partition its key hashes to.
            for partition in 0..<5 {
                let reply = try pool.sendWaiting([RESPCommand("XRANGE", "clean:\(partition)", "-", "+")])[0]
                for entry in reply.elements ?? [] {
                    let text = entryText(entry)
                    guard let range = text.range(of: "k[0-9]+", options: .regularExpression) else { continue }
                    let key = "\"\(text[range])\""
                    #expect(Array(key.utf8).withUnsafeBytes { RedisStreamSink.partition(of: $0, partitions: 5) } == partition)
                }
            }
            #expect(try Self.pending(pool, stream: "raw", partitions: 3) == 0)
        }
    }

    @Test func aDeadConsumersEntriesAreClaimedAndTooOftenDeliveredOnesAreDeadLettered() async throws {
        try await withRedisServer { server, pool in
            let folder = TemporaryDirectory()
            defer { folder.remove() }
            try produce(pool, stream: "jobs", partitions: 2, count: 200)
            // A node that died: it read everything (pending under its name) and held both leases, which expire.
            var setup = [RESPCommand]()
            for partition in 0..<2 {
                setup.append(RESPCommand("XGROUP", "CREATE", "jobs:\(partition)", "sluice", "0"))
                setup.append(RESPCommand("XREADGROUP", "GROUP", "sluice", "ghost", "COUNT", "1000", "STREAMS", "jobs:\(partition)", ">"))
                setup.append(RESPCommand("SET", "sluice:lease:jobs:sluice:\(partition)", "ghost", "PX", "300"))
            }
            let replies = try pool.sendWaiting(setup)
            // One entry has been delivered many times already: it must go to the dead-letter stream.
            let poisonID = replies[1].elements?[0].elements?[1].elements?[0].elements?[0].text ?? ""
            _ = try pool.sendWaiting([RESPCommand("XCLAIM", "jobs:0", "sluice", "ghost", "0", poisonID, "RETRYCOUNT", "9")])
            #expect(try Self.pending(pool, stream: "jobs", partitions: 2) == 200)

            let summary = try await Self.run("""
                name: takeover
                source: redis://\(server.address)/jobs?partitions=2&idle-exit-ms=300&lease-ms=300&max-deliveries=3
                sink: file:\(folder.file("out.ndjson"))
                """)
            #expect(summary.documentsWritten == 199)
            let lines = try String(contentsOfFile: folder.file("out.ndjson"), encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(Set(numbers(lines)).count == 199)
            let dead = try pool.sendWaiting([RESPCommand("XRANGE", "jobs:dead", "-", "+")])[0].elements ?? []
            #expect(dead.count == 1)
            #expect(entryText(dead.first).contains(poisonID))
            #expect(entryText(dead.first).contains("max-deliveries 3"))
            #expect(try Self.pending(pool, stream: "jobs", partitions: 2) == 0)
        }
    }

    /// A group created at an ID inside the stream: Redis cannot count its lag (it answers null, as it may after a
    /// restart). The lag is then unknown, not 0: the gauge's sum leaves the partition out and counts it as unknown,
    /// and the end-of-input check looks at the stream itself (`XRANGE` after the last delivered ID).
    @Test func aLagRedisCannotCountIsUnknownNotZero() async throws {
        try await withRedisServer { server, pool in
            try produce(pool, stream: "nolag", partitions: 1, count: 10)
            let ids = try pool.sendWaiting([RESPCommand("XRANGE", "nolag:0", "-", "+")])[0].elements?
                .compactMap { $0.elements?.first?.text } ?? []
            #expect(ids.count == 10)
            let start = try #require(ids.dropFirst(3).first)
            _ = try pool.sendWaiting([RESPCommand("XGROUP", "CREATE", "nolag:0", "sluice", start)])
            let source = try Self.openSource("redis://\(server.address)/nolag?partitions=1&lease-ms=60000&batch=10&block-ms=5")
            defer { source.close() }
            let first = source.lagAndPending
            #expect(first.lag == 0 && first.pending == 0 && first.unknownLagPartitions == 1, "\(first)")
            let unknown = try source.leases.readProgress([0]).unknownLag
            #expect(unknown == [0: start])
            #expect(try source.leases.hasUndelivered(unknown))
            var reader = RedisStreamReader(source: source)
            var chunks: [[UInt8]] = []
            #expect(try reader.read(into: &chunks, maxCount: 16))
            // The 6 entries after the group's start.
            #expect(Self.entryEnds(chunks).count == 6)
            let after = try source.leases.readProgress([0])
            #expect(after.pending == 6)
            #expect(try !source.leases.hasUndelivered(after.unknownLag))
        }
    }

    @Test func lagIsReadFromTheGroupAndLeasesAreSharedBetweenTwoSources() async throws {
        try await withRedisServer { server, pool in
            try produce(pool, stream: "lag", partitions: 4, count: 100)
            let uri = "redis://\(server.address)/lag?partitions=4&lease-ms=60000"
            let first = try Self.openSource(uri)
            defer { first.close() }
            #expect(first.ownedPartitions == [0, 1, 2, 3])
            #expect(first.lagAndPending.lag == 100)
            let second = try Self.openSource(uri)
            defer { second.close() }
            // The second node joined: at its first round it finds every partition taken; the first gives back
            // half at its next round, and the second takes them at its next.
            try first.leases.round()
            try second.leases.round()
            #expect(first.ownedPartitions.count == 2)
            #expect(second.ownedPartitions.count == 2)
            #expect(first.ownedPartitions.isDisjoint(with: second.ownedPartitions))
        }
    }
    /// A Redis Streams source opened from `uri`, as `sluice run` opens one (its first lease round done).
    static func openSource(_ uri: String) throws -> RedisStreamSource {
        let (_, endpoint) = try ConnectorRegistry.standard.resolve(uri, as: .source)
        return try RedisStreamSource(configuration: try RedisStreamConfiguration(endpoint))
    }

    /// Reads up to `count` new entries of `stream` in the group as the consumer "previous-owner" (a node that has
    /// not yet seen its lease go), leaving them pending under that name; returns how many it read.
    static func readAsPreviousOwner(
        _ pool: RedisConnectionPool, stream: String, count: Int, consumer: String = "previous-owner"
    ) throws -> Int {
        let reply = try pool.sendWaiting([
            RESPCommand("XREADGROUP", "GROUP", "sluice", consumer, "COUNT", String(count), "STREAMS", stream, ">")
        ])[0]
        return reply.elements?.first?.elements?[1].elements?.count ?? 0
    }

    /// Runs `body` on a dispatch queue (a thread outside the concurrency pool) and waits for it without blocking
    /// the calling task's thread.
    static func offThePool(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                do {
                    try body()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Returns once the partition streams of `stream` hold at least `count` entries together. The server does
    /// the waiting (`XREAD BLOCK` after the last entry of each), so nothing sleeps; the suite's time limit bounds it.
    static func waitForEntries(_ pool: RedisConnectionPool, stream: String, partitions: Int, atLeast count: Int) throws {
        let streams = (0..<partitions).map { "\(stream):\($0)" }
        while true {
            let lengths = try pool.sendWaiting(streams.map { RESPCommand("XLEN", $0) })
            if lengths.reduce(0, { $0 + Int($1.integer ?? 0) }) >= count { return }
            let last = try pool.sendWaiting(streams.map { RESPCommand("XREVRANGE", $0, "+", "-", "COUNT", "1") })
            var read = RESPCommand("XREAD", "BLOCK", "1000", "COUNT", "1", "STREAMS")
            for name in streams { read.append(name) }
            for reply in last { read.append(reply.elements?.first?.elements?.first?.text ?? "0-0") }
            _ = try pool.sendWaiting([read], extraTimeout: .seconds(1))
        }
    }

    /// A Redis Streams sink opened from `uri`.
    static func openSink(_ uri: String) throws -> RedisStreamSink {
        let (_, endpoint) = try ConnectorRegistry.standard.resolve(uri, as: .sink)
        return RedisStreamSink(configuration: try RedisStreamConfiguration(endpoint))
    }

    /// What a pipeline that maps each entry to one output does: one record per entry (ending at `ends`), then
    /// one commit acknowledging all of them.
    static func commitOneOutputPerEntry(_ ends: [Int], sink: RedisStreamSink, source: RedisStreamSource) throws {
        for end in ends { try [UInt8](#"{"n":0}"#.utf8).withUnsafeBytes { try sink.write(record: $0, key: nil, inputOffset: end - 1) } }
        _ = try sink.commit(acknowledging: source, through: ends.last ?? 0)
    }

    /// The ends of the length-prefixed entries in `chunks` (4-byte big-endian length, then the document), in
    /// the reader's byte offsets.
    static func entryEnds(_ chunks: [[UInt8]]) -> [Int] {
        var ends: [Int] = []
        var offset = 0
        for chunk in chunks {
            var index = 0
            while index + 4 <= chunk.count {
                let length = chunk[index..<(index + 4)].reduce(0) { $0 << 8 | Int($1) }
                index += 4 + length
                ends.append(offset + index)
            }
            offset += chunk.count
        }
        return ends
    }

    @Test func aReaderHandsOnAtMostPrefetchEntriesUntilTheyAreAcknowledged() async throws {
        try await withRedisServer { server, pool in
            try produce(pool, stream: "ahead", partitions: 3, count: 300)
            let source = try Self.openSource(
                "redis://\(server.address)/ahead?partitions=3&lease-ms=60000&batch=50&prefetch=120&block-ms=5")
            defer { source.close() }
            #expect(source.ownedPartitions == [0, 1, 2])
            var reader = RedisStreamReader(source: source)
            var chunks: [[UInt8]] = []
            var delivered = 0
            for _ in 0..<20 {
                #expect(try reader.read(into: &chunks, maxCount: 16))
                // One read takes at most `batch` entries over all its partitions.
                #expect(source.delivered - delivered <= 50)
                delivered = source.delivered
            }
            // The bound holds: 120 handed on, 120 pending in the group, the other 180 unread in Redis.
            #expect(delivered == 120)
            #expect(source.unacknowledged == 120)
            #expect(try Self.pending(pool, stream: "ahead", partitions: 3) == 120)
            #expect(Self.entryEnds(chunks).count == 120)
            // At the bound a read waits (block-ms) and hands on nothing.
            let count = chunks.count
            #expect(try reader.read(into: &chunks, maxCount: 16))
            #expect(chunks.count == count)
            // Acknowledging 40 makes room for 40 more, not more.
            try source.acknowledge(through: Self.entryEnds(chunks)[39])
            #expect(try Self.pending(pool, stream: "ahead", partitions: 3) == 80)
            for _ in 0..<5 { #expect(try reader.read(into: &chunks, maxCount: 16)) }
            #expect(source.delivered == 160)
            #expect(source.unacknowledged == 120)
            #expect(try Self.pending(pool, stream: "ahead", partitions: 3) == 120)
            // Fewer entries allowed than partitions: one entry from one partition, then the next in turn.
            let ends = Self.entryEnds(chunks)
            try source.acknowledge(through: ends[40])
            #expect(try reader.read(into: &chunks, maxCount: 16))
            #expect(source.delivered == 161)
            #expect(source.unacknowledged == 120)
        }
    }
    /// A node whose lease expired (a stall longer than the lease) and that takes the partition again must not
    /// commit the entries it read under the lost lease: it claims them again under the new one, and each input
    /// gets one output.
    @Test func entriesReadUnderALostLeaseAreCommittedOnceAfterTheNodeTakesThePartitionAgain() async throws {
        try await withRedisServer { server, pool in
            try produce(pool, stream: "fence", partitions: 1, count: 40)
            let source = try Self.openSource(
                "redis://\(server.address)/fence?partitions=1&lease-ms=60000&batch=100&block-ms=5")
            defer { source.close() }
            let sink = try Self.openSink("redis://\(server.address)/fenced?partitions=1")
            defer { try? sink.close() }
            var reader = RedisStreamReader(source: source)
            var chunks: [[UInt8]] = []
            #expect(try reader.read(into: &chunks, maxCount: 16))
            #expect(source.delivered == 40)
            // The lease runs out while the 40 entries are in the pipeline, and the next round takes it again.
            _ = try pool.sendWaiting([RESPCommand("DEL", source.configuration.leaseKey(0))])
            try source.leases.round()
            #expect(source.ownedPartitions == [0])
            // The reader claims the 40 (still pending) under the new lease and hands them on again.
            #expect(try reader.read(into: &chunks, maxCount: 16))
            #expect(source.delivered == 80)
            // The pipeline's output for all 80 handed on reaches the sink and is committed.
            let ends = Self.entryEnds(chunks)
            #expect(ends.count == 80)
            try Self.commitOneOutputPerEntry(ends, sink: sink, source: source)
            let (documents, sources) = try readAll(pool, stream: "fenced", partitions: 1)
            #expect(documents.count == 40)
            #expect(Set(sources).count == 40)
            #expect(try Self.pending(pool, stream: "fence", partitions: 1) == 0)
        }
    }

    /// Entries stranded in a partition the node holds, pending under a name that will never commit them:
    /// - another consumer's (the race a once-only takeover claim leaves: the previous owner reads entries after the
    ///   new owner claimed the partition's pending ones, and can never commit them);
    /// - this node's own, outside its pipeline (a server that crashed lost their acknowledgement, or a delivery
    ///   whose reply never came).
    /// The periodic claim of stranded entries takes them, never the node's own entries in its pipeline, and each
    /// input gets one output.
    @Test(arguments: [false, true])
    func strandedEntriesAreClaimedAndCommittedOnce(underTheNodesOwnName: Bool) async throws {
        try await withRedisServer { server, pool in
            let stream = underTheNodesOwnName ? "own" : "strand"
            try produce(pool, stream: stream, partitions: 1, count: 30)
            let source = try Self.openSource(
                "redis://\(server.address)/\(stream)?partitions=1&lease-ms=60000&batch=10&block-ms=5")
            defer { source.close() }
            let sink = try Self.openSink("redis://\(server.address)/\(stream)-out?partitions=1")
            defer { try? sink.close() }
            var reader = RedisStreamReader(source: source)
            var chunks: [[UInt8]] = []
            #expect(try reader.read(into: &chunks, maxCount: 16))
            #expect(source.delivered == 10)
            // 10 more become pending without reaching the pipeline: read by the previous owner, not yet aware that
            // it lost the lease, or under this node's own name.
            let consumer = underTheNodesOwnName ? source.configuration.consumer : "previous-owner"
            #expect(try Self.readAsPreviousOwner(pool, stream: "\(stream):0", count: 10, consumer: consumer) == 10)
            #expect(try reader.read(into: &chunks, maxCount: 16))
            #expect(try reader.read(into: &chunks, maxCount: 16))
            #expect(source.delivered == 20)
            #expect(try Self.pending(pool, stream: stream, partitions: 1) == 30)
            // The periodic claim takes the stranded 10, never this node's 20 in its pipeline.
            #expect(try reader.claimStranded(minIdleMilliseconds: 0) == 10)
            #expect(try reader.claimStranded(minIdleMilliseconds: 0) == 0)
            #expect(try reader.read(into: &chunks, maxCount: 16))
            #expect(source.delivered == 30)
            let ends = Self.entryEnds(chunks)
            #expect(ends.count == 30)
            try Self.commitOneOutputPerEntry(ends, sink: sink, source: source)
            let (documents, sources) = try readAll(pool, stream: "\(stream)-out", partitions: 1)
            #expect(documents.count == 30)
            #expect(Set(sources).count == 30)
            #expect(try Self.pending(pool, stream: stream, partitions: 1) == 0)
        }
    }

    /// `count` documents produced to the 1-partition stream `stream`, a source on it at `address` (lease 60 s,
    /// reads of up to 100) and a sink to `output` with `partitions` partitions; the caller closes both.
    static func openOnePartitionPair(
        _ pool: RedisConnectionPool, address: String, stream: String, count: Int, output: String, partitions: Int = 1
    ) throws -> (source: RedisStreamSource, sink: RedisStreamSink) {
        try produce(pool, stream: stream, partitions: 1, count: count)
        let source = try openSource("redis://\(address)/\(stream)?partitions=1&lease-ms=60000&batch=100&block-ms=5")
        return (source, try openSink("redis://\(address)/\(output)?partitions=\(partitions)"))
    }

    /// Appends 5 entries without a `data` field to `stream` and reads them in the group as `source`'s consumer
    /// (pending under its name); returns them and the lease value of partition 0 they were read under.
    static func readFiveBadEntries(
        _ pool: RedisConnectionPool, source: RedisStreamSource, stream: String
    ) throws -> (entries: [RedisStreamReplies.Entry], tenure: String) {
        let configuration = source.configuration
        let tenure = try #require(source.leases.tenures[0])
        _ = try pool.sendWaiting((0..<5).map { RESPCommand("XADD", stream, "*", "other", "x\($0)") })
        let reply = try pool.sendWaiting([
            RESPCommand("XREADGROUP", "GROUP", configuration.group, configuration.consumer, "COUNT", "10", "STREAMS", stream, ">")
        ])[0]
        let entries = try RedisStreamReplies.streams(reply, server: pool.server).flatMap(\.entries)
        #expect(entries.count == 5)
        return (entries, tenure)
    }

    /// A node that read bad entries under a lease another node has taken meanwhile must not dead-letter them:
    /// they stay pending for the lease's new tenure, and each is dead-lettered once.
    @Test func deadLettersAreFencedByTheLeaseTheEntryWasReadUnder() async throws {
        try await withRedisServer { server, pool in
            let source = try Self.openSource(
                "redis://\(server.address)/bad?partitions=1&lease-ms=60000&batch=10&block-ms=5")
            defer { source.close() }
            let configuration = source.configuration
            // This node reads 5 bad entries under its lease; then another node takes the lease.
            let (entries, tenure) = try Self.readFiveBadEntries(pool, source: source, stream: "bad:0")
            _ = try pool.sendWaiting([RESPCommand("SET", configuration.leaseKey(0), "other-node#1", "PX", "60000")])
            var reader = RedisStreamReader(source: source)
            #expect(try reader.deadLetter(entries.map { (0, $0, "the entry has no field 'data'", tenure) }) == 0)
            #expect(try pool.sendWaiting([RESPCommand("XLEN", "bad:dead")])[0].integer == 0)
            #expect(try Self.pending(pool, stream: "bad", partitions: 1) == 5)
            // The other node goes; this node takes the partition again, claims the 5 and dead-letters each once
            // (the partition was taken twice before the reader's first read: it is claimed once all the same).
            _ = try pool.sendWaiting([RESPCommand("DEL", configuration.leaseKey(0))])
            try source.leases.round()
            #expect(source.ownedPartitions == [0])
            #expect(source.leases.tenures[0] != tenure)
            var chunks: [[UInt8]] = []
            #expect(try reader.read(into: &chunks, maxCount: 16))
            #expect(chunks.isEmpty)
            let dead = try pool.sendWaiting([RESPCommand("XRANGE", "bad:dead", "-", "+")])[0].elements ?? []
            #expect(dead.count == 5, "\(dead.map { entryText($0) })")
            #expect(dead.allSatisfy { entryText($0).contains("has no field 'data'") })
            #expect(try Self.pending(pool, stream: "bad", partitions: 1) == 0)
        }
    }

    /// A partition taken (again) is read and scanned for stranded entries only after its takeover claim: a scan
    /// or a read before it would hand on entries that the claim then hands on again under the same lease value,
    /// and both copies would be committed.
    @Test func aPartitionTakenAgainIsNeitherScannedNorReadBeforeItsTakeoverClaim() async throws {
        try await withRedisServer { server, pool in
            try produce(pool, stream: "retake", partitions: 1, count: 20)
            let source = try Self.openSource(
                "redis://\(server.address)/retake?partitions=1&lease-ms=60000&batch=10&block-ms=5")
            defer { source.close() }
            let sink = try Self.openSink("redis://\(server.address)/retaken?partitions=1")
            defer { try? sink.close() }
            var reader = RedisStreamReader(source: source)
            var chunks: [[UInt8]] = []
            #expect(try reader.read(into: &chunks, maxCount: 16))
            #expect(source.delivered == 10)
            // Another consumer holds the other 10 pending; then this node loses the lease and takes it again.
            #expect(try Self.readAsPreviousOwner(pool, stream: "retake:0", count: 10) == 10)
            _ = try pool.sendWaiting([RESPCommand("DEL", source.configuration.leaseKey(0))])
            try source.leases.round()
            #expect(source.ownedPartitions == [0])
            // Not yet claimed under the new lease: the scan leaves the partition alone.
            #expect(try reader.claimStranded(minIdleMilliseconds: 0) == 0)
            // The read claims all 20 pending (this node's 10 and the other consumer's) under the new lease, and
            // hands each on once.
            for _ in 0..<4 { #expect(try reader.read(into: &chunks, maxCount: 16)) }
            #expect(source.delivered == 30)
            #expect(try reader.claimStranded(minIdleMilliseconds: 0) == 0)
            let ends = Self.entryEnds(chunks)
            #expect(ends.count == 30)
            try Self.commitOneOutputPerEntry(ends, sink: sink, source: source)
            let (documents, sources) = try readAll(pool, stream: "retaken", partitions: 1)
            #expect(documents.count == 20)
            #expect(Set(sources).count == 20)
            #expect(try Self.pending(pool, stream: "retake", partitions: 1) == 0)
        }
    }

    /// Entries delivered again (claimed) after they were committed, or twice in one commit: the sink is
    /// idempotent, keyed by entry ID, so each input still has its outputs once, and a commit holding entries
    /// already committed and new ones writes only the new ones' outputs.
    @Test func entriesCommittedAlreadyOrTwiceInACommitGetTheirOutputsOnce() async throws {
        try await withRedisServer { server, pool in
            let (source, sink) = try Self.openOnePartitionPair(
                pool, address: server.address, stream: "again", count: 20, output: "again-out", partitions: 2)
            defer { source.close(); try? sink.close() }
            var reader = RedisStreamReader(source: source)
            var chunks: [[UInt8]] = []
            #expect(try reader.read(into: &chunks, maxCount: 16))
            let ends = Self.entryEnds(chunks)
            #expect(ends.count == 20)
            let entries = source.take(through: try #require(ends.last))
            #expect(entries.count == 20)
            #expect(!entries.contains { $0.redelivered })
            // Two records per entry, one to each output partition.
            func records(_ entries: [RedisStreamSource.Handed]) -> [RedisStreamSink.Pending] {
                entries.flatMap { entry in
                    (0..<2).map { RedisStreamSink.Pending(partition: $0, bytes: Array(#"{"id":"\#(entry.id)"}"#.utf8), inputOffset: entry.end - 1) }
                }
            }
            // The first 8 committed as read; then all 20 as if claimed again; then once more.
            let first = Array(entries.prefix(8))
            #expect(try sink.commitTransaction(records(first), entries: first, input: source) == 16)
            var again = entries
            for index in again.indices { again[index].redelivered = true }
            #expect(try sink.commitTransaction(records(again), entries: again, input: source) == 24)
            #expect(try sink.commitTransaction(records(again), entries: again, input: source) == 0)
            let (documents, sources) = try readAll(pool, stream: "again-out", partitions: 2)
            #expect(documents.count == 40)
            #expect(Set(documents).count == 20)
            #expect(Dictionary(grouping: sources, by: { $0 }).values.allSatisfy { $0.count == 2 })
            #expect(try Self.pending(pool, stream: "again", partitions: 1) == 0)
        }
    }

    /// One entry twice in one commit (read, and claimed again before the first copy was committed): its outputs
    /// are written once.
    @Test func anEntryTwiceInOneCommitGetsItsOutputsOnce() async throws {
        try await withRedisServer { server, pool in
            let (source, sink) = try Self.openOnePartitionPair(pool, address: server.address, stream: "twin", count: 3, output: "twin-out")
            defer { source.close(); try? sink.close() }
            var reader = RedisStreamReader(source: source)
            var chunks: [[UInt8]] = []
            #expect(try reader.read(into: &chunks, maxCount: 16))
            var entries = source.take(through: try #require(Self.entryEnds(chunks).last))
            #expect(entries.count == 3)
            var copy = entries[1]
            copy.redelivered = true
            copy.end = entries[2].end + 10
            entries.append(copy)
            let records = entries.map { RedisStreamSink.Pending(partition: 0, bytes: Array(#"{"id":"\#($0.id)"}"#.utf8), inputOffset: $0.end - 1) }
            #expect(try sink.commitTransaction(records, entries: entries, input: source) == 3)
            let (documents, _) = try readAll(pool, stream: "twin-out", partitions: 1)
            #expect(documents.count == 3)
            #expect(Set(documents).count == 3)
            #expect(try Self.pending(pool, stream: "twin", partitions: 1) == 0)
        }
    }

    /// Dead-lettering entries again (the reply to the first time lost) moves none of them twice.
    @Test func deadLetteringTheSameEntriesAgainMovesEachOnce() async throws {
        try await withRedisServer { server, pool in
            let source = try Self.openSource(
                "redis://\(server.address)/twice?partitions=1&lease-ms=60000&batch=10&block-ms=5")
            defer { source.close() }
            let (entries, tenure) = try Self.readFiveBadEntries(pool, source: source, stream: "twice:0")
            let dead = entries.map { (0, $0, "the entry has no field 'data'", tenure) }
            let reader = RedisStreamReader(source: source)
            #expect(try reader.deadLetter(Array(dead.prefix(2))) == 2)
            #expect(try reader.deadLetter(dead) == 3)
            #expect(try reader.deadLetter(dead) == 0)
            let moved = try pool.sendWaiting([RESPCommand("XRANGE", "twice:dead", "-", "+")])[0].elements ?? []
            #expect(moved.count == 5)
            for entry in entries {
                #expect(moved.filter { entryText($0).contains(entry.id) }.count == 1, "\(entry.id)")
            }
            #expect(try Self.pending(pool, stream: "twice", partitions: 1) == 0)
        }
    }

    /// The commit's transaction ran in Redis and its reply was lost (the connection cut just then): the sink does
    /// the commit again on a new connection and, idempotent by entry ID, writes every output once.
    @Test func aCommitWhoseReplyWasLostIsDoneAgainAndWritesEachOutputOnce() async throws {
        try await withRedisServer { server, pool in
            let proxy = try ReplyDroppingProxy(upstreamPort: server.port)
            defer { proxy.close() }
            let (source, sink) = try Self.openOnePartitionPair(
                pool, address: "127.0.0.1:\(proxy.port)", stream: "lost", count: 20, output: "lost-out")
            defer { source.close(); try? sink.close() }
            var reader = RedisStreamReader(source: source)
            var chunks: [[UInt8]] = []
            #expect(try reader.read(into: &chunks, maxCount: 16))
            let ends = Self.entryEnds(chunks)
            #expect(ends.count == 20)
            proxy.arm()
            try Self.commitOneOutputPerEntry(ends, sink: sink, source: source)
            #expect(proxy.cuts == 1)
            let (documents, sources) = try readAll(pool, stream: "lost-out", partitions: 1)
            #expect(documents.count == 20)
            #expect(Set(sources).count == 20)
            #expect(try Self.pending(pool, stream: "lost", partitions: 1) == 0)
        }
    }

    /// A read whose reply was lost (the connection cut after Redis delivered the entries to this consumer): the
    /// read returns no chunk instead of failing, and the next read claims the entries pending under this node's
    /// name again, except those already handed on, so each input is handed on and committed once.
    @Test func aReadWhoseReplyWasLostHandsItsEntriesOnAtTheNextReadAndOnlyThose() async throws {
        try await withRedisServer { server, pool in
            let proxy = try ReplyDroppingProxy(upstreamPort: server.port)
            defer { proxy.close() }
            let (source, sink) = try Self.openOnePartitionPair(
                pool, address: "127.0.0.1:\(proxy.port)", stream: "lostread", count: 20, output: "lostread-out")
            defer { source.close(); try? sink.close() }
            var reader = RedisStreamReader(source: source)
            var chunks: [[UInt8]] = []
            #expect(try reader.read(into: &chunks, maxCount: 16))
            #expect(Self.entryEnds(chunks).count == 20)
            try produce(pool, stream: "lostread", partitions: 1, count: 10, start: 20)
            proxy.arm("XREADGROUP")
            #expect(try reader.read(into: &chunks, maxCount: 16))
            #expect(proxy.cuts == 1)
            #expect(Self.entryEnds(chunks).count == 20)
            // Redis delivered the 10 new entries to this consumer: 30 are pending under its name.
            #expect(try Self.pending(pool, stream: "lostread", partitions: 1) == 30)
            #expect(try reader.read(into: &chunks, maxCount: 16))
            // The 10 the lost reply held, not again the 20 handed on before it.
            let ends = Self.entryEnds(chunks)
            #expect(ends.count == 30)
            // Deliveries: the 20 in the pipeline still 1, the 10 taken again 2 (the lost read and the claim).
            let deliveries = try pool.sendWaiting([RESPCommand("XPENDING", "lostread:0", "sluice", "-", "+", "100")])[0]
                .elements?.compactMap { $0.elements?[3].integer } ?? []
            #expect(deliveries == Array(repeating: 1, count: 20) + Array(repeating: 2, count: 10))
            try Self.commitOneOutputPerEntry(ends, sink: sink, source: source)
            let (documents, sources) = try readAll(pool, stream: "lostread-out", partitions: 1)
            #expect(documents.count == 30)
            #expect(Set(sources).count == 30)
            #expect(try Self.pending(pool, stream: "lostread", partitions: 1) == 0)
        }
    }

    /// A takeover claim whose connection was cut (the server restarted while the node claimed a partition it had
    /// just taken), at its first `XAUTOCLAIM` page or its second: the next read claims the partition again and
    /// then reads it, and what the cut claim had queued is not handed on twice. The partition used to stay held,
    /// renewed and never read, and the nodes never ended.
    @Test(arguments: [0, 1])
    func aTakeoverClaimWhoseConnectionWasCutIsDoneAgain(pagesBeforeTheCut: Int) async throws {
        try await withRedisServer { server, pool in
            let proxy = try ReplyDroppingProxy(upstreamPort: server.port)
            defer { proxy.close() }
            let stream = "lostclaim\(pagesBeforeTheCut)"
            try produce(pool, stream: stream, partitions: 1, count: 30)
            let source = try Self.openSource(
                "redis://127.0.0.1:\(proxy.port)/\(stream)?partitions=1&lease-ms=60000&batch=10&block-ms=5")
            defer { source.close() }
            let sink = try Self.openSink("redis://127.0.0.1:\(proxy.port)/\(stream)-out?partitions=1")
            defer { try? sink.close() }
            #expect(source.ownedPartitions == [0])
            // The previous owner had read 20 and died: they wait, pending under its name, for the takeover claim
            // (the reader's first read), which takes them in two pages of 10.
            #expect(try Self.readAsPreviousOwner(pool, stream: "\(stream):0", count: 20) == 20)
            var reader = RedisStreamReader(source: source)
            var chunks: [[UInt8]] = []
            proxy.arm("XAUTOCLAIM", skipping: pagesBeforeTheCut)
            #expect(try reader.read(into: &chunks, maxCount: 16))
            #expect(proxy.cuts == 1)
            #expect(chunks.isEmpty)
            for _ in 0..<5 { #expect(try reader.read(into: &chunks, maxCount: 16)) }
            #expect(source.delivered == 30)
            let ends = Self.entryEnds(chunks)
            #expect(ends.count == 30)
            try Self.commitOneOutputPerEntry(ends, sink: sink, source: source)
            let (documents, sources) = try readAll(pool, stream: "\(stream)-out", partitions: 1)
            #expect(documents.count == 30)
            #expect(Set(sources).count == 30)
            #expect(try Self.pending(pool, stream: stream, partitions: 1) == 0)
        }
    }

    /// An acknowledgement whose reply was lost is sent again on a new connection (`XACK` is idempotent): the
    /// entries, already out of the ledger, do not stay pending.
    @Test func anAcknowledgementWhoseReplyWasLostIsSentAgain() async throws {
        try await withRedisServer { server, pool in
            let proxy = try ReplyDroppingProxy(upstreamPort: server.port)
            defer { proxy.close() }
            let (source, sink) = try Self.openOnePartitionPair(
                pool, address: "127.0.0.1:\(proxy.port)", stream: "lostack", count: 12, output: "lostack-out")
            defer { source.close(); try? sink.close() }
            var reader = RedisStreamReader(source: source)
            var chunks: [[UInt8]] = []
            #expect(try reader.read(into: &chunks, maxCount: 16))
            let ends = Self.entryEnds(chunks)
            #expect(ends.count == 12)
            proxy.arm("XACK")
            try source.acknowledge(through: ends.last ?? 0)
            #expect(proxy.cuts == 1)
            #expect(source.unacknowledged == 0)
            #expect(try Self.pending(pool, stream: "lostack", partitions: 1) == 0)
        }
    }

    /// A sink whose input is not on the server (a file, a socket) sends a commit whose replies were lost again:
    /// every record is written, some twice (at-least-once), and the commit does not fail.
    @Test func aCommitFromAnotherInputWhoseRepliesWereLostIsSentAgain() async throws {
        try await withRedisServer { server, pool in
            let proxy = try ReplyDroppingProxy(upstreamPort: server.port)
            defer { proxy.close() }
            let sink = try Self.openSink("redis://127.0.0.1:\(proxy.port)/plain?partitions=1")
            defer { try? sink.close() }
            for n in 0..<10 { try [UInt8]("{\"n\":\(n)}".utf8).withUnsafeBytes { try sink.write(record: $0, key: nil, inputOffset: -1) } }
            proxy.arm("XADD")
            #expect(try sink.commit(acknowledging: nil, through: 0) == 10)
            #expect(proxy.cuts == 1)
            let (documents, _) = try readAll(pool, stream: "plain", partitions: 1)
            #expect(Set(numbers(documents)) == Set(0..<10))
            #expect(documents.count >= 10)
        }
    }

    /// Reads that keep losing their connection fail the read once more than `maxLostReads` did in a row.
    @Test func readsThatKeepLosingTheirConnectionFailAfterTheLimit() async throws {
        try await withRedisServer { server, pool in
            let proxy = try ReplyDroppingProxy(upstreamPort: server.port)
            defer { proxy.close() }
            let (source, sink) = try Self.openOnePartitionPair(
                pool, address: "127.0.0.1:\(proxy.port)", stream: "flaky", count: 5, output: "flaky-out")
            defer { source.close(); try? sink.close() }
            var reader = RedisStreamReader(source: source)
            var chunks: [[UInt8]] = []
            // The first read loses its XREADGROUP; each next one loses the XPENDING its claim starts with.
            proxy.arm("XREADGROUP")
            #expect(try reader.read(into: &chunks, maxCount: 16))
            for _ in 1..<RedisStreamReader.maxLostReads {
                proxy.arm("XPENDING")
                #expect(try reader.read(into: &chunks, maxCount: 16))
            }
            #expect(chunks.isEmpty)
            proxy.arm("XPENDING")
            #expect(throws: RedisError.self) { try reader.read(into: &chunks, maxCount: 16) }
            #expect(proxy.cuts == RedisStreamReader.maxLostReads + 1)
        }
    }

    /// The Redis server restarts while a Redis → Redis manifest runs (its node waiting in a blocking read): the
    /// node reconnects, keeps its leases (they outlive the restart in the append-only file), and processes what
    /// producers append after the restart; every input has one output.
    @Test func aPipelineRunsOnAcrossARedisRestart() async throws {
        try await withRedisServer { server, pool in
            try produce(pool, stream: "rs", partitions: 2, count: 500)
            let manifest = """
                name: across-restart
                source: redis://\(server.address)/rs?partitions=2&idle-exit-ms=2000&lease-ms=5000&batch=50&block-ms=50
                stages:
                  - name: by-key
                    key: .key
                sink: redis://\(server.address)/rs-out?partitions=2
                engine: concurrent
                """
            let run = Task { try await Self.run(manifest) }
            // The waiting, the restart and the producing block a thread for a while: not one of the concurrency
            // pool's few, which the pipeline itself needs.
            try await Self.offThePool {
                try Self.waitForEntries(pool, stream: "rs-out", partitions: 2, atLeast: 500)
                try server.restart()
                try produce(pool, stream: "rs", partitions: 2, count: 500, start: 500)
            }
            let summary = try await run.value
            #expect(summary.documentsWritten == 1_000)
            let (documents, sources) = try readAll(pool, stream: "rs-out", partitions: 2)
            #expect(documents.count == 1_000)
            #expect(Set(sources).count == 1_000)
            #expect(Set(numbers(documents)) == Set(0..<1_000))
            #expect(try Self.pending(pool, stream: "rs", partitions: 2) == 0)
        }
    }
}
