import Foundation
import SluiceConnectors
import SluiceTestKit

#if canImport(Glibc)
import Glibc
#endif

/// Several `sluice run` processes sharing one manifest through Redis Streams, on this machine: the path a user
/// takes to scale a pipeline out (see the README's "Several machines: Redis Streams").
///
/// One trial: `records` documents are appended to the input partitions, `workers` processes run the manifest
/// (Redis source → filter → key → Redis sink, each node with its own consumer name), and the trial waits until
/// every process has ended by itself (`idle-exit-ms`). With `killAfterFraction`, one node is killed with SIGKILL
/// once that fraction of the output exists and it holds at least one partition, and the trial measures how long until every partition it held is
/// leased by another node. At the end every output entry's `src` (input stream and entry ID) is read back: inputs
/// with no output are lost, outputs beyond one per input are duplicates.
///
/// With `restartAfterFraction`, the server is restarted (`restartServer`) once that fraction of the output
/// exists, and the trial measures how long after it answers again the nodes write their first output (by the
/// server's clock, from the output entry IDs).
///
/// Used by `macro/distributed/redis/workers1|2`, `chaos/distributed/node-kill`, `chaos/distributed/redis-restart`
/// and the multi-process test.
public struct DistributedRedisRun: Sendable {
    /// What one trial does.
    public struct Configuration: Sendable {
        /// The `sluice` executable.
        public var sluice: String
        /// The server, `host:port`.
        public var server: String
        /// Input documents per trial.
        public var records = 20_000
        /// `sluice run` processes.
        public var workers = 2
        /// Partition streams of the input and of the output.
        public var partitions = 8
        /// The source's `lease-ms`.
        public var leaseMilliseconds = 1_000
        /// The source's `idle-exit-ms`: how the nodes end by themselves.
        public var idleExitMilliseconds = 500
        /// The source's `batch` (entries per read).
        public var batch = 500
        /// The manifest's `batch-size` (documents per sink commit).
        public var batchSize = 256
        /// Kill one node once this fraction of the output exists; nil: kill none.
        public var killAfterFraction: Double? = nil
        /// Restart the server (`restartServer`) once this fraction of the output exists; nil: never.
        public var restartAfterFraction: Double? = nil
        /// Stops the server and starts it again on the same address and data, returning once it answers `PING`
        /// (`RedisServer.restart`).
        public var restartServer: (@Sendable () throws -> Void)? = nil
        /// Give up (and fail the trial) after this long.
        public var deadlineSeconds: Double = 120
        /// Where the manifests and the nodes' logs go.
        public var folder: String
        /// The server's process ID, to read its CPU time from `/proc` (nil: `serverCPUSeconds` is not measured).
        public var serverProcessIdentifier: Int32? = nil
        /// The server address node `index` connects to (default: `server`), e.g. across a network namespace.
        public var nodeServer: (@Sendable (Int) -> String)? = nil
        /// The command node `index` runs `sluice` under (default: none), e.g. `ip netns exec NAME`; it must exec
        /// `sluice` in its own process, so that killing the process kills the node.
        public var launcher: (@Sendable (Int) -> [String])? = nil

        /// Creates a configuration.
        public init(sluice: String, server: String, folder: String) {
            self.sluice = sluice
            self.server = server
            self.folder = folder
        }
    }

    /// What one trial measured.
    public struct Outcome: Sendable {
        /// Seconds from starting the nodes until the last output existed.
        public var seconds: Double
        /// Inputs written.
        public var records: Int
        /// Inputs with no output.
        public var lost: Int
        /// Outputs beyond the first for an input.
        public var duplicates: Int
        /// Milliseconds from the kill until another node leased every partition the killed node held.
        public var takeoverMilliseconds: Double?
        /// Milliseconds from the restarted server answering `PING` until the first output written after it (by
        /// the server's clock: the first output entry ID at or after the server's `TIME` then).
        public var resumeMilliseconds: Double?
        /// The exit statuses of the nodes that were not killed.
        public var exitStatuses: [Int32]
        /// CPU seconds (user + system) of all the nodes together, from starting them until they ended
        /// (`getrusage(RUSAGE_CHILDREN)` across the trial: every child this process reaped meanwhile, so a process
        /// should run one trial at a time); nil when it could not be read.
        public var nodesCPUSeconds: Double? = nil
        /// CPU seconds (user + system, all its threads, not a rewrite's child) of the server over the same span, from
        /// `/proc/<pid>/stat` (clock ticks); nil without `serverProcessIdentifier` or when the server restarted.
        /// It includes the trial's own polling (one pipelined `XLEN` per output partition every 5 ms), which costs
        /// the server about 10 ms of CPU a second here (an idle server polled so: 12 ms a second), 1–2 % of its CPU
        /// per document at 60–100 K documents a second.
        public var serverCPUSeconds: Double? = nil
    }

    /// The configuration.
    public let configuration: Configuration

    /// Creates a run.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// `name` next to the running executable (the package's products folder), if it is there.
    public static func siblingExecutable(_ name: String) -> String? {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        while directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        let path = directory.appendingPathComponent(name).path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// The manifest node `index` runs.
    public func manifest(node index: Int) -> String {
        let c = configuration
        let server = c.nodeServer?(index) ?? c.server
        return """
            name: distributed-\(index)
            source: redis://\(server)/in?partitions=\(c.partitions)&consumer=node-\(index)&lease-ms=\(c.leaseMilliseconds)&idle-exit-ms=\(c.idleExitMilliseconds)&batch=\(c.batch)&block-ms=100
            stages:
              - name: kept
                filter: '.keep'
              - name: by-key
                key: .key
            sink: redis://\(server)/out?partitions=\(c.partitions)&maxlen=0
            engine: concurrent
            batch-size: \(c.batchSize)
            channel-capacity: \(max(4_096, 4 * c.batchSize))
            """
    }

    /// Runs one trial on an empty server (it is emptied first with `FLUSHALL`).
    /// - Throws: a `HarnessError` naming the node whose log shows why, or the deadline that passed.
    public func run() throws -> Outcome {
        let c = configuration
        guard let colon = c.server.lastIndex(of: ":"), let port = Int(c.server[c.server.index(after: colon)...]) else {
            throw HarnessError(code: .benchmarkSetup, message: "server must be HOST:PORT, got \(c.server)")
        }
        let pool = RedisConnectionPool(host: String(c.server[..<colon]), port: port)
        defer { pool.close() }
        _ = try pool.sendWaiting([RESPCommand("FLUSHALL")])
        try preload(pool)
        try compactAppendOnlyFile(pool)

        let input = try self.input()
        var processes: [Process] = []
        let childrenCPUAtStart = ResourceUsage.childrenCPUTime()
        let serverCPUAtStart = c.serverProcessIdentifier.flatMap(ResourceUsage.cpuTime(ofProcess:))
        let start = Date()
        for index in 0..<c.workers {
            let path = "\(c.folder)/node-\(index).yaml"
            try manifest(node: index).write(toFile: path, atomically: true, encoding: .utf8)
            let process = Process()
            let command = (c.launcher?(index) ?? []) + [c.sluice, "run", "--no-progress", path]
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
            let logPath = "\(c.folder)/node-\(index).log"
            guard FileManager.default.createFile(atPath: logPath, contents: nil),
                let log = FileHandle(forWritingAtPath: logPath)
            else {
                throw HarnessError(code: .benchmarkSetup, message: "cannot create node \(index)'s log \(logPath)")
            }
            process.standardOutput = log
            process.standardError = log
            try process.run()
            processes.append(process)
        }
        defer { for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let deadline = start.addingTimeInterval(c.deadlineSeconds)
        var takeover: Double?
        var killed: Int?
        var lastOutput = start
        var outputs = 0
        // Set by the restart: the server's clock (milliseconds) once it answered again.
        var restartedAt: Int64?
        while processes.enumerated().contains(where: { $0.offset != killed && $0.element.isRunning }) {
            guard Date() < deadline else {
                var detail = ""
                for (index, process) in processes.enumerated() {
                    let log = (try? String(contentsOfFile: "\(c.folder)/node-\(index).log", encoding: .utf8)) ?? ""
                    detail += "; node-\(index) \(process.isRunning ? "running" : "exited \(process.terminationStatus)"): \(log.suffix(400))"
                }
                throw HarnessError(code: .benchmarkSetup,
                    message: "the \(c.workers) nodes did not finish within \(c.deadlineSeconds) s (\(outputs) of \(c.records) outputs)\(detail)")
            }
            let count = try outputCount(pool)
            if count > outputs {
                outputs = count
                lastOutput = Date()
            }
            if restartedAt == nil, let fraction = c.restartAfterFraction, let restartServer = c.restartServer,
                Double(count) >= fraction * Double(c.records), count < c.records
            {
                try restartServer()
                restartedAt = try serverMilliseconds(pool)
            }
            // The victim is killed once it holds partitions (nodes joining share them out within a lease round).
            if killed == nil, let fraction = c.killAfterFraction, Double(count) >= fraction * Double(c.records), count < c.records,
                case let held = try leases(pool, input, of: "node-\(c.workers - 1)"), !held.isEmpty
            {
                let victim = c.workers - 1
                kill(processes[victim].processIdentifier, SIGKILL)
                let killedAt = Date()
                killed = victim
                do {
                    takeover = try waitForTakeover(pool, input, partitions: held, from: "node-\(victim)", since: killedAt, deadline: deadline)
                } catch {
                    var detail = "\(error)"
                    for (index, process) in processes.enumerated() where index != victim {
                        let log = (try? String(contentsOfFile: "\(c.folder)/node-\(index).log", encoding: .utf8)) ?? ""
                        detail += "; node-\(index) \(process.isRunning ? "running" : "exited \(process.terminationStatus)"): \(log.suffix(400))"
                    }
                    var command = RESPCommand("MGET")
                    for partition in 0..<c.partitions { command.append(input.leaseKey(partition)) }
                    let leases = (try? pool.sendWaiting([command, RESPCommand("ZRANGE", input.nodesKey, "0", "-1", "WITHSCORES")])) ?? []
                    detail += "; leases \(leases.first?.elements?.map { $0.text ?? "-" } ?? []); nodes \(leases.last?.elements?.compactMap(\.text) ?? [])"
                    throw HarnessError(code: .benchmarkSetup, message: detail)
                }
            }
            usleep(5_000)  // polling real external processes, bounded by the deadline above
        }
        for process in processes { process.waitUntilExit() }
        var nodesCPU: Double?
        if let end = ResourceUsage.childrenCPUTime(), let begin = childrenCPUAtStart { nodesCPU = end.seconds - begin.seconds }
        // A restarted server is a new process: its CPU before the restart is gone.
        var serverCPU: Double?
        if restartedAt == nil, let pid = c.serverProcessIdentifier, let end = ResourceUsage.cpuTime(ofProcess: pid),
            let begin = serverCPUAtStart
        {
            serverCPU = end.seconds - begin.seconds
        }
        if c.restartAfterFraction != nil && restartedAt == nil {
            throw HarnessError(code: .benchmarkSetup,
                message: "the output was complete before the server was restarted; use more records")
        }
        if c.killAfterFraction != nil && killed == nil {
            throw HarnessError(code: .benchmarkSetup,
                message: "the output was complete before node-\(c.workers - 1) held a partition, so no node was killed; use more records")
        }
        let statuses = processes.enumerated().filter { $0.offset != killed }.map { $0.element.terminationStatus }
        for (index, process) in processes.enumerated() where index != killed && process.terminationStatus != 0 {
            let log = (try? String(contentsOfFile: "\(c.folder)/node-\(index).log", encoding: .utf8)) ?? ""
            throw HarnessError(code: .benchmarkSetup,
                message: "node-\(index) exited with status \(process.terminationStatus): \(log.suffix(800))")
        }
        let (distinct, total) = try readSources(pool)
        let resume = try restartedAt.flatMap { at in try firstOutputMilliseconds(pool, from: at).map { Double($0 - at) } }
        return Outcome(
            seconds: lastOutput.timeIntervalSince(start), records: c.records, lost: c.records - distinct,
            duplicates: total - distinct, takeoverMilliseconds: takeover, resumeMilliseconds: resume, exitStatuses: statuses,
            nodesCPUSeconds: nodesCPU, serverCPUSeconds: serverCPU)
    }

    /// Appends the input documents, each to the partition its key hashes to.
    func preload(_ pool: RedisConnectionPool) throws {
        let c = configuration
        var commands: [RESPCommand] = []
        commands.reserveCapacity(1_000)
        let pad = String(repeating: "x", count: 40)
        for n in 0..<c.records {
            let key = "customer-\(n % 1_000)"
            let partition = Array("\"\(key)\"".utf8).withUnsafeBytes { RedisStreamSink.partition(of: $0, partitions: c.partitions) }
            commands.append(RESPCommand("XADD", "in:\(partition)", "*", "data",
                "{\"n\":\(n),\"key\":\"\(key)\",\"keep\":true,\"amount\":\(n % 977),\"pad\":\"\(pad)\"}"))
            if commands.count == 1_000 {
                _ = try pool.sendWaiting(commands)
                commands.removeAll(keepingCapacity: true)
            }
        }
        if !commands.isEmpty { _ = try pool.sendWaiting(commands) }
    }

    /// Rewrites the server's append-only file (`BGREWRITEAOF`) and waits for the rewrite to end, when the server
    /// has one: every trial then starts from a file holding just its input, and a rewrite that the earlier
    /// trials' and the preload's writes made due does not land in this trial's measured time by chance (a
    /// rewrite forks and takes a core for about a second here). Rewrites the trial's own writes cause still do.
    func compactAppendOnlyFile(_ pool: RedisConnectionPool) throws {
        func persistence() throws -> String {
            try pool.sendWaiting([RESPCommand("INFO", "persistence")])[0].text ?? ""
        }
        func waitForRewrite(_ what: String) throws {
            let deadline = Date().addingTimeInterval(configuration.deadlineSeconds)
            while case let info = try persistence(),
                info.contains("aof_rewrite_in_progress:1") || info.contains("aof_rewrite_scheduled:1")
            {
                guard Date() < deadline else {
                    throw HarnessError(code: .benchmarkSetup, message: "\(what) did not end within \(configuration.deadlineSeconds) s")
                }
                usleep(10_000)  // polling the real server, bounded by the deadline
            }
        }
        guard try persistence().contains("aof_enabled:1") else { return }
        try waitForRewrite("an append-only-file rewrite started before the trial")
        let reply = try pool.sendWaiting([RESPCommand("BGREWRITEAOF")])[0]
        if let message = reply.errorMessage {
            throw HarnessError(code: .benchmarkSetup, message: "BGREWRITEAOF on \(pool.server): \(message)")
        }
        try waitForRewrite("BGREWRITEAOF")
    }

    /// The nodes' source endpoint, read as they read it: its lease and node-set keys.
    func input() throws -> RedisStreamConfiguration {
        let (_, endpoint) = try ConnectorRegistry.standard.resolve(
            "redis://\(configuration.server)/in?partitions=\(configuration.partitions)", as: .source)
        return try RedisStreamConfiguration(endpoint)
    }

    /// The server's clock (`TIME`), milliseconds since the epoch.
    func serverMilliseconds(_ pool: RedisConnectionPool) throws -> Int64 {
        let reply = try pool.sendWaiting([RESPCommand("TIME")])[0]
        guard let parts = reply.elements, parts.count == 2, let seconds = parts[0].integer, let micros = parts[1].integer else {
            throw HarnessError(code: .benchmarkSetup, message: "TIME on \(pool.server): expected [seconds, microseconds], got \(reply)")
        }
        return seconds * 1_000 + micros / 1_000
    }

    /// The millisecond part of the first output entry ID at or after `milliseconds` (the server's clock), over
    /// every output partition; nil when there is none.
    func firstOutputMilliseconds(_ pool: RedisConnectionPool, from milliseconds: Int64) throws -> Int64? {
        let replies = try pool.sendWaiting((0..<configuration.partitions).map {
            RESPCommand("XRANGE", "out:\($0)", "\(milliseconds)-0", "+", "COUNT", "1")
        })
        return replies.compactMap { reply in
            reply.elements?.first?.elements?.first?.text?.split(separator: "-").first.flatMap { Int64($0) }
        }.min()
    }

    /// Output entries so far (sum of `XLEN` over the output partitions).
    func outputCount(_ pool: RedisConnectionPool) throws -> Int {
        let replies = try pool.sendWaiting((0..<configuration.partitions).map { RESPCommand("XLEN", "out:\($0)") })
        return replies.reduce(0) { $0 + Int($1.integer ?? 0) }
    }

    /// The input partitions whose lease `node` holds.
    func leases(_ pool: RedisConnectionPool, _ input: RedisStreamConfiguration, of node: String) throws -> [Int] {
        var command = RESPCommand("MGET")
        for partition in 0..<configuration.partitions { command.append(input.leaseKey(partition)) }
        let values = try pool.sendWaiting([command])[0].elements ?? []
        return values.enumerated().filter { $0.element.text.map(RedisStreamConfiguration.leaseHolder) == node }.map(\.offset)
    }

    /// Polls the leases until every one of `partitions` is held by a node other than `node`; milliseconds since
    /// `since`.
    func waitForTakeover(_ pool: RedisConnectionPool, _ input: RedisStreamConfiguration, partitions: [Int], from node: String, since: Date, deadline: Date) throws -> Double {
        while Date() < deadline {
            var command = RESPCommand("MGET")
            for partition in partitions { command.append(input.leaseKey(partition)) }
            let values = partitions.isEmpty ? [] : try pool.sendWaiting([command])[0].elements ?? []
            if values.allSatisfy({ $0.text.map(RedisStreamConfiguration.leaseHolder) ?? node != node }) {
                return Date().timeIntervalSince(since) * 1_000
            }
            usleep(2_000)  // polling the real server, bounded by the deadline
        }
        throw HarnessError(code: .benchmarkSetup, message: "partitions \(partitions) of killed \(node) were not taken over before the deadline")
    }

    /// Distinct input entries with an output, and all outputs, from the `src` fields.
    func readSources(_ pool: RedisConnectionPool) throws -> (distinct: Int, total: Int) {
        var seen = Set<String>()
        var total = 0
        for partition in 0..<configuration.partitions {
            var start = "-"
            while true {
                let reply = try pool.sendWaiting([RESPCommand("XRANGE", "out:\(partition)", start, "+", "COUNT", "5000")])[0]
                let entries = reply.elements ?? []
                for entry in entries {
                    let fields = entry.elements?[1].elements ?? []
                    var index = 0
                    while index + 1 < fields.count {
                        if fields[index].text == "src", let source = fields[index + 1].text {
                            seen.insert(source)
                            total += 1
                        }
                        index += 2
                    }
                }
                guard entries.count == 5000, let last = entries.last?.elements?[0].text else { break }
                start = "(" + last
            }
        }
        return (seen.count, total)
    }
}
