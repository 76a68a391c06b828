import Sluice
import SluiceEventTime
import SluiceTestKit
import Testing

/// Every assigner, both strategies, seeded out-of-order streams: the firings equal a brute-force oracle.
@Suite("Window oracle equivalence")
struct OracleEquivalenceTests {
    /// An assigner and what the oracle needs to know about it.
    struct Case: Sendable, CustomTestStringConvertible {
        enum Shape: Sendable {
            case aligned(size: Int64, slide: Int64, offset: Int64)
            case session(gap: Int64)
            case global
            case count(Int)
        }

        var assigner: WindowAssigner
        var shape: Shape
        var testDescription: String { assigner.description }
    }

    static let assigners: [Case] = [
        Case(assigner: .tumbling(size: 10), shape: .aligned(size: 10, slide: 10, offset: 0)),
        Case(assigner: .tumbling(size: 7, offset: 3), shape: .aligned(size: 7, slide: 7, offset: 3)),
        Case(assigner: .sliding(size: 30, slide: 10), shape: .aligned(size: 30, slide: 10, offset: 0)),
        Case(assigner: .sliding(size: 25, slide: 10), shape: .aligned(size: 25, slide: 10, offset: 0)),
        Case(assigner: .session(gap: 7), shape: .session(gap: 7)),
        Case(assigner: .global, shape: .global),
        Case(assigner: .count(5), shape: .count(5)),
    ]

    /// Brute force: every window of every key, straight from the definition.
    static func oracle(_ events: [Event], shape: Case.Shape) -> [Fired] {
        var fired: [Fired] = []
        let byKey = Dictionary(grouping: events, by: \.key)
        for (key, keyed) in byKey {
            switch shape {
            case .session(let gap):
                var sorted = keyed.sorted { $0.timestamp < $1.timestamp }
                var current: [Event] = [sorted.removeFirst()]
                var end = current[0].timestamp + gap
                for event in sorted {
                    if event.timestamp <= end {
                        current.append(event)
                        end = max(end, event.timestamp + gap)
                    } else {
                        fired.append(session(key, current, end))
                        current = [event]
                        end = event.timestamp + gap
                    }
                }
                fired.append(session(key, current, end))
            case .global:
                fired.append(
                    Fired(key: key, start: Int64.min, end: Int64.max, count: Int64(keyed.count), sum: keyed.map(\.value).reduce(0, +)))
            case .count(let size):
                // Arrival order: every `size` elements of a key fire and purge; the rest never fires.
                var index = 0
                while index + size <= keyed.count {
                    let chunk = keyed[index..<index + size]
                    fired.append(
                        Fired(key: key, start: Int64.min, end: Int64.max, count: Int64(size), sum: chunk.map(\.value).reduce(0, +)))
                    index += size
                }
            case .aligned(let size, let slide, let offset):
                let low = keyed.map(\.timestamp).min()! - size - slide
                let high = keyed.map(\.timestamp).max()! + slide
                var start = low - ((low - offset) % slide + slide) % slide
                while start <= high {
                    let inside = keyed.filter { $0.timestamp >= start && $0.timestamp < start + size }
                    if !inside.isEmpty {
                        fired.append(
                            Fired(key: key, start: start, end: start + size, count: Int64(inside.count), sum: inside.map(\.value).reduce(0, +)))
                    }
                    start += slide
                }
            }
        }
        return fired
    }

    static func session(_ key: Int, _ events: [Event], _ end: Int64) -> Fired {
        Fired(key: key, start: events[0].timestamp, end: end, count: Int64(events.count), sum: events.map(\.value).reduce(0, +))
    }

    @Test(arguments: assigners, [WindowStrategy.sliced, .perWindow])
    func matchesOracle(_ testCase: Case, strategy: WindowStrategy) throws {
        let assigner = testCase.assigner
        for seed: UInt64 in [1, 2, 3, 42] {
            let events = EventFixtures.stream(count: 400, keys: 4, step: 2, disorder: 9, seed: seed)
            let results = try EventFixtures.run(events, assigner: assigner, bound: 10, strategy: strategy)
            let expected = Self.oracle(events, shape: testCase.shape)
            #expect(
                results.map(Fired.init).sorted { "\($0)" < "\($1)" } == expected.sorted { "\($0)" < "\($1)" },
                "seed \(seed), \(assigner), \(strategy)")
            if case .count = testCase.shape {} else {
                #expect(results.allSatisfy { $0.pane.timing == .onTime }, "seed \(seed): every firing on time")
            }
        }
    }

    @Test(arguments: assigners)
    func slicedEqualsPerWindowInOrder(_ testCase: Case) throws {
        let assigner = testCase.assigner
        let seed: UInt64 = 7
        let events = EventFixtures.stream(count: 600, keys: 5, step: 1, disorder: 15, seed: seed)
        // A bound below the disorder makes late elements: both strategies must drop and fire the same way.
        let configuration = WindowConfiguration<Event>(allowedLateness: 6)
        let sliced = try EventFixtures.run(events, assigner: assigner, bound: 5, configuration: configuration)
        let perWindow = try EventFixtures.run(
            events, assigner: assigner, bound: 5, strategy: .perWindow, configuration: configuration)
        #expect(sliced.map(\.firing) == perWindow.map(\.firing), "seed \(seed), \(assigner)")
    }
}
