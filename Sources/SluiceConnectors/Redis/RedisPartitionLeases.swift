import Foundation
import Metrics
import NIOCore
import Sluice
import Synchronization

/// Which partitions this node owns: leases taken with `SET key value NX PX lease`, renewed every round (a third
/// of the lease time, at most 100 ms, and sooner when another node's lease ends before that), shared out evenly
/// among the live nodes.
///
/// A lease's value is a fencing token, `CONSUMER#N`: the node's consumer name and a number that grows with every
/// partition this node takes. Entries read under one tenure are committed only while the lease still holds that
/// value; a node that lost a lease (it stalled longer than the lease time) and took the partition again commits
/// nothing it read under the lost one: it claims those entries again under the new tenure (they are still
/// pending), so each gets one output.
///
/// A background thread (started by `start()`, ended by `stop()`) does one round per `roundInterval`: it announces the
/// node in the live-node set (dated by the server's clock, so node clocks need not agree), renews the leases it holds
/// (a fenced `PEXPIRE`: only while the key still holds this node's token), gives back partitions beyond its fair share
/// (`ceil(partitions / nodes)`) when nodes joined, and takes free ones up to that share. A partition taken (a new lease
/// value in `tenures`) is claimed by the source's next read, which takes the entries the previous owner left pending
/// (`XAUTOCLAIM`) before it reads the partition. A node that dies stops renewing; its announcement and its leases end
/// at most the lease time after it died. Live nodes renew theirs every round, so an announcement or another node's
/// lease that ends before the next round belongs to a node that stopped: the next round is then held 1 ms after it ends
/// (`nextRoundDelay`), and the others take the dead node's partitions within the lease time of its death (plus that
/// millisecond and a round trip), instead of up to a round later.
///
/// The round also reads the group's lag (`XINFO GROUPS`) of the owned partitions into the gauge
/// `redis_stream_lag{stream,group}`, and how many of them have a lag Redis cannot count (null, or not reported
/// before Redis 7.0) into `redis_stream_lag_unknown_partitions{stream,group}`. Errors in a round (the server
/// away) are kept in `lastError` and retried next round; leases that could not be renewed in time simply expire.
final class RedisPartitionLeases: Sendable {
    let configuration: RedisStreamConfiguration
    let pool: RedisConnectionPool
    /// This node's consumer name: the part of every lease value before `#`.
    let token: String

    private struct State {
        /// The lease value of every partition held (its tenure).
        var tenures: [Int: String] = [:]
        var tenuresTaken = 0
        var lastError: String?
        var progress = GroupProgress()
        var rounds = 0
        /// What the last round read: the server's time and the earliest end of a live node's announcement
        /// (milliseconds since the epoch, the server's clock), and the remaining time of every lease held by
        /// another node, by partition (milliseconds).
        var timing: RoundTiming?
    }

    /// The times a round reads from the server, from which the next round's delay follows.
    struct RoundTiming: Sendable, Equatable {
        /// The server's clock, milliseconds since the epoch.
        var serverMilliseconds: Int64
        /// The earliest end of a live node's announcement (this node's included), the server's clock.
        var earliestAnnouncementEnd: Int64?
        /// Remaining milliseconds of each lease another node holds, by partition.
        var othersLeaseMilliseconds: [Int: Int64]
    }
    private let state = Mutex(State())
    private let condition = NSCondition()
    private let running = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let lagGauge: Gauge
    private let unknownLagGauge: Gauge

    /// Announces a node (`ARGV[1]`) in the live-node set (`KEYS[1]`) until the server's time plus the lease
    /// (`ARGV[2]` ms), drops the announcements that ended, and returns the live nodes, the server's time and the
    /// earliest end of an announcement (milliseconds since the epoch). `replicate_commands` lets a script write
    /// after reading the clock on Redis 5 and 6 (7 always replicates a script's effects and ignores it).
    static let announceScript = """
        redis.replicate_commands()
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return {redis.call('ZCARD', KEYS[1]), now, tonumber(first[2])}
        """
    static let renewScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end"
    static let releaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"

    init(configuration: RedisStreamConfiguration, pool: RedisConnectionPool) {
        self.configuration = configuration
        self.pool = pool
        token = configuration.consumer
        let dimensions = [("stream", configuration.stream), ("group", configuration.group)]
        lagGauge = Gauge(label: "redis_stream_lag", dimensions: dimensions)
        unknownLagGauge = Gauge(label: "redis_stream_lag_unknown_partitions", dimensions: dimensions)
    }

    /// The partitions this node holds now.
    var owned: Set<Int> { state.withLock { Set($0.tenures.keys) } }

    /// The lease value (tenure) of every partition this node holds, as of the last round.
    var tenures: [Int: String] { state.withLock { $0.tenures } }

    /// The group's progress over the owned partitions, as of the last round.
    var progress: GroupProgress { state.withLock { $0.progress } }

    /// The error of the last round, if it failed.
    var lastError: String? { state.withLock { $0.lastError } }

    /// Rounds done so far.
    var rounds: Int { state.withLock { $0.rounds } }

    /// What the last round read from the server (nil before the first).
    var lastTiming: RoundTiming? { state.withLock { $0.timing } }

    /// Seconds until the next round, from what the last round read (`nextRoundDelay`); the round interval after
    /// a failed round or before the first.
    var nextDelay: Double {
        lastTiming.map { Self.nextRoundDelay(interval: roundInterval, timing: $0) } ?? roundInterval
    }

    /// Seconds between rounds: a third of the lease, at most 100 ms (nodes that join or die are noticed quickly).
    var roundInterval: Double { min(Double(configuration.leaseMilliseconds) / 3_000, 0.1) }

    /// Seconds until the next round: `interval`, or 1 ms after the earliest end, if it comes sooner, of another
    /// node's announcement or lease (which live nodes renew every round, so only a node that stopped lets one
    /// end), but never less than 1 ms. An end already past counts as now.
    /// (This node's own announcement ends a whole lease after now, later than any round.)
    static func nextRoundDelay(interval: Double, timing: RoundTiming) -> Double {
        var milliseconds = interval * 1_000
        if let end = timing.earliestAnnouncementEnd {
            milliseconds = min(milliseconds, Double(max(0, end - timing.serverMilliseconds)) + 1)
        }
        for remaining in timing.othersLeaseMilliseconds.values where remaining >= 0 {
            milliseconds = min(milliseconds, Double(remaining) + 1)
        }
        return max(milliseconds, 1) / 1_000
    }

    /// Does one round now, on the calling thread, then starts the background thread.
    func start() throws {
        try round()
        running.store(true, ordering: .sequentiallyConsistent)
        let thread = Thread { [self] in
            while running.load(ordering: .sequentiallyConsistent) {
                condition.lock()
                _ = condition.wait(until: Date(timeIntervalSinceNow: nextDelay))
                condition.unlock()
                guard running.load(ordering: .sequentiallyConsistent) else { break }
                do {
                    try round()
                } catch {
                    recordFailure(error)
                }
            }
            finished.store(true, ordering: .sequentiallyConsistent)
        }
        thread.name = "sluice-redis-leases"
        thread.start()
    }

    /// Stops the background thread, then gives back every lease and leaves the live-node set. Blocks until the
    /// thread has ended (at most one round) and the server confirms.
    func stop() {
        guard running.exchange(false, ordering: .sequentiallyConsistent) else { return }
        condition.lock()
        condition.broadcast()
        condition.unlock()
        while !finished.load(ordering: .sequentiallyConsistent) { usleep(1_000) }
        let owned = state.withLock { state in
            defer { state.tenures.removeAll() }
            return state.tenures
        }
        var commands = owned.sorted { $0.key < $1.key }.map { partition, value in
            RESPCommand("EVAL", Self.releaseScript, "1", configuration.leaseKey(partition), value)
        }
        commands.append(RESPCommand("ZREM", configuration.nodesKey, token))
        _ = try? pool.sendWaiting(commands)
    }

    /// Keeps a failed round's error for `lastError`. A failed round read no times, so the next one waits the
    /// whole round interval (a server that is away is not asked again every millisecond).
    func recordFailure(_ error: any Error) {
        state.withLock { state in
            state.lastError = "\(error)"
            state.timing = nil
        }
    }

    /// One round: announce, renew, rebalance, read the lag.
    func round() throws {
        let server = pool.server
        let lease = configuration.leaseMilliseconds
        var commands = [RESPCommand("EVAL", Self.announceScript, "1", configuration.nodesKey, token, String(lease))]
        let held = tenures.sorted { $0.key < $1.key }
        for (partition, value) in held {
            commands.append(RESPCommand("EVAL", Self.renewScript, "1", configuration.leaseKey(partition), value, String(lease)))
        }
        // The remaining time of the leases this node does not hold (read after its own are renewed).
        let others = (0..<configuration.partitions).filter { partition in !held.contains { $0.key == partition } }
        for partition in others { commands.append(RESPCommand("PTTL", configuration.leaseKey(partition))) }
        let replies = try pool.sendCheckedWaiting(commands)
        guard let announced = replies[0].elements, announced.count >= 2,
            let liveNodes = announced[0].integer, let serverNow = announced[1].integer
        else {
            throw RedisError(code: .unexpectedReply, server: server,
                message: "announcing \(token) in \(configuration.nodesKey): expected [nodes, time, earliest end], got \(replies[0])")
        }
        let nodes = max(1, Int(liveNodes))
        var kept: [Int: String] = [:]
        for (index, (partition, value)) in held.enumerated() where replies[1 + index].integer == 1 { kept[partition] = value }
        var othersRemaining: [Int: Int64] = [:]
        for (index, partition) in others.enumerated() {
            if let remaining = replies[1 + held.count + index].integer, remaining >= 0 { othersRemaining[partition] = remaining }
        }
        var timing = RoundTiming(
            serverMilliseconds: serverNow, earliestAnnouncementEnd: announced.count > 2 ? announced[2].integer : nil,
            othersLeaseMilliseconds: othersRemaining)

        let share = (configuration.partitions + nodes - 1) / nodes
        if kept.count > share {
            let release = kept.keys.sorted().suffix(kept.count - share)
            let commands = release.map { RESPCommand("EVAL", Self.releaseScript, "1", configuration.leaseKey($0), kept[$0] ?? "") }
            for partition in release { kept[partition] = nil }
            _ = try pool.sendWaiting(commands)
        }
        if kept.count < share {
            // Start the search at a place of the node's own, so that nodes starting together try different keys,
            // and try first the partitions that had no lease when this round read them. Each pass sends, in one
            // pipeline, as many `SET … NX` as the share still lacks, so a node never takes more than its share,
            // and a takeover costs one round trip rather than one per partition.
            let first = Int(stableHash(of: token) % UInt64(configuration.partitions))
            let order = (0..<configuration.partitions).map { (first + $0) % configuration.partitions }.filter { kept[$0] == nil }
            let candidates = order.filter { timing.othersLeaseMilliseconds[$0] == nil }
                + order.filter { timing.othersLeaseMilliseconds[$0] != nil }
            var next = 0
            while kept.count < share && next < candidates.count {
                let batch = candidates[next..<min(candidates.count, next + share - kept.count)]
                next = batch.endIndex
                let attempts = batch.map { partition in
                    let value = state.withLock { state in
                        state.tenuresTaken += 1
                        return "\(token)#\(state.tenuresTaken)"
                    }
                    return (partition, value)
                }
                let replies = try pool.sendWaiting(attempts.map { partition, value in
                    RESPCommand("SET", configuration.leaseKey(partition), value, "NX", "PX", String(lease))
                })
                for ((partition, value), reply) in zip(attempts, replies) {
                    try reply.checked("SET \(configuration.leaseKey(partition)) NX", server: server)
                    if reply.text == "OK" {
                        kept[partition] = value
                        timing.othersLeaseMilliseconds[partition] = nil
                    }
                }
            }
        }
        let progress = try readProgress(kept.keys.sorted())
        lagGauge.record(progress.lag)
        unknownLagGauge.record(progress.unknownLag.count)
        state.withLock { state in
            state.tenures = kept
            state.progress = progress
            state.lastError = nil
            state.rounds += 1
            state.timing = timing
        }
    }

    /// The group's lag and pending count over `partitions` (`XINFO GROUPS`, one round trip). Redis answers a null
    /// lag when it cannot count (a group created or set at an ID inside the stream, entries deleted in the
    /// undelivered range, and after some restarts; Redis before 7.0 reports no lag at all): such a partition is
    /// listed in `unknownLag`, never counted as 0. O(partitions).
    func readProgress(_ partitions: [Int]) throws -> GroupProgress {
        guard !partitions.isEmpty else { return GroupProgress() }
        let replies = try pool.sendWaiting(partitions.map { RESPCommand("XINFO", "GROUPS", configuration.streamName($0)) })
        var progress = GroupProgress()
        for (reply, partition) in zip(replies, partitions) {
            // A partition stream that is gone (an error reply) has nothing to count; its reads say why.
            guard let groups = reply.elements else { continue }
            for group in groups {
                let fields = RedisStreamReplies.fields(group)
                guard fields["name"]?.text == configuration.group else { continue }
                progress.pending += fields["pending"]?.integer ?? 0
                if let lag = fields["lag"]?.integer {
                    progress.lag += lag
                } else {
                    progress.unknownLag[partition] = fields["last-delivered-id"]?.text ?? "0-0"
                }
            }
        }
        return progress
    }

    /// Whether any partition in `unknownLag` (partition → the group's last-delivered ID there) has an entry after
    /// that ID: `XRANGE S:p (ID + COUNT 1`, one round trip for all. O(partitions).
    func hasUndelivered(_ unknownLag: [Int: String]) throws -> Bool {
        guard !unknownLag.isEmpty else { return false }
        let replies = try pool.sendCheckedWaiting(unknownLag.keys.sorted().map { partition in
            RESPCommand("XRANGE", configuration.streamName(partition), "(" + (unknownLag[partition] ?? "0-0"), "+", "COUNT", "1")
        })
        return replies.contains { !($0.elements ?? []).isEmpty }
    }
}

/// A consumer group's progress over some partitions, from `XINFO GROUPS`.
struct GroupProgress: Sendable, Equatable {
    /// Entries not yet delivered to the group, summed over the partitions whose lag Redis can count.
    var lag: Int64 = 0
    /// Entries delivered and not yet acknowledged.
    var pending: Int64 = 0
    /// The partitions whose lag Redis cannot count (it answers null), with the group's last-delivered ID in each.
    var unknownLag: [Int: String] = [:]
}

/// XXH64 of a string's UTF-8 bytes, seed 0: the partitioning hash.
func stableHash(of text: String) -> UInt64 {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBytes { StableKeyHasher.hash(UnsafeRawBufferPointer($0)) }
}
