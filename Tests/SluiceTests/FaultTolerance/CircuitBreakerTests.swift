import Sluice
import SluiceTestKit
import Testing

@Suite struct CircuitBreakerStateMachineTests {
    typealias Machine = CircuitBreakerStateMachine
    let configuration = Machine.Configuration(
        failureRateThreshold: 0.5, windowSize: 4, minimumCalls: 4, openDuration: .seconds(5), probeCount: 2)

    @Test func closedStaysClosedBelowMinimumCallsAndBelowTheRate() {
        var machine = Machine(configuration: configuration)
        #expect(machine.admit(atNanoseconds: 0) == (.allowed, nil))
        #expect(machine.recordFailure(atNanoseconds: 0) == nil)  // 1 call: below minimum
        #expect(machine.recordFailure(atNanoseconds: 0) == nil)  // 2 calls
        #expect(machine.recordSuccess(atNanoseconds: 0) == nil)
        #expect(machine.state == .closed)
    }

    @Test func closedOpensWhenTheFailureRateIsReached() {
        var machine = Machine(configuration: configuration)
        _ = machine.recordSuccess(atNanoseconds: 0)
        _ = machine.recordSuccess(atNanoseconds: 0)
        _ = machine.recordFailure(atNanoseconds: 0)
        #expect(machine.recordFailure(atNanoseconds: 7) == .opened)  // 2 of 4 = 50 %
        #expect(machine.state == .open(sinceNanoseconds: 7))
    }

    @Test func slidingWindowForgetsOldFailures() {
        var machine = Machine(configuration: configuration)
        _ = machine.recordFailure(atNanoseconds: 0)
        for _ in 0..<4 { #expect(machine.recordSuccess(atNanoseconds: 0) == nil) }
        // The window now holds 4 successes; one failure is 25 %.
        #expect(machine.recordFailure(atNanoseconds: 0) == nil)
        #expect(machine.state == .closed)
    }

    @Test func openRejectsUntilTheDurationThenHalfOpens() {
        var machine = Machine(configuration: configuration)
        for _ in 0..<4 { _ = machine.recordFailure(atNanoseconds: 100) }
        #expect(machine.admit(atNanoseconds: 100 + 4_999_999_999) == (.rejected, nil))
        #expect(machine.admit(atNanoseconds: 100 + 5_000_000_000) == (.probe, .halfOpened))
        #expect(machine.state == .halfOpen(probesStarted: 1, probesSucceeded: 0))
    }

    @Test func halfOpenAdmitsOnlyTheProbeCount() {
        var machine = Machine(configuration: configuration)
        for _ in 0..<4 { _ = machine.recordFailure(atNanoseconds: 0) }
        #expect(machine.admit(atNanoseconds: 5_000_000_000).0 == .probe)
        #expect(machine.admit(atNanoseconds: 5_000_000_000).0 == .probe)
        #expect(machine.admit(atNanoseconds: 5_000_000_000).0 == .rejected)
    }

    @Test func halfOpenClosesWhenEveryProbeSucceeds() {
        var machine = Machine(configuration: configuration)
        for _ in 0..<4 { _ = machine.recordFailure(atNanoseconds: 0) }
        _ = machine.admit(atNanoseconds: 5_000_000_000)
        _ = machine.admit(atNanoseconds: 5_000_000_000)
        #expect(machine.recordSuccess(atNanoseconds: 5_000_000_001) == nil)
        #expect(machine.recordSuccess(atNanoseconds: 5_000_000_002) == .closed)
        #expect(machine.state == .closed)
        // The window was reset: three fresh failures are below the minimum call count.
        for _ in 0..<3 { #expect(machine.recordFailure(atNanoseconds: 6_000_000_000) == nil) }
    }

    @Test func halfOpenReopensOnAProbeFailure() {
        var machine = Machine(configuration: configuration)
        for _ in 0..<4 { _ = machine.recordFailure(atNanoseconds: 0) }
        _ = machine.admit(atNanoseconds: 5_000_000_000)
        #expect(machine.recordFailure(atNanoseconds: 5_000_000_010) == .opened)
        #expect(machine.state == .open(sinceNanoseconds: 5_000_000_010))
    }

    @Test func outcomesReportedWhileOpenDoNotChangeIt() {
        var machine = Machine(configuration: configuration)
        for _ in 0..<4 { _ = machine.recordFailure(atNanoseconds: 0) }
        #expect(machine.recordSuccess(atNanoseconds: 1) == nil)
        #expect(machine.recordFailure(atNanoseconds: 1) == nil)
        #expect(machine.state == .open(sinceNanoseconds: 0))
    }
}

@Suite struct CircuitBreakerTests {
    struct Boom: Error {}

    @Test func rejectsWithoutRunningTheBodyWhileOpenAndRecoversAfterProbes() throws {
        let clock = ManualClock()
        let breaker = CircuitBreaker(
            name: "sink", configuration: .init(failureRateThreshold: 1, windowSize: 2, minimumCalls: 2,
                openDuration: .seconds(1), probeCount: 1), clock: clock)
        for _ in 0..<2 { #expect(throws: Boom.self) { try breaker.call { throw Boom() } } }
        var ran = false
        let error = #expect(throws: CircuitBreakerError.self) { try breaker.call { ran = true } }
        #expect(error?.code == .open)
        #expect(ran == false)
        clock.advance(by: .seconds(1))
        #expect(try breaker.call { 42 } == 42)
        #expect(breaker.state == .closed)
        #expect(breaker.statistics == .init(allowed: 2, probes: 1, rejected: 1, opened: 1, halfOpened: 1, closed: 1))
    }
}
