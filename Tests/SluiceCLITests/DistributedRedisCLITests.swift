import Foundation
import SluiceBench
import SluiceTestKit
import Testing

/// Several `sluice run` processes (the built binary) sharing one manifest through Redis Streams, on loopback:
/// one is killed with SIGKILL mid-run, the others take its partitions over, and every input reaches the output.
///
/// Once with the nodes as separate processes on 127.0.0.1, and once (where `ip netns` works) with each node on a
/// host of its own: a network namespace joined to the server's host by a veth pair. And two nodes that run on
/// across a crash and restart of the server.
@Suite(.enabled(if: RedisServer.unavailableReason == nil, "\(RedisServer.unavailableReason ?? "")"), .timeLimit(.minutes(2)))
struct DistributedRedisCLITests {
    @Test func threeNodesShareTheInputAndSurviveOneBeingKilled() throws {
        let server = RedisServer()
        try server.start()
        defer { server.stop() }
        try Self.killOneOfThree(server: server.address, namespaces: nil)
    }

    @Test(.enabled(if: NetworkNamespaces.unavailableReason == nil, "\(NetworkNamespaces.unavailableReason ?? "")"))
    func threeNodesInNetworkNamespacesSurviveOneBeingKilled() throws {
        let namespaces = try NetworkNamespaces(count: 3)
        defer { namespaces.remove() }
        let server = RedisServer(bind: namespaces.hostAddresses)
        try server.start()
        defer { server.stop() }
        try Self.killOneOfThree(server: server.address, namespaces: namespaces, port: server.port)
    }

    /// The server itself crashes (SIGKILL) and is started again on its data while two nodes run: both reconnect
    /// and finish, every input has one output, and none twice.
    @Test func twoNodesRunOnAcrossAServerCrash() throws {
        try Self.withTwoNodes { server, configuration in
            configuration.records = 8_000
            configuration.leaseMilliseconds = 1_000
            configuration.idleExitMilliseconds = 600
            configuration.restartAfterFraction = 0.2
            configuration.restartServer = { try server.restart(crashing: true) }
            let outcome = try DistributedRedisRun(configuration).run()
            print("distributed run across a server crash: \(outcome)")
            #expect(outcome.lost == 0, "\(outcome)")
            #expect(outcome.duplicates == 0, "\(outcome)")
            #expect(outcome.resumeMilliseconds != nil)
            #expect(outcome.exitStatuses == [0, 0])
        }
    }

    /// A run reports what its nodes and its server spent in CPU (the figures behind `nodes_cpu_per_item` and
    /// `server_cpu_per_item`): both measured, the nodes' only from processes that ended, and no server figure
    /// without its process ID.
    @Test func aRunMeasuresTheCPUOfItsNodesAndOfTheServer() throws {
        try Self.withTwoNodes { server, configuration in
            configuration.records = 4_000
            configuration.idleExitMilliseconds = 300
            configuration.serverProcessIdentifier = server.processIdentifier
            let measured = try DistributedRedisRun(configuration).run()
            #expect(measured.lost == 0 && measured.duplicates == 0, "\(measured)")
            // Two processes that started, read 4 000 entries and wrote 4 000 cannot have used no CPU at all.
            #expect((measured.nodesCPUSeconds ?? 0) > 0, "\(measured)")
            #expect((measured.serverCPUSeconds ?? 0) > 0, "\(measured)")
            configuration.serverProcessIdentifier = nil
            let unmeasured = try DistributedRedisRun(configuration).run()
            #expect(unmeasured.serverCPUSeconds == nil, "\(unmeasured)")
            #expect((unmeasured.nodesCPUSeconds ?? 0) > 0, "\(unmeasured)")
        }
    }

    /// Runs `body` with a started server of its own and a configuration of two nodes of the built `sluice` on it
    /// (4 partitions, reads of 100 entries, 90 s to finish, a temporary folder); stops and removes both after.
    static func withTwoNodes(_ body: (RedisServer, inout DistributedRedisRun.Configuration) throws -> Void) throws {
        let server = RedisServer()
        try server.start()
        defer { server.stop() }
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        var configuration = DistributedRedisRun.Configuration(
            sluice: CLIRunner.productsDirectory.appendingPathComponent("sluice").path, server: server.address, folder: folder.path)
        configuration.workers = 2
        configuration.partitions = 4
        configuration.batch = 100
        configuration.deadlineSeconds = 90
        try body(server, &configuration)
    }

    static func killOneOfThree(server: String, namespaces: NetworkNamespaces?, port: Int = 0) throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        var configuration = DistributedRedisRun.Configuration(
            sluice: CLIRunner.productsDirectory.appendingPathComponent("sluice").path, server: server, folder: folder.path)
        if let namespaces {
            let addresses = namespaces.hostAddresses
            configuration.nodeServer = { index in "\(addresses[index]):\(port)" }
            configuration.launcher = { index in namespaces.launcher(index) }
        }
        configuration.records = 4_000
        configuration.workers = 3
        configuration.partitions = 6
        configuration.leaseMilliseconds = 600
        configuration.idleExitMilliseconds = 400
        configuration.batch = 100
        configuration.killAfterFraction = 0.2
        configuration.deadlineSeconds = 90
        let outcome = try DistributedRedisRun(configuration).run()
        print("distributed run: \(outcome)")
        #expect(outcome.lost == 0, "\(outcome)")
        // Redis to Redis commits outputs and acknowledgements in one fenced transaction: nothing is written twice.
        #expect(outcome.duplicates == 0, "\(outcome)")
        #expect(outcome.takeoverMilliseconds != nil)
        #expect(outcome.exitStatuses == [0, 0])
    }
}
