import Foundation

/// The options of a `redis://HOST:PORT/STREAM` endpoint, checked, and the key names derived from them.
///
/// Partition `p` of stream `S` is the Redis stream `S:p`; a record goes to partition
/// `StableKeyHasher.hash(key) % partitions` (XXH64, seed 0, of the key's compact JSON). Leases are the keys
/// `sluice:lease:S:GROUP:p`, holding `CONSUMER#TENURE` (a fencing token); live nodes are the sorted set
/// `sluice:nodes:S:GROUP`.
public struct RedisStreamConfiguration: Sendable, Hashable {
    /// The server's host.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The stream's base name.
    public var stream: String
    /// How many partition streams.
    public var partitions: Int
    /// The consumer group (source).
    public var group: String
    /// This node's consumer name (source); unique per process unless given.
    public var consumer: String
    /// Lease time of a partition, in milliseconds (source).
    public var leaseMilliseconds: Int
    /// Entries per read, over all the partitions read (source).
    public var batch: Int
    /// Entries handed to the pipeline and not yet acknowledged, at most (source): the read-ahead. A reader at the
    /// bound waits for acknowledgements instead of reading, so unread entries stay in Redis (and a node that dies
    /// leaves at most this many pending).
    public var prefetch: Int
    /// How long one read blocks waiting for entries, in milliseconds (source).
    public var blockMilliseconds: Int
    /// Deliveries after which an entry goes to the dead-letter stream instead of the pipeline (source).
    public var maxDeliveries: Int
    /// The dead-letter stream (source).
    public var deadLetterStream: String
    /// End the input once the whole group has been idle this long, in milliseconds; 0: never (source).
    public var idleExitMilliseconds: Int
    /// The entry field holding the JSON document.
    public var field: String
    /// Approximate MAXLEN of each partition stream (`XADD … MAXLEN ~ n`); 0: no trimming (sink).
    public var maxLength: Int
    /// Connections in the pool.
    public var poolSize: Int
    /// Command timeout in milliseconds.
    public var timeoutMilliseconds: Int
    /// What every new connection sends `AUTH` with (`user`, and the password read from `password-env`); nil:
    /// no `AUTH`.
    public var credentials: RedisCredentials?

    /// `host:port`.
    public var server: String { "\(host):\(port)" }

    /// The stream of partition `partition`.
    public func streamName(_ partition: Int) -> String { "\(stream):\(partition)" }

    /// The lease key of partition `partition`.
    public func leaseKey(_ partition: Int) -> String { "sluice:lease:\(stream):\(group):\(partition)" }

    /// The node that holds a lease, from the lease's value (`CONSUMER#TENURE`): its consumer name.
    public static func leaseHolder(_ value: String) -> String {
        guard let hash = value.lastIndex(of: "#") else { return value }
        return String(value[..<hash])
    }

    /// The sorted set of live nodes.
    public var nodesKey: String { "sluice:nodes:\(stream):\(group)" }

    /// The options a `redis://` endpoint takes.
    static let options: [ConnectorOption] = [
        ConnectorOption("partitions", .integer(1...4096), default: "8", "partition streams STREAM:0 … STREAM:N-1"),
        ConnectorOption("group", .string, default: "sluice", "consumer group shared by the nodes (source)"),
        ConnectorOption("consumer", .string, "this node's consumer name (source; default host-pid-random)"),
        ConnectorOption("lease-ms", .integer(100...600_000), default: "5000",
            "partition lease time: a dead node's partitions are taken over within about this long of its death (source)"),
        ConnectorOption("batch", .integer(1...100_000), default: "500",
            "entries per XREADGROUP, over all the partitions it reads (source)"),
        ConnectorOption("prefetch", .integer(1...10_000_000),
            "entries read and not yet acknowledged, at most; the reader waits for acknowledgements beyond it (source; default 4 × batch)"),
        ConnectorOption("block-ms", .integer(1...60_000), default: "200", "how long one XREADGROUP waits (source)"),
        ConnectorOption("max-deliveries", .integer(1...1_000), default: "5",
            "deliveries after which an entry is dead-lettered (source)"),
        ConnectorOption("dead-letter", .string, "dead-letter stream (source; default STREAM:dead)"),
        ConnectorOption("idle-exit-ms", .integer(0...86_400_000), default: "0",
            "end the input once the group has had nothing pending or unread (and every partition a live owner) for this long; 0: run until Ctrl-C (source)"),
        ConnectorOption("field", .string, default: "data", "the entry field holding the JSON document"),
        ConnectorOption("maxlen", .integer(0...Int(Int32.max)), default: "1000000",
            "approximate MAXLEN per partition stream; 0: no trimming (sink)"),
        ConnectorOption("pool", .integer(1...64), default: "4", "connections in the pool"),
        ConnectorOption("timeout-ms", .integer(10...600_000), default: "5000", "command timeout"),
        ConnectorOption("password-env", .string,
            "the environment variable holding the password every connection sends with AUTH (never the password itself)"),
        ConnectorOption("user", .string, "the ACL user AUTH names (Redis 6+; default: the server's default user; needs password-env)"),
    ]

    /// Reads the configuration from a resolved endpoint.
    /// - Throws: `ConnectorError.invalidURI` unless the target is `HOST:PORT/STREAM`.
    public init(_ endpoint: ConnectorEndpoint) throws(ConnectorError) {
        let (host, port, stream) = try Self.split(endpoint)
        self.host = host
        self.port = port
        self.stream = stream
        func number(_ name: String, _ fallback: Int) -> Int { endpoint[option: name].flatMap { Int($0) } ?? fallback }
        partitions = number("partitions", 8)
        group = endpoint[option: "group"] ?? "sluice"
        consumer = endpoint[option: "consumer"]
            ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        leaseMilliseconds = number("lease-ms", 5_000)
        batch = number("batch", 500)
        prefetch = number("prefetch", 4 * batch)
        blockMilliseconds = number("block-ms", 200)
        maxDeliveries = number("max-deliveries", 5)
        deadLetterStream = endpoint[option: "dead-letter"] ?? "\(stream):dead"
        idleExitMilliseconds = number("idle-exit-ms", 0)
        field = endpoint[option: "field"] ?? "data"
        maxLength = number("maxlen", 1_000_000)
        poolSize = number("pool", 4)
        timeoutMilliseconds = number("timeout-ms", 5_000)
        credentials = try Self.credentials(endpoint)
    }

    /// The credentials `password-env` (and `user`) name, read from the environment.
    /// - Throws: `ConnectorError.invalidOption` naming the option when the variable is not set, or `user` is given
    ///   without `password-env`.
    static func credentials(
        _ endpoint: ConnectorEndpoint, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConnectorError) -> RedisCredentials? {
        let user = endpoint[option: "user"]
        guard let variable = endpoint[option: "password-env"] else {
            if user != nil {
                throw ConnectorError(code: .invalidOption, message: "user '\(user ?? "")' is given without a password",
                    field: "user", expected: "password-env=VARIABLE as well, the environment variable holding its password")
            }
            return nil
        }
        guard let password = environment[variable], !password.isEmpty else {
            throw ConnectorError(code: .invalidOption, message: "the environment variable \(variable) is not set or is empty",
                field: "password-env", expected: "the name of a set environment variable holding the password")
        }
        return RedisCredentials(user: user, password: password, variable: variable)
    }

    /// Splits `HOST:PORT/STREAM`.
    static func split(_ endpoint: ConnectorEndpoint) throws(ConnectorError) -> (String, Int, String) {
        let target = endpoint.target
        guard let slash = target.firstIndex(of: "/") else {
            throw ConnectorError(code: .invalidURI, message: "'\(endpoint.uri)' names no stream", field: "uri",
                expected: "redis://HOST:PORT/STREAM, e.g. redis://127.0.0.1:6379/events")
        }
        let stream = String(target[target.index(after: slash)...])
        let address = target[..<slash]
        guard !stream.isEmpty, !stream.contains(" "), let colon = address.lastIndex(of: ":"), colon != address.startIndex,
            let port = Int(address[address.index(after: colon)...]), (1...65_535).contains(port)
        else {
            throw ConnectorError(code: .invalidURI, message: "'\(endpoint.uri)' is not HOST:PORT/STREAM", field: "uri",
                expected: "redis://HOST:PORT/STREAM with a port in 1...65535 and a stream name without spaces, e.g. redis://127.0.0.1:6379/events")
        }
        return (String(address[..<colon]), port, stream)
    }
}

/// What a connection authenticates with: `AUTH [user] password`. Its description names the user and the
/// environment variable, never the password.
public struct RedisCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The ACL user; nil: the server's default user (`AUTH password`).
    public var user: String?
    /// The password.
    public var password: String
    /// The environment variable it was read from (for messages).
    public var variable: String

    /// Creates credentials.
    public init(user: String?, password: String, variable: String) {
        self.user = user
        self.password = password
        self.variable = variable
    }

    /// The `AUTH` command.
    var command: RESPCommand {
        var command = RESPCommand("AUTH")
        if let user { command.append(user) }
        command.append(password)
        return command
    }

    /// Names the user (`default` when nil) and the environment variable; never the password.
    public var description: String { "user \(user ?? "default"), password from $\(variable)" }
}
