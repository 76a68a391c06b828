import Sluice
import SluiceTestKit
import Testing

@Suite struct RestartPolicyTests {
    @Test func backoffGrowsExponentiallyUpToTheCap() {
        let policy = RestartPolicy(
            initialDelay: .milliseconds(10), multiplier: 2, maxDelay: .milliseconds(50), jitter: 0, maxRestarts: 10)
        #expect((0..<5).map { policy.baseDelayNanoseconds(attempt: $0) } == [
            10_000_000, 20_000_000, 40_000_000, 50_000_000, 50_000_000,
        ])
    }

    @Test func jitterStaysWithinBoundsAndIsReplayable() {
        let policy = RestartPolicy(initialDelay: .milliseconds(100), multiplier: 1, jitter: 0.2, maxRestarts: 1000,
            window: .seconds(1_000_000))
        let seed: UInt64 = 7
        var first = RestartTracker(policy: policy)
        var second = RestartTracker(policy: policy)
        var g1 = SeededRandomNumberGenerator(seed: seed)
        var g2 = SeededRandomNumberGenerator(seed: seed)
        var delays: Set<UInt64> = []
        for step in 0..<200 {
            let a = first.recordFailure(atNanoseconds: UInt64(step), using: &g1)
            let b = second.recordFailure(atNanoseconds: UInt64(step), using: &g2)
            #expect(a == b, "seed \(seed)")
            guard case .restart(let delay, _) = a else {
                Issue.record("expected a restart at step \(step), seed \(seed)")
                return
            }
            #expect((80_000_000...120_000_000).contains(delay), "seed \(seed)")
            delays.insert(delay)
        }
        #expect(delays.count > 50, "jitter should spread delays (seed \(seed))")
    }

    @Test func givesUpAfterMaxRestartsInsideTheWindowButNotOutsideIt() {
        let clock = ManualClock()
        let policy = RestartPolicy(initialDelay: .milliseconds(1), jitter: 0, maxRestarts: 3, window: .seconds(10))
        var tracker = RestartTracker(policy: policy)
        var generator = SeededRandomNumberGenerator(seed: 1)
        var decisions: [RestartDecision] = []
        for _ in 0..<4 {
            decisions.append(tracker.recordFailure(atNanoseconds: clock.nowNanoseconds(), using: &generator))
            clock.advance(by: .seconds(1))
        }
        #expect(decisions == [
            .restart(afterNanoseconds: 1_000_000, attempt: 0),
            .restart(afterNanoseconds: 2_000_000, attempt: 1),
            .restart(afterNanoseconds: 4_000_000, attempt: 2),
            .giveUp(restartsInWindow: 3),
        ])
        // Once the early failures leave the window, restarts are allowed again, and backoff starts lower.
        clock.advance(by: .seconds(10))
        #expect(tracker.recordFailure(atNanoseconds: clock.nowNanoseconds(), using: &generator)
            == .restart(afterNanoseconds: 1_000_000, attempt: 0))
    }

    @Test func neverPolicyGivesUpAtOnce() {
        var tracker = RestartTracker(policy: .never)
        var generator = SeededRandomNumberGenerator(seed: 1)
        #expect(tracker.recordFailure(atNanoseconds: 0, using: &generator) == .giveUp(restartsInWindow: 0))
    }
}
