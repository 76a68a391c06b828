import Sluice
import SluiceTestKit
import Synchronization
import Testing

@Suite struct SupervisorTests {
    struct Flaky: Error {}

    final class SleepLog: Sendable {
        let delays = Mutex<[UInt64]>([])
        var all: [UInt64] { delays.withLock { $0 } }
    }

    /// A sleep that waits no wall time: it records the delay and advances the virtual clock.
    static func virtualSleep(_ clock: ManualClock, _ log: SleepLog) -> @Sendable (UInt64) async throws -> Void {
        { delay in
            log.delays.withLock { $0.append(delay) }
            clock.advance(by: delay)
        }
    }

    @Test func restartsWithBackoffUntilTheBodySucceeds() async throws {
        let clock = ManualClock()
        let sleeps = SleepLog()
        let supervisor = Supervisor(
            name: "source", policy: RestartPolicy(initialDelay: .milliseconds(10), jitter: 0, maxRestarts: 5),
            clock: clock, sleep: Self.virtualSleep(clock, sleeps))
        var attempts = 0
        var restarts: [Int] = []
        try await supervisor.run(onRestart: { restarts.append($0.attempt) }) {
            attempts += 1
            if attempts < 4 { throw Flaky() }
        }
        #expect(attempts == 4)
        #expect(restarts == [0, 1, 2])
        #expect(sleeps.all == [10_000_000, 20_000_000, 40_000_000])
        #expect(clock.nowNanoseconds() == 70_000_000)
    }

    @Test func givesUpWithASupervisionErrorNamingTheStage() async {
        let clock = ManualClock()
        let sleeps = SleepLog()
        let supervisor = Supervisor(
            name: "parser", policy: RestartPolicy(jitter: 0, maxRestarts: 2, window: .seconds(60)),
            clock: clock, sleep: Self.virtualSleep(clock, sleeps))
        let error = await #expect(throws: SupervisionError.self) {
            try await supervisor.run { throw Flaky() }
        }
        #expect(error?.stageName == "parser")
        #expect(error?.restartsInWindow == 2)
        #expect(sleeps.all.count == 2)
    }

    @Test func cancellationIsNotRetried() async {
        let clock = ManualClock()
        let sleeps = SleepLog()
        let supervisor = Supervisor(
            name: "sink", policy: RestartPolicy(maxRestarts: 100), clock: clock, sleep: Self.virtualSleep(clock, sleeps))
        var calls = 0
        await #expect(throws: CancellationError.self) {
            try await supervisor.run {
                calls += 1
                throw CancellationError()
            }
        }
        #expect(calls == 1)
        #expect(sleeps.all.isEmpty)
    }
}
