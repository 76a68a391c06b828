import Sluice
import SluiceTestKit
import Testing

@Suite struct BackpressureWatchdogTests {
    @Test func firesOnAStallWithPendingWork() {
        let clock = ManualClock()
        let stuck = StageHeartbeat(stageName: "enrich")
        let watchdog = BackpressureWatchdog(heartbeats: [stuck], stallThreshold: .seconds(2), clock: clock)
        stuck.setPending(10)
        clock.advance(by: .seconds(1))
        #expect(watchdog.check().isEmpty)
        clock.advance(by: .seconds(1))
        #expect(watchdog.check() == [.init(stageName: "enrich", kind: .stalled, sinceProgressNanoseconds: 2_000_000_000)])
        #expect(watchdog.stalledStages == ["enrich"])
        // Reported once, not on every check.
        clock.advance(by: .seconds(5))
        #expect(watchdog.check().isEmpty)
        #expect(watchdog.stallEventsTotal == 1)
        // Progress again: a recovery event.
        stuck.beat()
        #expect(watchdog.check().map(\.kind) == [.recovered])
        #expect(watchdog.stalledStages.isEmpty)
    }

    @Test func staysQuietOnASlowButMovingStage() {
        let clock = ManualClock()
        let slow = StageHeartbeat(stageName: "slow")
        let watchdog = BackpressureWatchdog(heartbeats: [slow], stallThreshold: .seconds(2), clock: clock)
        slow.setPending(1_000)
        for _ in 0..<100 {
            clock.advance(by: .milliseconds(1_900))
            slow.beat()  // one element every 1.9 s: slow, but moving
            #expect(watchdog.check().isEmpty)
        }
        #expect(watchdog.stallEventsTotal == 0)
    }

    @Test func anIdleStageIsNeverStalled() {
        let clock = ManualClock()
        let idle = StageHeartbeat(stageName: "idle")
        let watchdog = BackpressureWatchdog(heartbeats: [idle], stallThreshold: .seconds(1), clock: clock)
        clock.advance(by: .seconds(60))
        #expect(watchdog.check().isEmpty)
        // Work arrives: the stall timer starts from the last check, not from the start.
        idle.setPending(3)
        clock.advance(by: .milliseconds(500))
        #expect(watchdog.check().isEmpty)
        clock.advance(by: .milliseconds(600))
        #expect(watchdog.check().map(\.kind) == [.stalled])
    }

    @Test func onlyTheStuckStageIsReported() {
        let clock = ManualClock()
        let a = StageHeartbeat(stageName: "a")
        let b = StageHeartbeat(stageName: "b")
        let watchdog = BackpressureWatchdog(heartbeats: [a, b], stallThreshold: .seconds(1), clock: clock)
        a.setPending(1)
        b.setPending(1)
        clock.advance(by: .seconds(2))
        b.beat(count: 5)
        #expect(watchdog.check().map(\.stageName) == ["a"])
    }
}

/// The watchdog's `stage_stall_total` counter, through a recording swift-metrics factory.
@Suite struct WatchdogMetricsTests {
    @Test func aStallIncrementsStageStallTotalForItsStage() {
        let factory = RecordingMetricsFactory()
        let clock = ManualClock()
        let stuck = StageHeartbeat(stageName: "enrich")
        let moving = StageHeartbeat(stageName: "parse")
        let watchdog = BackpressureWatchdog(
            heartbeats: [stuck, moving], stallThreshold: .seconds(1), clock: clock, metricsFactory: factory)
        stuck.setPending(5)
        moving.setPending(5)
        for _ in 0..<3 {
            clock.advance(by: .milliseconds(700))
            moving.beat()
            _ = watchdog.check()
        }
        #expect(factory.counts == ["stage_stall_total{stage=enrich}": 1])
        moving.setPending(0)  // idle from here: never a stall
        stuck.beat()
        _ = watchdog.check()
        clock.advance(by: .seconds(2))
        _ = watchdog.check()  // stalled again after recovering
        #expect(factory.counts == ["stage_stall_total{stage=enrich}": 2])
    }
}
