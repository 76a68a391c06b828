import Foundation
import SluiceBench
import SluiceTestKit
import Testing

/// Several `sluice run` processes (the built binary) sharing one manifest through Redis Streams, on loopback:
/// one is killed with SIGKILL mid-run, the others take its partitions over, and every input reaches the output.
///
/// The nodes are separate processes on 127.0.0.1, not in network namespaces of their own.
@Suite(.enabled(if: RedisServer.unavailableReason == nil, "\(RedisServer.unavailableReason ?? "")"), .timeLimit(.minutes(2)))
struct DistributedRedisCLITests {
    @Test func threeNodesShareTheInputAndSurviveOneBeingKilled() throws {
        let server = RedisServer()
        try server.start()
        defer { server.stop() }
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        var configuration = DistributedRedisRun.Configuration(
            sluice: CLIRunner.productsDirectory.appendingPathComponent("sluice").path, server: server.address, folder: folder.path)
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
