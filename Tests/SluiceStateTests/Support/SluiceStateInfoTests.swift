import SluiceState
import Testing

@Suite struct SluiceStateInfoTests {
    @Test func formatVersionIsPositive() { #expect(SluiceStateInfo.formatVersion >= 1) }
}
