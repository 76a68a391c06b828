import Foundation
import Metrics
import NIOCore
import Sluice
import Synchronization

/// Which partitions this node owns: leases taken with `SET key token NX PX lease`, renewed every round (a third
/// of the lease time, at most 100 ms), shared out evenly among the live nodes.
///
/// A background thread (started by `start()`, ended by `stop()`) does one round per `roundInterval`:
/// it announces the node in the live-node set, renews the leases it holds (a fenced `PEXPIRE`: only while the
/// key still holds this node's token), gives back partitions beyond its fair share (`ceil(partitions / nodes)`)
/// when nodes joined, and takes free ones up to that share. A partition it takes is queued for the source, which
/// then claims the entries the previous owner left pending (`XAUTOCLAIM`). A node that dies stops renewing; its
/// leases expire after the lease time and the others take its partitions in their next round.
///
/// The round also reads the group's lag (`XINFO GROUPS`) of the owned partitions into the gauge
/// `redis_stream_lag{stream,group}`. Errors in a round (the server away) are kept in `lastError` and retried
/// next round; leases that could not be renewed in time simply expire.
final class RedisPartitionLeases: Sendable {
    let configuration: RedisStreamConfiguration
    let pool: RedisConnectionPool
    /// The value of every lease this node holds.
    let token: String

    private struct State {
        var owned: Set<Int> = []
        var acquired: [Int] = []
        var lastError: String?
        var lag: Int64 = 0
        var pending: Int64 = 0
        var rounds = 0
    }
    private let state = Mutex(State())
    private let condition = NSCondition()
    private let running = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let lagGauge: Gauge

    static let renewScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end"
    static let releaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"

    init(configuration: RedisStreamConfiguration, pool: RedisConnectionPool) {
        self.configuration = configuration
        self.pool = pool
        token = configuration.consumer
        lagGauge = Gauge(label: "redis_stream_lag", dimensions: [("stream", configuration.stream), ("group", configuration.group)])
    }

    /// The partitions this node holds now.
    var owned: Set<Int> { state.withLock { $0.owned } }

    /// Whether this node holds `partition`'s lease (as of the last round).
    func owns(_ partition: Int) -> Bool { state.withLock { $0.owned.contains(partition) } }

    /// Partitions taken since the last call, whose pending entries the source must claim.
    func takeAcquired() -> [Int] {
        state.withLock { state in
            defer { state.acquired.removeAll() }
            return state.acquired
        }
    }

    /// The lag (entries not yet delivered to the group) and pending count summed over the owned partitions, as
    /// of the last round.
    var lagAndPending: (lag: Int64, pending: Int64) { state.withLock { ($0.lag, $0.pending) } }

    /// The error of the last round, if it failed.
    var lastError: String? { state.withLock { $0.lastError } }

    /// Rounds done so far.
    var rounds: Int { state.withLock { $0.rounds } }

    /// Seconds between rounds: a third of the lease, at most 100 ms (nodes that join or die are noticed quickly).
    var roundInterval: Double { min(Double(configuration.leaseMilliseconds) / 3_000, 0.1) }

    /// Does one round now, on the calling thread, then starts the background thread.
    func start() throws {
        try round()
        running.store(true, ordering: .sequentiallyConsistent)
        let thread = Thread { [self] in
            while running.load(ordering: .sequentiallyConsistent) {
                condition.lock()
                _ = condition.wait(until: Date(timeIntervalSinceNow: roundInterval))
                condition.unlock()
                guard running.load(ordering: .sequentiallyConsistent) else { break }
                do {
                    try round()
                } catch {
                    state.withLock { $0.lastError = "\(error)" }
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
            defer { state.owned.removeAll() }
            return state.owned
        }
        var commands = owned.sorted().map { partition in
            RESPCommand("EVAL", Self.releaseScript, "1", configuration.leaseKey(partition), token)
        }
        commands.append(RESPCommand("ZREM", configuration.nodesKey, token))
        _ = try? pool.sendWaiting(commands)
    }

    /// One round: announce, renew, rebalance, read the lag.
    func round() throws {
        let server = pool.server
        let lease = configuration.leaseMilliseconds
        let now = Int(Date().timeIntervalSince1970 * 1_000)
        var commands = [
            RESPCommand("ZADD", configuration.nodesKey, String(now + lease), token),
            RESPCommand("ZREMRANGEBYSCORE", configuration.nodesKey, "-inf", String(now)),
            RESPCommand("ZCARD", configuration.nodesKey),
        ]
        let held = owned.sorted()
        for partition in held {
            commands.append(RESPCommand("EVAL", Self.renewScript, "1", configuration.leaseKey(partition), token, String(lease)))
        }
        let replies = try pool.sendWaiting(commands)
        for (reply, command) in zip(replies, commands) { try reply.checked(command.description, server: server) }
        let nodes = max(1, Int(replies[2].integer ?? 1))
        var kept: Set<Int> = []
        for (index, partition) in held.enumerated() where replies[3 + index].integer == 1 { kept.insert(partition) }

        let share = (configuration.partitions + nodes - 1) / nodes
        var release: [Int] = []
        if kept.count > share {
            release = Array(kept.sorted().suffix(kept.count - share))
            kept.subtract(release)
            _ = try pool.sendWaiting(release.map {
                RESPCommand("EVAL", Self.releaseScript, "1", configuration.leaseKey($0), token)
            })
        }
        var taken: [Int] = []
        if kept.count < share {
            // Start the search at a place of the node's own, so that nodes starting together try different keys.
            let first = Int(stableHash(of: token) % UInt64(configuration.partitions))
            for step in 0..<configuration.partitions where kept.count < share {
                let partition = (first + step) % configuration.partitions
                guard !kept.contains(partition) else { continue }
                let reply = try pool.sendWaiting([
                    RESPCommand("SET", configuration.leaseKey(partition), token, "NX", "PX", String(lease))
                ])[0]
                try reply.checked("SET \(configuration.leaseKey(partition)) NX", server: server)
                if reply.text == "OK" {
                    kept.insert(partition)
                    taken.append(partition)
                }
            }
        }
        let (lag, pending) = try readLag(kept.sorted())
        lagGauge.record(lag)
        state.withLock { state in
            state.owned = kept
            state.acquired.append(contentsOf: taken)
            state.lag = lag
            state.pending = pending
            state.lastError = nil
            state.rounds += 1
        }
    }

    /// Sums `lag` and `pending` of the group over `partitions` (`XINFO GROUPS`).
    func readLag(_ partitions: [Int]) throws -> (Int64, Int64) {
        guard !partitions.isEmpty else { return (0, 0) }
        let replies = try pool.sendWaiting(partitions.map { RESPCommand("XINFO", "GROUPS", configuration.streamName($0)) })
        var lag: Int64 = 0
        var pending: Int64 = 0
        for (reply, partition) in zip(replies, partitions) {
            guard let groups = reply.elements else { continue }
            for group in groups {
                let fields = RedisStreamReplies.fields(group)
                guard fields["name"]?.text == configuration.group else { continue }
                lag += fields["lag"]?.integer ?? 0
                pending += fields["pending"]?.integer ?? 0
                _ = partition
            }
        }
        return (lag, pending)
    }
}

/// XXH64 of a string's UTF-8 bytes, seed 0: the partitioning hash.
func stableHash(of text: String) -> UInt64 {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBytes { StableKeyHasher.hash(UnsafeRawBufferPointer($0)) }
}
