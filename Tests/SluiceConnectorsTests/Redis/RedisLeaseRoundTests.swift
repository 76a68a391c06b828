import Foundation
@testable import SluiceConnectors
import SluiceTestKit
import Testing

/// When the lease rounds run: every round interval, and 1 ms after another node's announcement or lease ends
/// when that comes sooner (a node that stopped renewing), so that a dead node's partitions are taken within the
/// lease time of its death.
@Suite struct RedisLeaseRoundDelayTests {
    typealias Timing = RedisPartitionLeases.RoundTiming

    @Test func liveNodesLeaveTheRoundIntervalAsItIs() {
        // Live nodes renew every round: their announcements and leases end most of a lease from now.
        let timing = Timing(serverMilliseconds: 1_000_000, earliestAnnouncementEnd: 1_000_900, othersLeaseMilliseconds: [1: 950, 2: 999])
        #expect(RedisPartitionLeases.nextRoundDelay(interval: 0.1, timing: timing) == 0.1)
        #expect(RedisPartitionLeases.nextRoundDelay(interval: 0.1, timing: Timing(serverMilliseconds: 5, othersLeaseMilliseconds: [:])) == 0.1)
    }

    @Test func theRoundAfterAnAnnouncementThatEndsSoonerIsHeldOneMillisecondAfterIt() {
        let timing = Timing(serverMilliseconds: 1_000_000, earliestAnnouncementEnd: 1_000_030, othersLeaseMilliseconds: [1: 950])
        #expect(abs(RedisPartitionLeases.nextRoundDelay(interval: 0.1, timing: timing) - 0.031) < 1e-12)
    }

    @Test func theRoundAfterAnotherNodesLeaseThatEndsSoonerIsHeldOneMillisecondAfterIt() {
        let timing = Timing(serverMilliseconds: 1_000_000, earliestAnnouncementEnd: 1_000_900, othersLeaseMilliseconds: [3: 500, 5: 10, 6: 40])
        #expect(abs(RedisPartitionLeases.nextRoundDelay(interval: 0.1, timing: timing) - 0.011) < 1e-12)
    }

    @Test func anEndAlreadyPastGivesTheShortestDelayNotANegativeOne() {
        let past = Timing(serverMilliseconds: 1_000_000, earliestAnnouncementEnd: 999_000, othersLeaseMilliseconds: [:])
        #expect(RedisPartitionLeases.nextRoundDelay(interval: 0.1, timing: past) == 0.001)
        let expiring = Timing(serverMilliseconds: 1_000_000, earliestAnnouncementEnd: nil, othersLeaseMilliseconds: [0: 0])
        #expect(RedisPartitionLeases.nextRoundDelay(interval: 0.1, timing: expiring) == 0.001)
    }
}

/// A lease round against a real `redis-server`: announcements dated by the server's clock, ended ones dropped,
/// and the other nodes' lease times read for the next round's delay.
@Suite(.enabled(if: redisAvailable, "\(redisSkipReason)"), .timeLimit(.minutes(1)))
struct RedisLeaseRoundTests {
    static func serverMilliseconds(_ pool: RedisConnectionPool) throws -> Int64 {
        let time = try pool.sendWaiting([RESPCommand("TIME")])[0].elements ?? []
        let seconds = Int64(time.first?.text ?? "") ?? 0
        let microseconds = Int64(time.dropFirst().first?.text ?? "") ?? 0
        return seconds * 1_000 + microseconds / 1_000
    }

    /// Two partitions of `stream` with the live node "ghost" planted beside them (`plantGhost`), then a source
    /// "here" opened on them with a 60 s lease, its first round done.
    static func openBesideGhost(_ server: RedisServer, _ pool: RedisConnectionPool, stream: String, now: Int64, announcement: Int64, lease: Int64) throws -> RedisStreamSource {
        try produce(pool, stream: stream, partitions: 2, count: 10)
        try plantGhost(pool, stream: stream, now: now, announcement: announcement, lease: lease)
        return try RedisStreamsTests.openSource("redis://\(server.address)/\(stream)?partitions=2&lease-ms=60000&consumer=here")
    }

    /// Another live node "ghost" on `stream`'s group `sluice`: its announcement ends `announcement` ms after the
    /// server's `now`, and it holds partition 1 for `lease` ms.
    static func plantGhost(_ pool: RedisConnectionPool, stream: String, now: Int64, announcement: Int64, lease: Int64) throws {
        _ = try pool.sendWaiting([
            RESPCommand("ZADD", "sluice:nodes:\(stream):sluice", String(now + announcement), "ghost"),
            RESPCommand("SET", "sluice:lease:\(stream):sluice:1", "ghost#1", "PX", String(lease)),
        ])
    }

    @Test func announcementsAreDatedByTheServersClockAndTheOthersLeaseTimesAreRead() async throws {
        try await withRedisServer { server, pool in
            let before = try Self.serverMilliseconds(pool)
            // A node whose announcement has ended, and a live one whose announcement ends in 30 s and that holds
            // partition 1 for 40 s.
            _ = try pool.sendWaiting([RESPCommand("ZADD", "sluice:nodes:timed:sluice", String(before - 1), "gone")])
            let source = try Self.openBesideGhost(server, pool, stream: "timed", now: before, announcement: 30_000, lease: 40_000)
            defer { source.close() }
            try source.leases.round()
            let after = try Self.serverMilliseconds(pool)

            // Two live nodes, so a share of one partition each; partition 1 is the ghost's.
            #expect(source.ownedPartitions == [0])
            let timing = try #require(source.leases.lastTiming)
            #expect(timing.earliestAnnouncementEnd == before + 30_000)
            #expect(timing.serverMilliseconds >= before && timing.serverMilliseconds <= after)
            #expect(Array(timing.othersLeaseMilliseconds.keys) == [1])
            #expect((timing.othersLeaseMilliseconds[1] ?? -1) > 0 && (timing.othersLeaseMilliseconds[1] ?? 0) <= 40_000)
            // Nothing ends before the next round, so the round interval stands.
            #expect(source.leases.nextDelay == source.leases.roundInterval)

            let scores = try pool.sendWaiting([
                RESPCommand("ZSCORE", "sluice:nodes:timed:sluice", "here"),
                RESPCommand("ZSCORE", "sluice:nodes:timed:sluice", "gone"),
            ])
            // This node's announcement ends a lease after the server's time of a round.
            let score = Int64(Double(scores[0].text ?? "") ?? 0)
            #expect(score >= before + 60_000 && score <= after + 60_000)
            #expect(scores[1].isNull)
        }
    }

    @Test func theLeasesTakenTogetherStayWithinTheShareAndLeaveAnotherNodesAlone() async throws {
        try await withRedisServer { server, pool in
            // Two live nodes, 6 partitions: a share of 3. The ghost holds partition 1; five are free, and one
            // round (by hand, no background thread, so nothing gives back what it took) takes 3 in one pass.
            try produce(pool, stream: "shared", partitions: 6, count: 10)
            try Self.plantGhost(pool, stream: "shared", now: try Self.serverMilliseconds(pool), announcement: 60_000, lease: 60_000)
            let (_, endpoint) = try ConnectorRegistry.standard.resolve(
                "redis://\(server.address)/shared?partitions=6&lease-ms=60000&consumer=here", as: .source)
            let leases = RedisPartitionLeases(configuration: try RedisStreamConfiguration(endpoint), pool: pool)
            try leases.round()
            #expect(leases.owned.count == 3)
            #expect(!leases.owned.contains(1))
            let holders = try pool.sendWaiting((0..<6).map { RESPCommand("GET", "sluice:lease:shared:sluice:\($0)") }).map { $0.text }
            #expect(holders[1] == "ghost#1")
            #expect(holders.filter { $0?.hasPrefix("here#") == true }.count == 3)
        }
    }

    @Test func aFailedRoundForgetsTheTimesSoTheNextWaitsTheWholeInterval() async throws {
        try await withRedisServer { server, pool in
            // Another live node, so that the round reads a lease time.
            let source = try Self.openBesideGhost(
                server, pool, stream: "failing", now: try Self.serverMilliseconds(pool), announcement: 60_000, lease: 60_000)
            defer { source.close() }
            // Rounds by hand only: the background thread's next round would read the times again.
            source.leases.stop()
            try source.leases.round()
            #expect(source.leases.lastTiming?.othersLeaseMilliseconds[1] != nil)
            source.leases.recordFailure(RedisError(code: .connectionClosed, server: server.address, message: "gone"))
            #expect(source.leases.lastTiming == nil)
            #expect(source.leases.lastError?.contains("gone") == true)
            #expect(source.leases.nextDelay == source.leases.roundInterval)
        }
    }
}

/// The pending check of fenced commits (`RedisFencedTransaction`): which entries it checks, the range it asks
/// `XPENDING` for, and how the replies decide which entries are held.
@Suite struct RedisFencedCheckTests {
    static func configuration() throws -> RedisStreamConfiguration {
        let (_, endpoint) = try ConnectorRegistry.standard.resolve("redis://127.0.0.1:1/in?partitions=3&consumer=me", as: .source)
        return try RedisStreamConfiguration(endpoint)
    }

    /// Only entries delivered again are checked (all of them after a lost reply); IDs order by number, not by
    /// text ("9-12" < "10-0"), and each partition gets its own range.
    @Test func redeliveredEntriesAreCheckedOverTheirRangeInRedisOrder() throws {
        let entries = [("10-0", 2, true), ("9-12", 2, true), ("9-5", 2, true), ("200-1", 0, true), ("1-0", 1, false), ("300-0", 0, false)].map {
            RedisFencedTransaction.Entry(partition: $0.1, id: $0.0, lease: "me#1", redelivered: $0.2)
        }
        func text(_ commands: [RESPCommand]) -> [[String]] { commands.map { $0.arguments.map { String(decoding: $0, as: UTF8.self) } } }
        let redelivered = RedisFencedTransaction.pendingChecks(entries, checkAll: false, input: try Self.configuration())
        #expect(redelivered.partitions == [0, 2])
        #expect(text(redelivered.commands) == [
            ["XPENDING", "in:0", "sluice", "200-1", "200-1", "1000000000", "me"],
            ["XPENDING", "in:2", "sluice", "9-5", "10-0", "1000000000", "me"],
        ])
        let all = RedisFencedTransaction.pendingChecks(entries, checkAll: true, input: try Self.configuration())
        #expect(all.partitions == [0, 1, 2])
        #expect(text(all.commands)[0] == ["XPENDING", "in:0", "sluice", "200-1", "300-0", "1000000000", "me"])
        #expect(text(RedisFencedTransaction.pendingChecks(Array(entries.suffix(2)), checkAll: false, input: try Self.configuration()).commands) == [])
        #expect(StreamID("12") == StreamID("12-0"))
        #expect(StreamID("12-x") == nil && StreamID("1-2-3") == nil && StreamID("") == nil && StreamID("5-") == nil)
    }

    /// Held: the lease still has the value the entry was read under; and, for an entry checked, it is still
    /// pending here and not already held in the same commit.
    @Test func anEntryIsHeldUnderItsLeaseValueAndWhenCheckedWhilePendingOnce() throws {
        let entries = [
            RedisFencedTransaction.Entry(partition: 0, id: "1-0", lease: "me#1", redelivered: true),   // pending
            RedisFencedTransaction.Entry(partition: 0, id: "2-0", lease: "me#1", redelivered: true),   // committed already
            RedisFencedTransaction.Entry(partition: 1, id: "1-0", lease: "me#1", redelivered: true),   // lease taken since
            RedisFencedTransaction.Entry(partition: 0, id: "3-0", lease: "me#1", redelivered: false),  // read new
            RedisFencedTransaction.Entry(partition: 0, id: "3-0", lease: "me#1", redelivered: true),   // its second copy
        ]
        func pending(_ ids: String...) -> RESPValue {
            .array(ids.map { .array([.bulkString(Array($0.utf8)), .bulkString(Array("me".utf8)), .integer(5), .integer(1)]) })
        }
        let replies: [RESPValue] = [
            .simpleString("OK"),
            .array([.bulkString(Array("me#1".utf8)), .bulkString(Array("other#2".utf8))]),
            pending("1-0", "3-0"),
            pending("1-0"),
        ]
        #expect(try RedisFencedTransaction.held(entries, checkAll: false, partitions: [0, 1], checked: [0, 1], replies: replies, server: "s")
            == [true, false, false, true, false])
        // Nothing checked: the leases alone decide.
        #expect(try RedisFencedTransaction.held(entries, checkAll: false, partitions: [0, 1], checked: [], replies: Array(replies.prefix(2)), server: "s")
            == [true, true, false, true, true])
        let error = #expect(throws: RedisError.self) {
            try RedisFencedTransaction.held(entries, checkAll: false, partitions: [0, 1], checked: [0, 1], replies: Array(replies.prefix(3)), server: "s")
        }
        #expect(error?.code == .unexpectedReply)
    }
}
