import SluiceTestKit
import Testing

@Suite struct ManualClockTests {
    @Test func movesOnlyWhenAdvanced() {
        let clock = ManualClock(start: 10)
        #expect(clock.nowNanoseconds() == 10)
        clock.advance(by: 5)
        clock.advance(by: .milliseconds(1))
        #expect(clock.nowNanoseconds() == 1_000_015)
    }
}
