import Sluice
import SluiceTestKit
import Testing

@Suite struct SupervisingRouterTests {
    struct Poison: Error {}

    /// A branch that collects what it processed and fails on negative numbers.
    struct Collector {
        var generation: Int
        var seen: [Int] = []
    }

    final class Harness {
        let clock = ManualClock()
        var delivered: [Int: [Int]] = [:]
        var generations: [Int: Int] = [:]
        var failures: [(Int, Int, String)] = []
        var router: SupervisingRouter<Int, Collector, ManualClock>!

        init(policy: RestartPolicy, queueCapacity: Int = 16) {
            router = SupervisingRouter(
                branchCount: 2, policy: policy, queueCapacity: queueCapacity, clock: clock,
                key: { abs($0) % 2 },
                makeBranch: { [unowned self] index in
                    self.generations[index, default: -1] += 1
                    return Collector(generation: self.generations[index]!)
                },
                process: { [unowned self] branch, element in
                    if element < 0 { throw Poison() }
                    branch.seen.append(element)
                    self.delivered[abs(element) % 2, default: []].append(element)
                },
                onFailure: { [unowned self] element, index, reason in
                    let text: String
                    switch reason {
                    case .branchFailed: text = "failed"
                    case .branchQueueFull: text = "full"
                    case .branchStopped: text = "stopped"
                    }
                    self.failures.append((element, index, text))
                })
        }
    }

    @Test func aFailingBranchRestartsAloneAndTheOthersKeepFlowing() {
        let harness = Harness(policy: RestartPolicy(initialDelay: .milliseconds(100), jitter: 0, maxRestarts: 3))
        let router = harness.router!
        router.route(1)
        router.route(-3)  // poison on branch 1: it fails and waits 100 ms before restarting
        router.route(2)  // branch 0 is unaffected
        router.route(5)  // waits in branch 1's bulkhead queue
        router.route(4)
        #expect(harness.delivered[0] == [2, 4])
        #expect(harness.delivered[1] == [1])
        #expect(router.queueDepths == [0, 1])
        harness.clock.advance(by: .milliseconds(100))
        router.drain()
        #expect(harness.delivered[1] == [1, 5])
        #expect(router.restartCounts == [0, 1])
        #expect(harness.generations == [0: 0, 1: 1])
        #expect(harness.failures.map(\.0) == [-3])
    }

    @Test func nothingIsLostWhenTheBulkheadOverflowsOrTheBranchStops() {
        let harness = Harness(policy: RestartPolicy(initialDelay: .seconds(1), jitter: 0, maxRestarts: 1), queueCapacity: 2)
        let router = harness.router!
        var routed = 0
        for element in [-1, 3, 5, 7] {  // fail, then 2 queued and 1 overflow
            router.route(element)
            routed += 1
        }
        harness.clock.advance(by: .seconds(1))
        router.route(-9)  // restart happened, queue drained, then fails again: the policy gives up
        router.route(11)
        routed += 2
        #expect(router.stoppedBranches == [1])
        let delivered = harness.delivered[1] ?? []
        #expect(delivered == [3, 5])
        #expect(harness.failures.map { "\($0.0):\($0.2)" } == ["-1:failed", "7:full", "-9:failed", "11:stopped"])
        #expect(delivered.count + harness.failures.count == routed)
    }
}
