import NIOCore

/// A `MULTI`/`EXEC` that runs only under the input partitions' current leases: the one rule the Redis sink's
/// commits and the source's dead letters share.
///
/// On one connection: `WATCH` on the partitions' lease keys and `MGET` of their values, then the transaction
/// `build` makes from those values (it leaves out whatever was read under a lease value the key no longer holds),
/// then `EXEC`. When a watched lease changed in between (renewed by this node, or taken by another), `EXEC` runs
/// nothing and the whole is done again with the new values, at most 10 times.
enum RedisFencedTransaction {
    /// Runs the transaction `build` makes from the lease values of `partitions` (a missing key has no value), and
    /// returns what `build` returned with it. Blocks the calling thread until the server answers; a stalled server
    /// fails it after the pool's command timeout.
    /// - Throws: `RedisError` naming the command that failed, or `.leaseLost` when the leases kept changing.
    static func run<Value: Sendable>(
        pool: RedisConnectionPool, input: RedisStreamConfiguration, partitions: [Int],
        build: @escaping @Sendable ([Int: String]) -> (commands: [RESPCommand], value: Value)
    ) throws -> Value {
        let server = pool.server
        let keys = partitions.map { input.leaseKey($0) }
        for _ in 0..<10 {
            let outcome = try pool.withConnection { connection -> EventLoopFuture<(transaction: [RESPCommand], value: Value, replies: [RESPValue])> in
                var watch = [RESPCommand]()
                if !keys.isEmpty {
                    var command = RESPCommand("WATCH")
                    for key in keys { command.append(key) }
                    watch.append(command)
                    var get = RESPCommand("MGET")
                    for key in keys { get.append(key) }
                    watch.append(get)
                }
                return connection.send(watch, timeout: pool.commandTimeout).flatMap { replies in
                    let values = replies.last?.elements ?? []
                    var leases: [Int: String] = [:]
                    for (partition, value) in zip(partitions, values) { leases[partition] = value.text }
                    let (body, value) = build(leases)
                    let transaction = [RESPCommand("MULTI")] + body + [RESPCommand("EXEC")]
                    return connection.send(transaction, timeout: pool.commandTimeout).map { (transaction, value, $0) }
                }
            }.wait()
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
}
