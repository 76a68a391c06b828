import Sluice
import SluiceTestKit
import Testing

/// The controller on virtual time against a simple load model: `demand` workers' worth of work, spread over the
/// current workers; what does not fit shows up as backlog.
@Suite struct ParallelismControllerTests {
    static let second: UInt64 = 1_000_000_000
    static let policy = ParallelismPolicy(
        minimumWorkers: 1, maximumWorkers: 16, targetUtilization: 0.75, band: 0.15, smoothing: 0.5,
        minimumDwellNanoseconds: 2 * second, decisionIntervalNanoseconds: second / 2)

    struct Simulation {
        var controller: ParallelismController
        var now: UInt64 = 0
        var changes: [(decision: Int, workers: Int)] = []
        var decisions = 0
        var random: SeededRandomNumberGenerator

        /// One decision interval at `demand`, with ±`noise` relative jitter on the measurement.
        mutating func step(demand: Double, noise: Double = 0.05) {
            now += ParallelismControllerTests.policy.decisionIntervalNanoseconds
            decisions += 1
            let workers = Double(controller.workers)
            let jitter = 1 + Double.random(in: -noise...noise, using: &random)
            let utilization = min(1, demand * jitter / workers)
            let backlog = demand > workers ? min(1, (demand - workers) / workers) : 0
            if let next = controller.observe(utilization: utilization, backlog: backlog, now: now) {
                changes.append((decisions, next))
            }
        }
    }

    static let demands: [Double] = [0.4, 1.3, 2.2, 3.0, 4.5, 7.7, 11.0]

    @Test(arguments: demands)
    func stationaryLoadSettlesWithAtMostOneChangeAfterwards(_ demand: Double) {
        var simulation = Simulation(
            controller: ParallelismController(policy: Self.policy, workers: 1, now: 0),
            random: SeededRandomNumberGenerator.fromEnvironment(default: UInt64(demand * 100)))
        for _ in 0..<40 { simulation.step(demand: demand) }
        let settled = simulation.changes.count
        for _ in 0..<400 { simulation.step(demand: demand) }
        #expect(simulation.changes.count - settled <= 1, "seed \(simulation.random.seed), changes \(simulation.changes)")
        let utilization = demand / Double(simulation.controller.workers)
        #expect(
            utilization <= Self.policy.targetUtilization + Self.policy.band || simulation.controller.workers == 16,
            "\(simulation.controller.workers) workers for demand \(demand)")
    }

    /// After a step in load, the worker count is within the band (or at the minimum) again within 16 decisions (8 s of virtual time at
    /// a decision every 0.5 s and a dwell of 2 s), and then stays.
    @Test(arguments: [(1.5, 6.0), (6.0, 1.5), (2.0, 9.0), (9.0, 0.5)])
    func stepChangeConvergesWithinSixteenDecisions(_ before: Double, _ after: Double) {
        var simulation = Simulation(
            controller: ParallelismController(policy: Self.policy, workers: 1, now: 0),
            random: SeededRandomNumberGenerator.fromEnvironment(default: UInt64(before * 10 + after)))
        for _ in 0..<60 { simulation.step(demand: before) }
        let start = simulation.decisions
        var convergedAt: Int?
        for _ in 0..<60 {
            simulation.step(demand: after)
            let utilization = after / Double(simulation.controller.workers)
            let atFloor = simulation.controller.workers == Self.policy.minimumWorkers && utilization < Self.policy.targetUtilization
            if convergedAt == nil, abs(utilization - Self.policy.targetUtilization) <= Self.policy.band || atFloor {
                convergedAt = simulation.decisions - start
            }
        }
        #expect(convergedAt != nil && convergedAt! <= 16, "seed \(simulation.random.seed), changes \(simulation.changes)")
        let late = simulation.changes.filter { $0.decision > start + 16 }
        #expect(late.count <= 1, "changes \(simulation.changes)")
    }

    @Test func dwellTimeSpacesChanges() {
        var controller = ParallelismController(policy: Self.policy, workers: 4, now: 0)
        // Far over target, but the dwell time since start has not passed.
        #expect(controller.observe(utilization: 1, backlog: 1, now: Self.second) == nil)
        #expect(controller.observe(utilization: 1, backlog: 1, now: 2 * Self.second) != nil)
        #expect(controller.observe(utilization: 1, backlog: 1, now: 3 * Self.second) == nil)
    }
}
