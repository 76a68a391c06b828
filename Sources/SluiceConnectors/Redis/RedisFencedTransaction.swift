import NIOCore

/// A `MULTI`/`EXEC` that commits input entries only while this node still holds them: the one rule the Redis
/// sink's commits and the source's dead letters share.
///
/// An entry is *held* when its partition's lease still has the value the entry was read under (a fencing token)
/// and it was not committed already. The second half makes a commit idempotent, keyed by entry ID. An entry read
/// new (`XREADGROUP … >`) is delivered once in the group's life, so before its commit nothing can have committed
/// it: it is held on its lease alone. An entry that could have been committed already is checked against the
/// group: held only while still pending under this node's consumer name (`XPENDING S:p GROUP first last COUNT
/// consumer` over its partition's range of such entries), and only its first copy in one commit. That is every
/// entry delivered again (claimed: `redelivered`), and, when a commit is done again, every entry of it.
///
/// On one connection, pipelined: `WATCH` on the partitions' lease keys, `MGET` of their values and the
/// `XPENDING`s; then the transaction `build` makes from which entries are held, then `EXEC`. When a watched lease
/// changed in between (renewed by this node, or taken by another), `EXEC` runs nothing and the whole is done
/// again, at most 10 times. An entry held at the check cannot be acknowledged by anyone else before `EXEC` runs:
/// only the lease's holder acknowledges a partition's entries, and a lease that changes aborts `EXEC`. When the
/// connection closed or timed out before `EXEC`'s reply came, whether the transaction ran is unknown: the whole
/// is done again on a new connection (at most 3 times) with every entry checked, so what the lost attempt
/// committed is not committed twice.
enum RedisFencedTransaction {
    /// An input entry to commit: its partition, its ID, the lease value it was read under, and whether it was
    /// delivered before (claimed), so that it may have been committed already.
    struct Entry: Sendable {
        var partition: Int
        var id: String
        var lease: String
        var redelivered: Bool
    }

    /// Runs the transaction `build` makes from which of `entries` are held (`held[i]` for `entries[i]`), and
    /// returns what `build` returned with it. Blocks the calling thread until the server answers; a stalled server
    /// fails it after the pool's command timeout, and a connection that closes or times out is replaced and the
    /// whole done again, at most 3 times.
    /// - Throws: `RedisError` naming the command that failed, or `.leaseLost` when the leases kept changing.
    static func run<Value: Sendable>(
        pool: RedisConnectionPool, input: RedisStreamConfiguration, entries: [Entry],
        build: @escaping @Sendable (_ held: [Bool]) -> (commands: [RESPCommand], value: Value)
    ) throws -> Value {
        let server = pool.server
        let partitions = Set(entries.map(\.partition)).sorted()
        let keys = partitions.map { input.leaseKey($0) }
        var attempts = 0
        var connectionFailures = 0
        // After a connection failure, whether the lost attempt committed is unknown: check every entry.
        var checkAll = false
        while attempts < 10 {
            attempts += 1
            let (checked, checks) = pendingChecks(entries, checkAll: checkAll, input: input)
            let checkingAll = checkAll
            let future = pool.withConnection { connection -> EventLoopFuture<(transaction: [RESPCommand], value: Value, replies: [RESPValue])> in
                var watch = [RESPCommand]()
                if !keys.isEmpty {
                    var command = RESPCommand("WATCH")
                    for key in keys { command.append(key) }
                    watch.append(command)
                    var get = RESPCommand("MGET")
                    for key in keys { get.append(key) }
                    watch.append(get)
                }
                let check = watch + checks
                return connection.send(check, timeout: pool.commandTimeout).flatMapThrowing { replies -> [Bool] in
                    for (reply, command) in zip(replies, check) { try reply.checked(command.description, server: server) }
                    return try held(entries, checkAll: checkingAll, partitions: partitions, checked: checked,
                        replies: replies, server: server)
                }.flatMap { held in
                    let (body, value) = build(held)
                    let transaction = [RESPCommand("MULTI")] + body + [RESPCommand("EXEC")]
                    return connection.send(transaction, timeout: pool.commandTimeout).map { (transaction, value, $0) }
                }
            }
            let outcome: (transaction: [RESPCommand], value: Value, replies: [RESPValue])
            do {
                outcome = try future.wait()
            } catch let error as RedisError where error.isOutcomeUnknown {
                // The transaction may or may not have run; the check of the next attempt tells entry by entry.
                checkAll = true
                connectionFailures += 1
                if connectionFailures > 3 { throw error }
                attempts -= 1
                continue
            }
            guard let exec = outcome.replies.last else { continue }
            // A watched lease changed before EXEC: look again.
            if exec.isNull { continue }
            guard let results = exec.elements else {
                try exec.checked("EXEC", server: server)
                throw RedisError(code: .unexpectedReply, server: server, message: "EXEC: expected an array of results, got \(exec)")
            }
            for (result, command) in zip(results, outcome.transaction.dropFirst()) {
                try result.checked("\(command.description) (in MULTI)", server: server)
            }
            for (reply, command) in zip(outcome.replies.dropLast(), outcome.transaction.dropLast()) {
                try reply.checked(command.description, server: server)
            }
            return outcome.value
        }
        throw RedisError(code: .leaseLost, server: server,
            message: "the leases of \(input.stream) partitions \(partitions) kept changing during 10 attempts to commit")
    }

    /// The partitions whose entries are checked (those with a `redelivered` entry, or all with `checkAll`), and
    /// for each `XPENDING S:p GROUP first last COUNT consumer` over the range of its checked entries' IDs. The
    /// count is no limit in practice: a node has at most its read-ahead bound pending.
    static func pendingChecks(_ entries: [Entry], checkAll: Bool, input: RedisStreamConfiguration) -> (partitions: [Int], commands: [RESPCommand]) {
        var ranges: [Int: (first: StreamID, last: StreamID)] = [:]
        for entry in entries where checkAll || entry.redelivered {
            guard let id = StreamID(entry.id) else { continue }
            if let range = ranges[entry.partition] {
                ranges[entry.partition] = (min(range.first, id), max(range.last, id))
            } else {
                ranges[entry.partition] = (id, id)
            }
        }
        let partitions = ranges.keys.sorted()
        return (partitions, partitions.map { partition in
            let range = ranges[partition]!
            return RESPCommand("XPENDING", input.streamName(partition), input.group,
                range.first.description, range.last.description, "1000000000", input.consumer)
        })
    }

    /// Which entries are held, from the replies to `WATCH`, `MGET` (of `partitions`' leases) and the `XPENDING`s
    /// (of `checked`).
    static func held(
        _ entries: [Entry], checkAll: Bool, partitions: [Int], checked: [Int], replies: [RESPValue], server: String
    ) throws -> [Bool] {
        guard !partitions.isEmpty else { return [] }
        guard replies.count == 2 + checked.count, let values = replies[1].elements else {
            throw RedisError(code: .unexpectedReply, server: server,
                message: "WATCH, MGET and XPENDING: expected \(2 + checked.count) replies with an array from MGET, got \(replies)")
        }
        var leases: [Int: String] = [:]
        for (index, partition) in partitions.enumerated() {
            if index < values.count, let value = values[index].text { leases[partition] = value }
        }
        var pending: [Int: Set<StreamID>] = [:]
        for (index, partition) in checked.enumerated() {
            guard let items = replies[2 + index].elements else {
                throw RedisError(code: .unexpectedReply, server: server,
                    message: "XPENDING of partition \(partition): expected an array, got \(replies[2 + index])")
            }
            var ids = Set<StreamID>(minimumCapacity: items.count)
            for item in items {
                guard case .bulkString(let bytes?)? = item.elements?.first, let id = StreamID(bytes) else {
                    throw RedisError(code: .unexpectedReply, server: server,
                        message: "XPENDING of partition \(partition): expected [id, consumer, idle, deliveries], got \(item)")
                }
                ids.insert(id)
            }
            pending[partition] = ids
        }
        // With any entry checked, the commit's entries so far, so that a second copy of one is not held.
        struct Key: Hashable { var partition: Int; var id: StreamID }
        var seen: Set<Key>? = checked.isEmpty ? nil : Set(minimumCapacity: entries.count)
        return entries.map { entry in
            guard leases[entry.partition] == entry.lease else { return false }
            guard seen != nil, let id = StreamID(entry.id) else { return true }
            if checkAll || entry.redelivered {
                guard pending[entry.partition]?.contains(id) == true else { return false }
            }
            return seen!.insert(Key(partition: entry.partition, id: id)).inserted
        }
    }
}

/// A stream entry ID, `milliseconds-sequence`, ordered as Redis orders them.
struct StreamID: Comparable, Hashable, Sendable, CustomStringConvertible {
    var milliseconds: UInt64
    var sequence: UInt64

    /// Parses `ms-seq` (or `ms`, sequence 0); nil for anything else.
    init?(_ text: String) {
        var text = text
        guard let id = text.withUTF8({ StreamID(bytes: $0) }) else { return nil }
        self = id
    }

    /// Parses `ms-seq` (or `ms`, sequence 0) from bytes; nil for anything else.
    init?(_ bytes: [UInt8]) {
        guard let id = bytes.withUnsafeBufferPointer({ StreamID(bytes: $0) }) else { return nil }
        self = id
    }

    private init?(bytes: UnsafeBufferPointer<UInt8>) {
        let dash = bytes.firstIndex(of: UInt8(ascii: "-"))
        guard let milliseconds = Self.number(UnsafeBufferPointer(rebasing: bytes[..<(dash ?? bytes.endIndex)])) else { return nil }
        self.milliseconds = milliseconds
        if let dash {
            guard let sequence = Self.number(UnsafeBufferPointer(rebasing: bytes[(dash + 1)...])) else { return nil }
            self.sequence = sequence
        } else {
            sequence = 0
        }
    }

    /// A non-empty run of decimal digits that fits in 64 bits; nil for anything else.
    private static func number(_ digits: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow, !carry else { return nil }
            value = sum
        }
        return value
    }

    static func < (a: StreamID, b: StreamID) -> Bool {
        (a.milliseconds, a.sequence) < (b.milliseconds, b.sequence)
    }

    var description: String { "\(milliseconds)-\(sequence)" }
}
