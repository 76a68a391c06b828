import DequeModule
import Dispatch
import Foundation
import NIOCore
import NIOPosix
import Sluice
import SluiceJSON
import Synchronization

/// The shared side of a Redis Streams source: the connection pool, the partition leases, and the ledger of
/// entries handed to the pipeline but not yet acknowledged.
///
/// Entries are read with `XREADGROUP` from the partitions this node leases and handed on as length-prefixed
/// documents (one entry's `field` each, behind its 4-byte big-endian length). Each entry stays pending in the group until the pipeline's output for it is
/// durable: then `acknowledge(through:)` sends `XACK` (or a Redis sink sends it inside its `MULTI`/`EXEC`).
/// A node that dies leaves its entries pending; the node that takes its partitions over claims them
/// (`XAUTOCLAIM`) and processes them again: at-least-once.
public final class RedisStreamSource: AcknowledgedSource {
    /// The endpoint's options.
    public let configuration: RedisStreamConfiguration
    /// The connections.
    public let pool: RedisConnectionPool
    let leases: RedisPartitionLeases

    /// One entry handed to the pipeline: where its line ends in the source's bytes, which entry it is, and the
    /// lease value (tenure) under which it was read: its output may be committed only while the lease holds it.
    struct Handed: Sendable {
        var end: Int
        var partition: Int
        var id: String
        var lease: String
        /// Claimed (delivered before), not read new: it may have been committed already.
        var redelivered = false
    }

    private struct Ledger {
        /// Handed on and not yet acknowledged, oldest first.
        var handed = Deque<Handed>()
        var delivered = 0
    }
    private let ledger = Mutex(Ledger())
    /// Signalled when entries are acknowledged (taken from the ledger): a reader at the read-ahead bound waits on it.
    private let acknowledgedSignal = NSCondition()
    private let drainedCheck = Mutex<(@Sendable (Int) -> Bool)?>(nil)
    /// Where `RedisStreamReader.readAsync` runs its blocking reads.
    let readQueue = DispatchQueue(label: "sluice.redis.read")
    private let isClosed = Atomic<Bool>(false)

    /// Opens the pool, creates the group on every partition (`XGROUP CREATE … 0 MKSTREAM`; an existing group is
    /// kept), and takes a first share of the partitions. Blocks until the server answers.
    /// - Throws: `RedisError` naming the server (unreachable) or the stream (the group cannot be created).
    public init(configuration: RedisStreamConfiguration) throws {
        self.configuration = configuration
        pool = RedisConnectionPool(
            host: configuration.host, port: configuration.port, maxConnections: configuration.poolSize,
            commandTimeout: .milliseconds(Int64(configuration.timeoutMilliseconds)), credentials: configuration.credentials)
        leases = RedisPartitionLeases(configuration: configuration, pool: pool)
        let commands = (0..<configuration.partitions).map {
            RESPCommand("XGROUP", "CREATE", configuration.streamName($0), configuration.group, "0", "MKSTREAM")
        }
        do {
            let replies = try pool.sendWaiting(commands)
            for (reply, partition) in zip(replies, 0..<configuration.partitions) {
                if let message = reply.errorMessage, !message.hasPrefix("BUSYGROUP") {
                    throw RedisError(code: .serverError, server: pool.server,
                        message: "cannot create group \(configuration.group) on stream \(configuration.streamName(partition)): \(message)")
                }
            }
            try leases.start()
        } catch {
            pool.close()
            throw error
        }
    }

    /// Entries handed to the pipeline so far.
    public var delivered: Int { ledger.withLock { $0.delivered } }

    /// Entries handed on and not yet acknowledged.
    public var unacknowledged: Int { ledger.withLock { $0.handed.count } }

    /// The partitions this node holds now.
    public var ownedPartitions: Set<Int> { leases.owned }

    /// The group's lag and pending count over the owned partitions, from the last lease round. The lag sums the
    /// partitions whose lag Redis can count; `unknownLagPartitions` says how many it cannot (their lag is not
    /// counted as 0: it is unknown).
    public var lagAndPending: (lag: Int64, pending: Int64, unknownLagPartitions: Int) {
        let progress = leases.progress
        return (progress.lag, progress.pending, progress.unknownLag.count)
    }

    /// Stores the check the reader calls while idle (a read that found nothing, or a wait for read-ahead room):
    /// when it is true for `delivered`, every entry handed on is acknowledged. Replaces any earlier check.
    public func setPipelineDrainedCheck(_ check: @escaping @Sendable (Int) -> Bool) {
        drainedCheck.withLock { $0 = check }
    }

    /// Records entries handed on; `end` offsets must grow.
    func record(_ entries: [Handed]) {
        ledger.withLock { ledger in
            ledger.handed.append(contentsOf: entries)
            ledger.delivered += entries.count
        }
    }

    /// Removes and returns the entries handed on whose lines end at or before `end`. O(entries taken).
    func take(through end: Int) -> [Handed] {
        let taken = ledger.withLock { ledger in
            var taken: [Handed] = []
            while let first = ledger.handed.first, first.end <= end { taken.append(ledger.handed.removeFirst()) }
            return taken
        }
        if !taken.isEmpty {
            acknowledgedSignal.lock()
            acknowledgedSignal.broadcast()
            acknowledgedSignal.unlock()
        }
        return taken
    }

    /// How many more entries may be handed on before the read-ahead bound (`prefetch`) is reached.
    var room: Int { configuration.prefetch - unacknowledged }

    /// Waits until entries may be handed on again (`room` > 0) or `milliseconds` have passed; the room then.
    /// Meanwhile it acknowledges what the pipeline has finished with although no sink batch did (documents dropped
    /// by filters), looking every 2 ms, since no acknowledgement would otherwise wake it.
    func waitForRoom(milliseconds: Int) throws -> Int {
        let deadline = Date(timeIntervalSinceNow: Double(milliseconds) / 1_000)
        while true {
            var room = self.room
            if room > 0 { return room }
            try acknowledgeIfDrained()
            room = self.room
            if room > 0 || Date() >= deadline { return room }
            acknowledgedSignal.lock()
            if self.room <= 0 { _ = acknowledgedSignal.wait(until: min(deadline, Date(timeIntervalSinceNow: 0.002))) }
            acknowledgedSignal.unlock()
        }
    }

    /// `XACK`s every entry handed on whose line ends at or before `end`, pipelined per partition stream.
    public func acknowledge(through end: Int) throws {
        try acknowledge(take(through: end))
    }

    /// `XACK`s `entries`. `XACK` is idempotent, so a request whose connection closed or timed out before its
    /// reply came is sent again on a new connection, at most 3 times (the entries left the ledger already: a lost
    /// acknowledgement would leave them pending, and the node could not end).
    func acknowledge(_ entries: [Handed]) throws {
        guard !entries.isEmpty else { return }
        _ = try pool.sendCheckedRetrying(Self.acknowledgements(entries, configuration))
    }

    /// The IDs of `partition`'s entries handed on and not yet acknowledged. O(entries handed on).
    func handedIDs(partition: Int) -> Set<String> {
        ledger.withLock { ledger in Set(ledger.handed.lazy.filter { $0.partition == partition }.map(\.id)) }
    }

    /// One `XACK stream group id…` per partition among `entries`.
    static func acknowledgements(_ entries: [Handed], _ configuration: RedisStreamConfiguration) -> [RESPCommand] {
        var byPartition: [Int: [String]] = [:]
        for entry in entries { byPartition[entry.partition, default: []].append(entry.id) }
        return byPartition.keys.sorted().map { partition in
            var command = RESPCommand("XACK", configuration.streamName(partition), configuration.group)
            for id in byPartition[partition] ?? [] { command.append(id) }
            return command
        }
    }

    /// While idle: acknowledges everything handed on when the pipeline has finished with all of it (documents
    /// dropped by filters or rejected produce no output, so no sink batch acknowledges them).
    func acknowledgeIfDrained() throws {
        let delivered = self.delivered
        guard unacknowledged > 0, let check = drainedCheck.withLock({ $0 }), check(delivered) else { return }
        try acknowledge(through: .max)
    }

    /// Gives back every lease this node holds (so other nodes take its partitions at once rather than after
    /// the lease time) and leaves the live-node set, then closes the connections. Blocks until the server has
    /// confirmed, at most one lease round. Entries read but not acknowledged stay pending for the group.
    /// Calling it again does nothing.
    public func close() {
        guard !isClosed.exchange(true, ordering: .sequentiallyConsistent) else { return }
        leases.stop()
        pool.close()
    }

    deinit { close() }
}

/// The pipeline side of a Redis Streams source: what the engine reads byte chunks from.
///
/// `read` blocks the calling thread in `XREADGROUP … BLOCK block-ms` while nothing is there (and `readAsync`
/// does the same: the wait is bounded by `block-ms`); a read that finds nothing returns no chunk and true, so
/// the engine asks again (and a `StopSignal` is seen within `block-ms`). Backpressure: one read takes at most
/// `batch` entries over all its partitions, and none while `prefetch` entries are handed on and not yet
/// acknowledged (it then waits up to `block-ms` for acknowledgements and returns no chunk if none came); the
/// engine reads again only when its first channel has room; unread entries wait in Redis. Cancelling the reading
/// task does not interrupt a read in progress: it returns within `block-ms` (plus the command timeout if the
/// server stalls), and a `StopSignal` then ends the input. The input ends only with
/// `idle-exit-ms`: once this node has read nothing for that long, the group has no unread and no pending entry in
/// any partition, and every partition is leased by a live node (a dead node's are taken over first).
public struct RedisStreamReader: PipelineSource {
    /// A chunk of entries, each behind its 4-byte big-endian length; a read hands out at most one chunk.
    public typealias Element = [UInt8]
    /// The shared side (ledger, leases, pool).
    public let source: RedisStreamSource
    private var claimed: [(partition: Int, entry: RedisStreamReplies.Entry, lease: String)] = []
    private var offset = 0
    private var readTurn = 0
    private var idleSince: NIODeadline?
    /// The lease value under which this reader claimed each partition's pending entries when it took it.
    private var claimedUnder: [Int: String] = [:]
    /// Set when a read's connection closed or timed out before its reply came: the next read claims this node's
    /// pending entries again first.
    private var readReplyLost = false
    /// Such reads in a row.
    private var lostReads = 0
    /// When the reader next looks for entries stranded in its partitions under other consumers.
    private var nextStrandedScan: NIODeadline
    private let partitionOfStream: [String: Int]

    /// A reader over `source`.
    public init(source: RedisStreamSource) {
        self.source = source
        var map: [String: Int] = [:]
        for partition in 0..<source.configuration.partitions { map[source.configuration.streamName(partition)] = partition }
        partitionOfStream = map
        nextStrandedScan = .now() + .milliseconds(Int64(source.configuration.leaseMilliseconds))
    }

    /// Like `read`, but the blocking part runs on the source's own dispatch queue while this task is suspended,
    /// so that a wait for Redis never holds one of the concurrency pool's few threads (the stages after the
    /// source keep running meanwhile). The engine reads again only once this batch is handed on, so unread
    /// entries stay in Redis (backpressure). Cancellation does not interrupt a read in flight: it ends with
    /// Redis's reply (a blocked `XREADGROUP` answers within `block-ms`); stop the run with its `StopSignal` to drain and give up the
    /// leases.
    public mutating func readAsync(into buffer: inout [[UInt8]], maxCount: Int) async throws -> Bool {
        let box = ReaderBox(self)
        let (more, chunks) = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Bool, [[UInt8]]), any Error>) in
            source.readQueue.async {
                var chunks: [[UInt8]] = []
                do {
                    let more = try box.reader.read(into: &chunks, maxCount: maxCount)
                    continuation.resume(returning: (more, chunks))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        self = box.reader
        buffer.append(contentsOf: chunks)
        return more
    }

    /// Reads that lost their connection in a row before one succeeded; one more than this fails the read.
    static let maxLostReads = 5

    /// Reads one batch (see the type's summary). A read whose connection closed or timed out before its reply
    /// came (a restarted server, a network fault) returns no chunk and true, so the engine asks again: the next
    /// read opens a new connection (the pool retries with backoff until its reconnect deadline, then fails with
    /// `.connectFailed`) and first claims again the entries pending under this node's name in the partitions it
    /// holds, except those already handed on (`reclaimOwn`): the lost reply may have delivered entries this reader
    /// never saw, and nothing else would ever hand them on. They go on as delivered before, so the sink checks
    /// each against the group. More than `maxLostReads` such reads in a row fail the read with the last error.
    public mutating func read(into buffer: inout [[UInt8]], maxCount: Int) throws -> Bool {
        do {
            if readReplyLost {
                for (partition, lease) in readyTenures().sorted(by: { $0.key < $1.key }) {
                    try reclaimOwn(partition, lease: lease, skipping: handedOrQueuedIDs(partition))
                }
                readReplyLost = false
            }
            let more = try readBatch(into: &buffer, maxCount: maxCount)
            lostReads = 0
            return more
        } catch let error as RedisError where error.isOutcomeUnknown && lostReads < Self.maxLostReads {
            lostReads += 1
            readReplyLost = true
            return true
        }
    }

    private mutating func readBatch(into buffer: inout [[UInt8]], maxCount: Int) throws -> Bool {
        let configuration = source.configuration
        // The takeover claim of every partition held whose current tenure has not had it yet: taken since the
        // last read (or taken again: once, under its newest lease value), or whose claim failed (a lost
        // connection), which is done again here. The lease values as of now: an entry claimed now is committed
        // only while its partition's lease holds it.
        for (partition, lease) in source.leases.tenures.sorted(by: { $0.key < $1.key }) where claimedUnder[partition] != lease {
            // A claim that fails part way leaves its entries pending under this node's name, where doing it again
            // finds them: what it queued so far is dropped, not handed on twice.
            let queued = claimed.count
            do {
                try claim(partition, lease: lease)
            } catch {
                claimed.removeSubrange(queued...)
                throw error
            }
            claimedUnder[partition] = lease
        }
        if NIODeadline.now() >= nextStrandedScan {
            nextStrandedScan = .now() + .milliseconds(Int64(configuration.leaseMilliseconds))
            try claimStranded(minIdleMilliseconds: configuration.leaseMilliseconds)
        }
        var entries: [(partition: Int, entry: RedisStreamReplies.Entry, lease: String)] = []
        // The read-ahead bound: at most `prefetch` entries handed on and not yet acknowledged.
        var room = source.room
        if room <= 0 {
            room = try source.waitForRoom(milliseconds: configuration.blockMilliseconds)
            guard room > 0 else { return true }
        }
        let allowed = min(configuration.batch, room)
        // Read after the wait above: the partitions leased now, and the values their entries are read under;
        // only those whose tenure's takeover claim is done (a partition taken meanwhile waits for the next read,
        // whose claim would otherwise take what this read hands on, and both copies would be committed).
        let tenures = readyTenures()
        let redelivered = !claimed.isEmpty
        if redelivered {
            let count = min(claimed.count, allowed)
            entries = Array(claimed.prefix(count))
            claimed.removeFirst(count)
        } else {
            var owned = tenures.keys.sorted()
            if owned.count > allowed {
                // Fewer entries allowed than partitions owned: one entry each from `allowed` of them, taking
                // turns, so that the read stays within the bound.
                let start = readTurn % owned.count
                owned = Array((owned[start...] + owned[..<start]).prefix(allowed))
            }
            readTurn &+= 1
            if owned.isEmpty {
                // Nothing leased yet (other nodes hold every partition): wait one block time, then look again.
                let loop = MultiThreadedEventLoopGroup.singleton.next()
                try loop.scheduleTask(in: .milliseconds(Int64(configuration.blockMilliseconds))) {}.futureResult.wait()
            } else {
                // COUNT is per stream: the read's total stays within `allowed`.
                var command = RESPCommand(
                    "XREADGROUP", "GROUP", configuration.group, configuration.consumer, "COUNT", String(allowed / owned.count),
                    "BLOCK", String(configuration.blockMilliseconds), "STREAMS")
                for partition in owned { command.append(configuration.streamName(partition)) }
                for _ in owned { command.append(">") }
                let reply = try source.pool.sendWaiting([command], extraTimeout: .milliseconds(Int64(configuration.blockMilliseconds)))[0]
                if let message = reply.errorMessage, message.hasPrefix("NOGROUP") {
                    throw RedisError(code: .serverError, server: source.pool.server,
                        message: "XREADGROUP on \(configuration.stream): \(message) (was the stream or group deleted?)")
                }
                try reply.checked("XREADGROUP \(configuration.stream)", server: source.pool.server)
                for (stream, list) in try RedisStreamReplies.streams(reply, server: source.pool.server) {
                    guard let partition = partitionOfStream[stream], let lease = tenures[partition] else { continue }
                    for entry in list { entries.append((partition, entry, lease)) }
                }
            }
        }
        if entries.isEmpty {
            try source.acknowledgeIfDrained()
            return try !shouldEnd()
        }
        idleSince = nil
        var chunk: [UInt8] = []
        var handed: [RedisStreamSource.Handed] = []
        var dead: [DeadLetter] = []
        let field = Array(configuration.field.utf8)
        for (partition, entry, lease) in entries {
            guard let payload = entry.value(field) else {
                dead.append((partition, entry, entry.flat == nil ? "the entry was deleted" : "the entry has no field '\(configuration.field)'", lease))
                continue
            }
            guard payload.contains(where: { $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 }) else {
                dead.append((partition, entry, "field '\(configuration.field)' is empty", lease))
                continue
            }
            guard payload.count <= JSONLimits.default.maxDocumentSize else {
                dead.append((partition, entry, "field '\(configuration.field)' holds \(payload.count) bytes, more than the \(JSONLimits.default.maxDocumentSize) a document may have", lease))
                continue
            }
            // One entry, one frame: a 4-byte big-endian length, then the document as stored.
            let length = UInt32(truncatingIfNeeded: payload.count)
            chunk.append(contentsOf: [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)])
            chunk.append(contentsOf: payload)
            handed.append(.init(end: offset + chunk.count, partition: partition, id: entry.id, lease: lease, redelivered: redelivered))
        }
        if !dead.isEmpty { try deadLetter(dead) }
        guard !chunk.isEmpty else { return true }
        offset += chunk.count
        source.record(handed)
        buffer.append(chunk)
        return true
    }

    /// Whether the input should end: `idle-exit-ms` has passed with nothing read, and the group has nothing
    /// unread or pending in any partition.
    private mutating func shouldEnd() throws -> Bool {
        let configuration = source.configuration
        guard configuration.idleExitMilliseconds > 0 else { return false }
        let now = NIODeadline.now()
        guard let since = idleSince else {
            idleSince = now
            return false
        }
        guard now - since >= .milliseconds(Int64(configuration.idleExitMilliseconds)) else { return false }
        let progress = try source.leases.readProgress(Array(0..<configuration.partitions))
        guard progress.lag == 0 && progress.pending == 0 && source.unacknowledged == 0 else { return false }
        // A partition whose lag Redis cannot count is looked at directly: is anything after the last delivered?
        guard try !source.leases.hasUndelivered(progress.unknownLag) else { return false }
        // Every partition must be leased by a live node: a dead node's partition is first taken over (and its
        // pending entries claimed) by a survivor.
        var command = RESPCommand("MGET")
        for partition in 0..<configuration.partitions { command.append(configuration.leaseKey(partition)) }
        let leases = try source.pool.sendWaiting([command])[0].elements ?? []
        return leases.count == configuration.partitions && leases.allSatisfy { !$0.isNull }
    }

    /// The IDs of `partition`'s entries this node has handed on and not yet acknowledged, or queued to hand on.
    private func handedOrQueuedIDs(_ partition: Int) -> Set<String> {
        source.handedIDs(partition: partition).union(claimed.lazy.filter { $0.partition == partition }.map(\.entry.id))
    }

    /// The partitions held now whose current tenure's takeover claim this reader has done, with their lease values.
    private func readyTenures() -> [Int: String] {
        source.leases.tenures.filter { claimedUnder[$0.key] == $0.value }
    }

    /// An entry to move to the dead-letter stream: its partition, the entry, why, and the lease value it was read
    /// (or claimed) under.
    typealias DeadLetter = (partition: Int, entry: RedisStreamReplies.Entry, reason: String, lease: String)

    /// Claims every entry pending in `partition` (left by the previous owner, or read by this node under a lease
    /// it lost since), to be handed on under `lease`, dead-lettering those delivered more than `max-deliveries`
    /// times.
    private mutating func claim(_ partition: Int, lease: String) throws {
        let configuration = source.configuration
        let stream = configuration.streamName(partition)
        let server = source.pool.server
        var start = "0-0"
        repeat {
            let reply = try source.pool.sendWaiting([
                RESPCommand("XAUTOCLAIM", stream, configuration.group, configuration.consumer, "0", start,
                    "COUNT", String(configuration.batch))
            ])[0]
            try reply.checked("XAUTOCLAIM \(stream)", server: server)
            guard let parts = reply.elements, parts.count >= 2, let next = parts[0].text else {
                throw RedisError(code: .unexpectedReply, server: server, message: "XAUTOCLAIM \(stream): expected [next, entries, …], got \(reply)")
            }
            let entries = try RedisStreamReplies.entries(parts[1], command: "XAUTOCLAIM \(stream)", server: server)
            start = next
            guard let first = entries.first, let last = entries.last else { continue }
            let pending = try pendingEntries(partition, from: first.id, through: last.id, count: entries.count + 1,
                consumer: configuration.consumer)
            let deliveries = Dictionary(pending.map { ($0.id, $0.deliveries) }, uniquingKeysWith: max)
            try takeClaimed(entries, partition: partition, lease: lease, deliveries: deliveries)
        } while start != "0-0"
    }

    /// After a read whose reply was lost: queues the entries pending under this node's own name in `partition`
    /// that it has not handed on or queued (`skipping`), to be handed on under `lease`. `XPENDING … consumer`
    /// lists them (it changes nothing) and `XCLAIM` counts one more delivery for them only: the entries in the
    /// pipeline keep their count, and entries pending under other consumers are left to the periodic scan.
    private mutating func reclaimOwn(_ partition: Int, lease: String, skipping: Set<String>) throws {
        try claimPending(partition, lease: lease, minIdleMilliseconds: nil, consumer: source.configuration.consumer) { id, _ in
            !skipping.contains(id)
        }
    }

    /// Claims the entries pending, idle for at least `minIdleMilliseconds`, under other consumers in the
    /// partitions this node holds, to be handed on under the current lease.
    ///
    /// A new owner claims a partition's pending entries once, when it takes the lease; an entry the previous owner
    /// read after that (its reader had not yet seen the lease go) stays pending under the previous owner's name,
    /// which can never commit it (its lease value is gone). `read` calls this once per lease time with the lease
    /// time as the idle bound, so such an entry waits at most about two lease times. Entries pending under this
    /// node's own name are taken only when they are not in its pipeline (nor queued): a server that crashed and
    /// lost its last second of writes lost their acknowledgement, and nothing else would hand them on again.
    /// - Returns: how many entries were claimed.
    @discardableResult
    mutating func claimStranded(minIdleMilliseconds: Int) throws -> Int {
        let consumer = source.configuration.consumer
        var claimedCount = 0
        for (partition, lease) in readyTenures().sorted(by: { $0.key < $1.key }) {
            // Entries pending under this node's own name that are not in its pipeline are stranded too: a server
            // that crashed and lost its last second lost their acknowledgement, and nothing else hands them on.
            let inPipeline = handedOrQueuedIDs(partition)
            claimedCount += try claimPending(partition, lease: lease, minIdleMilliseconds: minIdleMilliseconds, consumer: nil) {
                $1 != consumer || !inPipeline.contains($0)
            }
        }
        return claimedCount
    }

    /// Claims the entries pending in `partition` that `XPENDING` lists (idle for at least `minIdleMilliseconds`
    /// when given; under `consumer` when given) and `select` keeps (by ID and consumer), with `XCLAIM` and the same
    /// idle bound (so a claim by another node meanwhile wins), and queues them to be handed on under `lease`. The
    /// claim counts as one more delivery; those delivered more than `max-deliveries` times are dead-lettered.
    /// - Returns: how many entries were claimed.
    @discardableResult
    private mutating func claimPending(
        _ partition: Int, lease: String, minIdleMilliseconds: Int?, consumer: String?,
        where select: (_ id: String, _ consumer: String) -> Bool
    ) throws -> Int {
        let configuration = source.configuration
        let stream = configuration.streamName(partition)
        let server = source.pool.server
        var after = "-"
        var ids: [String] = []
        var deliveries: [String: Int64] = [:]
        while true {
            let page = try pendingEntries(partition, from: after, through: "+", count: configuration.batch,
                minIdleMilliseconds: minIdleMilliseconds, consumer: consumer)
            for item in page where select(item.id, item.consumer) {
                ids.append(item.id)
                deliveries[item.id] = item.deliveries + 1
            }
            guard page.count == configuration.batch, let last = page.last else { break }
            after = "(" + last.id
        }
        var claimedCount = 0
        for start in stride(from: 0, to: ids.count, by: configuration.batch) {
            var command = RESPCommand("XCLAIM", stream, configuration.group, configuration.consumer,
                String(minIdleMilliseconds ?? 0))
            for id in ids[start..<min(start + configuration.batch, ids.count)] { command.append(id) }
            let reply = try source.pool.sendWaiting([command])[0]
            try reply.checked("XCLAIM \(stream)", server: server)
            let entries = try RedisStreamReplies.entries(reply, command: "XCLAIM \(stream)", server: server)
            claimedCount += entries.count
            try takeClaimed(entries, partition: partition, lease: lease, deliveries: deliveries)
        }
        return claimedCount
    }

    /// `XPENDING stream group [IDLE n] start end count [consumer]`: the pending entries in that range, in order,
    /// with their consumer and delivery count.
    private func pendingEntries(
        _ partition: Int, from start: String, through end: String, count: Int, minIdleMilliseconds: Int? = nil,
        consumer: String? = nil
    ) throws -> [(id: String, consumer: String, deliveries: Int64)] {
        let configuration = source.configuration
        let stream = configuration.streamName(partition)
        let server = source.pool.server
        var command = RESPCommand("XPENDING", stream, configuration.group)
        if let minIdleMilliseconds {
            command.append("IDLE")
            command.append(String(minIdleMilliseconds))
        }
        command.append(start)
        command.append(end)
        command.append(String(count))
        if let consumer { command.append(consumer) }
        let reply = try source.pool.sendWaiting([command])[0]
        try reply.checked("XPENDING \(stream)", server: server)
        var list: [(id: String, consumer: String, deliveries: Int64)] = []
        for item in reply.elements ?? [] {
            guard let fields = item.elements, fields.count == 4, let id = fields[0].text, let owner = fields[1].text,
                let deliveries = fields[3].integer
            else {
                throw RedisError(code: .unexpectedReply, server: server, message: "XPENDING \(stream): expected [id, consumer, idle, deliveries], got \(item)")
            }
            list.append((id, owner, deliveries))
        }
        return list
    }

    /// Queues claimed entries to be handed on under `lease`, dead-lettering those delivered more than
    /// `max-deliveries` times (`deliveries` as counted after the claim; an entry not in it counts once).
    private mutating func takeClaimed(
        _ entries: [RedisStreamReplies.Entry], partition: Int, lease: String, deliveries: [String: Int64]
    ) throws {
        let configuration = source.configuration
        var dead: [DeadLetter] = []
        for entry in entries {
            let count = deliveries[entry.id] ?? 1
            if count > Int64(configuration.maxDeliveries) {
                dead.append((partition, entry, "delivered \(count) times (max-deliveries \(configuration.maxDeliveries))", lease))
            } else {
                claimed.append((partition, entry, lease))
            }
        }
        if !dead.isEmpty { try deadLetter(dead) }
    }

    /// Moves entries to the dead-letter stream and acknowledges them, in one `MULTI`/`EXEC` fenced like the Redis
    /// sink's commits (nothing is lost: the entry's fields go with it, with its stream, ID and the reason). Only
    /// entries whose partition's lease still holds the value they were read under are moved; the others stay
    /// pending for the partition's new tenure, so an entry is dead-lettered once even when a node lost its lease
    /// while reading it. Only entries still pending for this node are moved (idempotent, keyed by entry ID: each
    /// is checked with `XPENDING`), so doing the same again moves nothing twice.
    /// - Returns: how many entries were moved.
    @discardableResult
    func deadLetter(_ entries: [DeadLetter]) throws -> Int {
        let configuration = source.configuration
        // Dead letters are few: every one is checked against the group, not only those delivered before.
        let fenced = entries.map {
            RedisFencedTransaction.Entry(partition: $0.partition, id: $0.entry.id, lease: $0.lease, redelivered: true)
        }
        return try RedisFencedTransaction.run(pool: source.pool, input: configuration, entries: fenced) { held in
            var commands: [RESPCommand] = []
            for (index, (partition, entry, reason, _)) in entries.enumerated() where held[index] {
                var add = RESPCommand("XADD", configuration.deadLetterStream, "*", "stream", configuration.streamName(partition),
                    "id", entry.id, "reason", reason)
                for (name, value) in entry.fields {
                    add.append("field:" + name)
                    add.append(bytes: value)
                }
                commands.append(add)
                commands.append(RESPCommand("XACK", configuration.streamName(partition), configuration.group, entry.id))
            }
            return (commands, commands.count / 2)
        }
    }
}

/// A reader moved to the read queue for one read and back: used by one job at a time, and read back only after
/// the job resumed the waiting task, hence `@unchecked Sendable`.
private final class ReaderBox: @unchecked Sendable {
    var reader: RedisStreamReader
    init(_ reader: RedisStreamReader) { self.reader = reader }
}
