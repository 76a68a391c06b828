import Sluice
import SluiceTestKit
import Testing

@Suite struct SpaceSavingSketchTests {
    @Test func findsEveryKeyAboveItsShareWithBoundedError() {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x55)
        var sketch = SpaceSavingSketch<Int>(capacity: 10)
        var truth: [Int: Int] = [:]
        for _ in 0..<50_000 {
            // Keys 0 and 1 take 30% and 15%; the rest is spread over 10 000 keys.
            let draw = Double.random(in: 0..<1, using: &random)
            let key = draw < 0.3 ? 0 : draw < 0.45 ? 1 : Int.random(in: 2..<10_002, using: &random)
            sketch.add(key)
            truth[key, default: 0] += 1
        }
        let top = sketch.top(2)
        #expect(top.map(\.key) == [0, 1], "seed \(random.seed)")
        for entry in sketch.top(10) {
            #expect(entry.count >= truth[entry.key, default: 0])
            #expect(entry.count - entry.error <= truth[entry.key, default: 0])
        }
        #expect(sketch.total == 50_000)
        sketch.reset()
        #expect(sketch.top(1).isEmpty)
    }

    /// `add` reports the slot a key enters (and nothing for a key already monitored), and `topSlots` orders the
    /// slots as `top` orders the entries, so a caller can sketch stand-ins (hashes) and keep the real keys by slot.
    @Test func slotsFollowTheKeysThatEnterTheSketch() {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x56)
        var sketch = SpaceSavingSketch<Int>(capacity: 4)
        var keyBySlot: [Int: Int] = [:]
        for _ in 0..<5_000 {
            let key = Int.random(in: 0..<3, using: &random) == 0 ? 7 : Int.random(in: 0..<50, using: &random)
            let wasMonitored = sketch.estimate(key) > 0
            let slot = sketch.add(key)
            #expect((slot == nil) == wasMonitored, "seed \(random.seed)")
            if let slot { keyBySlot[slot] = key }
        }
        #expect(sketch.topSlots(4).map { sketch[$0].key } == sketch.top(4).map(\.key), "seed \(random.seed)")
        for slot in sketch.topSlots(4) { #expect(keyBySlot[slot] == sketch[slot].key, "seed \(random.seed)") }
        #expect(sketch[sketch.topSlots(1)[0]].key == 7, "seed \(random.seed)")
    }

    @Test func skewRatioIsMaxOverMean() {
        #expect(partitionSkewRatio([10, 10, 10, 10]) == 1)
        #expect(partitionSkewRatio([30, 10, 0, 0]) == 3)
        #expect(partitionSkewRatio([0, 0]) == nil)
    }
}
