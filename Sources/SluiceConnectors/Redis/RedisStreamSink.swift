import NIOCore
import Sluice

/// Output records appended to partition streams (`XADD STREAM:p MAXLEN ~ n * data <json>`), the partition
/// chosen by the stable hash of the record's key (of the whole record when no `key` stage ran).
///
/// `write` buffers; `commit` (and `flush`) sends the buffer pipelined and blocks the calling thread until the
/// server confirms every `XADD` (how durable that is depends on the server's `appendfsync`; see the README). When
/// the input is not a Redis stream on the same server, a commit whose replies were lost (the connection closed or
/// timed out) is sent again on a new connection, at most 3 times: at-least-once, a record may be written twice.
/// That wait is the backpressure: the pipeline's sink stage, and the channels before it, wait for Redis. It is
/// not cancelled by task cancellation; a stalled server fails it after `timeout-ms`. When the
/// pipeline's source is a Redis stream on the same server, `commit` writes the records and acknowledges their
/// input in one `MULTI`/`EXEC`, under `WATCH` on the input partitions' leases: if another node took a partition
/// over meanwhile, the transaction does not run, the records of that partition are left to the new owner, and
/// the rest is written in a new transaction. An input entry counts as held only while its partition's lease
/// still has the value (tenure) it was read under, so a node that lost a lease and took it again leaves what it
/// read under the old one to the new tenure, which claims it again. The sink is idempotent, keyed by entry ID:
/// an entry that may have been committed already (claimed, or in a commit done again) counts as held only while
/// it is still pending for this node (`XPENDING`, in the same round trip as the leases), and once per commit; so
/// a commit whose reply was lost (the connection closed or timed out) is done again on a new connection, up to 3
/// times, and writes nothing twice. Each record then carries `src` (input stream and entry ID), so a reader can
/// tell which input entry it came from. Used from the pipeline's sink only (one thread or task at a time), hence
/// `@unchecked Sendable`.
public final class RedisStreamSink: RecordSinkConnection, @unchecked Sendable {
    /// The endpoint's options.
    public let configuration: RedisStreamConfiguration
    private let pool: RedisConnectionPool
    /// A record waiting for the next commit: its output partition, its bytes, and where its input ended.
    struct Pending {
        var partition: Int
        var bytes: [UInt8]
        var inputOffset: Int
    }
    private var pending: [Pending] = []
    private var line: [UInt8] = []

    /// Opens the sink (connections open on the first commit).
    public init(configuration: RedisStreamConfiguration) {
        self.configuration = configuration
        addPrefixes = Self.addPrefixes(configuration)
        pool = RedisConnectionPool(
            host: configuration.host, port: configuration.port, maxConnections: configuration.poolSize,
            commandTimeout: .milliseconds(Int64(configuration.timeoutMilliseconds)), credentials: configuration.credentials)
    }

    /// The partition of a record: the stable hash of its key's (or its own) bytes, modulo the partitions.
    public static func partition(of bytes: UnsafeRawBufferPointer, partitions: Int) -> Int {
        Int(StableKeyHasher.hash(bytes) % UInt64(partitions))
    }

    /// Newline-separated lines from a plain writer: each line is one record, partitioned by its bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        for byte in bytes {
            if byte == 10 {
                if !line.isEmpty {
                    try line.withUnsafeBytes { try write(record: $0, key: nil, inputOffset: -1) }
                }
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
        }
    }

    /// Buffers the record for the next commit, in the partition of its key's bytes (of the record's own when
    /// `key` is nil). Sends nothing and never blocks.
    public func write(record: UnsafeRawBufferPointer, key: [UInt8]?, inputOffset: Int) throws {
        let partition = key.map { key in key.withUnsafeBytes { Self.partition(of: $0, partitions: configuration.partitions) } }
            ?? Self.partition(of: record, partitions: configuration.partitions)
        pending.append(Pending(partition: partition, bytes: Array(record), inputOffset: inputOffset))
    }

    /// Sends the buffered records as `XADD`s (at-least-once, as for an input on another server) and acknowledges
    /// nothing; blocks until Redis confirms (see `commit`).
    public func flush() throws {
        try commit(acknowledging: nil, through: 0)
    }

    /// Ends an unterminated line as a record, flushes (blocking until Redis confirms), then closes the pool.
    public func close() throws {
        if !line.isEmpty { try [UInt8(10)].withUnsafeBytes { try write($0) } }
        try flush()
        pool.close()
    }

    /// `XADD S:p [MAXLEN ~ n] * field`, per partition, built once.
    private static func addPrefixes(_ configuration: RedisStreamConfiguration) -> [[[UInt8]]] {
        (0..<configuration.partitions).map { partition in
        var command = RESPCommand("XADD", configuration.streamName(partition))
        if configuration.maxLength > 0 {
            command.append("MAXLEN")
            command.append("~")
            command.append(String(configuration.maxLength))
        }
        command.append("*")
        command.append(configuration.field)
        return command.arguments
        }
    }
    private let addPrefixes: [[[UInt8]]]

    /// `XADD … field <record> [src <source>]`: one allocation for the argument list; the record's bytes and the
    /// prefix's arguments are shared, not copied.
    private func add(_ record: Pending, source: [UInt8]?) -> RESPCommand {
        let prefix = addPrefixes[record.partition]
        var arguments: [[UInt8]] = []
        arguments.reserveCapacity(prefix.count + 3)
        arguments.append(contentsOf: prefix)
        arguments.append(record.bytes)
        if let source {
            arguments.append(Self.sourceField)
            arguments.append(source)
        }
        return RESPCommand(arguments: arguments)
    }

    private static let sourceField = Array("src".utf8)

    /// `src` of a record: the input partition's stream name, `/`, and the entry ID.
    static func source(streamPrefix: [UInt8], id: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(streamPrefix.count + id.utf8.count)
        bytes.append(contentsOf: streamPrefix)
        bytes.append(contentsOf: id.utf8)
        return bytes
    }

    /// Sends the buffered records and acknowledges `source` through `end`: in one fenced `MULTI`/`EXEC` when
    /// `source` is a Redis stream on this server, else `XADD`s then `source.acknowledge(through:)`. Blocks until
    /// Redis confirms; task cancellation does not interrupt it. Returns how many records it wrote.
    @discardableResult
    public func commit(acknowledging source: (any AcknowledgedSource)?, through end: Int) throws -> Int {
        let records = pending
        pending.removeAll(keepingCapacity: true)
        guard let input = source as? RedisStreamSource, input.configuration.server == configuration.server else {
            if !records.isEmpty { try append(records.map { add($0, source: nil) }) }
            try source?.acknowledge(through: end)
            return records.count
        }
        let entries = input.take(through: end)
        return try commitTransaction(records, entries: entries, input: input)
    }

    /// Sends the `XADD`s of a commit whose input is not on this server (a file, a socket, another server):
    /// at-least-once. When the connection closes or times out before the replies come, which `XADD`s ran is
    /// unknown: all are sent again on a new connection (at most 3 times), so a record may be written twice but
    /// is not lost.
    func append(_ commands: [RESPCommand]) throws {
        _ = try pool.sendCheckedRetrying(commands)
    }

    /// Writes `records` and acknowledges `entries` in one `MULTI`/`EXEC`, fenced by `WATCH` on the leases of the
    /// input partitions; retried (at most 10 times) when a lease changed, without the partitions no longer held.
    /// Idempotent, keyed by entry ID (`RedisFencedTransaction`): an entry that may have been committed already is
    /// committed only while still pending under this node's consumer name.
    /// - Returns: how many records were written.
    func commitTransaction(_ records: [Pending], entries: [RedisStreamSource.Handed], input: RedisStreamSource) throws -> Int {
        guard !records.isEmpty || !entries.isEmpty else { return 0 }
        // The entry each record came from: the first entry whose line ends after the record's input offset.
        var originOf: [Int] = []
        originOf.reserveCapacity(records.count)
        var cursor = 0
        for record in records {
            while cursor < entries.count && entries[cursor].end <= record.inputOffset { cursor += 1 }
            originOf.append(cursor < entries.count && record.inputOffset >= 0 ? cursor : -1)
        }
        let origin = originOf
        let inputConfiguration = input.configuration
        // `STREAM:p/` per input partition, for the records' `src`.
        let streamPrefixes = (0..<inputConfiguration.partitions).map { Array((inputConfiguration.streamName($0) + "/").utf8) }
        let fenced = entries.map {
            RedisFencedTransaction.Entry(partition: $0.partition, id: $0.id, lease: $0.lease, redelivered: $0.redelivered)
        }
        // `held[i]`: entry i's lease still has the value it was read under (a fencing token: after a lease was
        // lost, even to this node itself, the entries read under it are left pending for the new tenure, which
        // claims them again), and the entry is still pending for this node (not committed already).
        return try RedisFencedTransaction.run(pool: pool, input: inputConfiguration, entries: fenced) { [self] held in
            var commands: [RESPCommand] = []
            commands.reserveCapacity(records.count + entries.count)
            for (index, record) in records.enumerated() {
                let from = origin[index]
                if from >= 0 {
                    guard held[from] else { continue }
                    let entry = entries[from]
                    commands.append(add(record, source: Self.source(streamPrefix: streamPrefixes[entry.partition], id: entry.id)))
                } else {
                    commands.append(add(record, source: nil))
                }
            }
            let written = commands.count
            commands += RedisStreamSource.acknowledgements(entries.indices.filter { held[$0] }.map { entries[$0] }, inputConfiguration)
            return (commands, written)
        }
    }
}
