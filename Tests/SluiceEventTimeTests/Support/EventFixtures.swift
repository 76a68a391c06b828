import Sluice
import SluiceEventTime
import SluiceTestKit

/// A keyed event with a value, the element of every window test.
struct Event: Sendable, Hashable {
    var key: Int
    var timestamp: Int64
    var value: Int64
}

typealias Sum = SumAccumulator<Event>
typealias Result = WindowResult<Int, Sum.Partial>

/// A firing as the tests compare them.
struct Fired: Hashable, CustomStringConvertible {
    var key: Int
    var start: Int64
    var end: Int64
    var count: Int64
    var sum: Int64

    init(_ result: Result) {
        key = result.key
        start = result.window.start
        end = result.window.end
        count = result.value.count
        sum = result.value.sum
    }

    init(key: Int, start: Int64, end: Int64, count: Int64, sum: Int64) {
        (self.key, self.start, self.end, self.count, self.sum) = (key, start, end, count, sum)
    }

    var description: String { "k\(key)[\(start),\(end)) n=\(count) s=\(sum)" }
}

enum EventFixtures {
    /// `count` events over `keys` keys, one per `step` ms, each up to `disorder` ms earlier than its place.
    static func stream(count: Int, keys: Int, step: Int64, disorder: Int64, seed: UInt64) -> [Event] {
        var random = SeededRandomNumberGenerator(seed: seed)
        return (0..<count).map { index in
            Event(
                key: Int.random(in: 0..<keys, using: &random),
                timestamp: Int64(index) * step - Int64.random(in: 0...disorder, using: &random),
                value: Int64.random(in: -50...100, using: &random))
        }
    }

    /// Runs the user's pipeline (watermarks → window → collector) on the SyncEngine.
    static func run(
        _ events: [Event], assigner: WindowAssigner, bound: Int64, strategy: WindowStrategy = .sliced,
        trigger: Trigger? = nil, configuration: WindowConfiguration<Event>? = nil
    ) throws -> [Result] {
        let output = OutputCollector<Result>()
        var configuration = configuration ?? WindowConfiguration()
        configuration.strategy = strategy
        let pipeline = Pipeline.source(events)
            .watermarks(timestamp: { $0.timestamp }, maxOutOfOrderness: bound)
            .window(
                "window", assigner, key: { (event: Event) in event.key }, trigger: trigger ?? assigner.defaultTrigger,
                accumulator: Sum { $0.value }, configuration: configuration)
            .sink(output)
        _ = try SyncEngine().run(pipeline)
        return output.elements
    }
}
