import Foundation
import Sluice
import SluiceTestKit
import Testing

/// One event of the keyed tests: a key, a sequence number and a value.
struct KeyedEvent: Sendable, Hashable {
    var key: Int
    var sequence: Int
    var value: Int
}

/// A seeded, skewed event stream: key `k` with probability proportional to 1 / (k + 1)^exponent.
func keyedEvents(count: Int, keys: Int, exponent: Double, seed: UInt64) -> [KeyedEvent] {
    var random = SeededRandomNumberGenerator(seed: seed)
    var cumulative: [Double] = []
    var total = 0.0
    for key in 0..<keys {
        total += 1 / pow(Double(key + 1), exponent)
        cumulative.append(total)
    }
    return (0..<count).map { sequence in
        let draw = Double.random(in: 0..<total, using: &random)
        var low = 0
        var high = keys - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > draw { high = middle } else { low = middle + 1 }
        }
        return KeyedEvent(key: low, sequence: sequence, value: Int.random(in: 0..<1_000, using: &random))
    }
}

/// A sum-and-count aggregation, as a `[key: (sum, count)]` table for comparison.
func sumTable(_ values: [KeyedValue<Int, SumCount>]) -> [Int: SumCount] {
    Dictionary(values.map { ($0.key, $0.value) }, uniquingKeysWith: { _, _ in SumCount(sum: -1, count: -1) })
}

struct SumCount: Sendable, Hashable {
    var sum = 0
    var count = 0
}

@Suite struct KeyedParallelStageTests {
    static func sumPipeline(
        _ events: [KeyedEvent], _ parallelism: KeyedParallelism, into output: OutputCollector<KeyedValue<Int, SumCount>>,
        named name: String = "pipeline"
    ) -> RunnablePipeline<
        CollectionSource<[KeyedEvent]>,
        ComposedChain<IdentityChain<KeyedEvent>, KeyedParallelStage<KeyedEvent, Int, SumCount, KeyedValue<Int, SumCount>>>,
        CollectingSink<KeyedValue<Int, SumCount>>
    > {
        Pipeline.source(events)
            .named(name)
            .keyed("sum", by: { $0.key })
            .aggregate(initial: SumCount(), { $0.sum += $1.value; $0.count += 1 }, merge: { $0.sum += $1.sum; $0.count += $1.count })
            .parallel(parallelism)
            .sink("out", output)
    }

    @Test(arguments: [1, 2, 3, 4, 8])
    func outputEqualsSyncEngineForEveryWorkerCount(_ workers: Int) async throws {
        let seed: UInt64 = 0x5EED_0000 + UInt64(workers)
        let events = keyedEvents(count: 20_000, keys: 500, exponent: 1.2, seed: seed)
        let reference = OutputCollector<KeyedValue<Int, SumCount>>()
        _ = try SyncEngine(batchSize: 64).run(Self.sumPipeline(events, KeyedParallelism(workers: workers), into: reference))
        for hotKeys in [nil, HotKeySplitting(threshold: 0.05)] {
            let output = OutputCollector<KeyedValue<Int, SumCount>>()
            let observer = PartitionObserver()
            let parallelism = KeyedParallelism(workers: workers, hotKeys: hotKeys, window: 512, observer: observer)
            let statistics = try await ConcurrentEngine(batchSize: 32, channelCapacity: 64).run(
                Self.sumPipeline(events, parallelism, into: output))
            #expect(output.elements.count == reference.elements.count, "seed \(seed)")
            #expect(sumTable(output.elements) == sumTable(reference.elements), "seed \(seed), split \(hotKeys != nil)")
            #expect(statistics[stage: "sum"]?.processed == events.count)
            let report = observer.report
            #expect(report.activeWorkers == workers)
            #expect(report.loadByWorker.reduce(0, +) == events.count)
            if hotKeys != nil && workers > 1 { #expect(report.splitCount > 0, "the hottest key has ~25% of the load") }
        }
    }

    @Test(arguments: [1, 2, 5])
    func perKeyOrderIsKept(_ workers: Int) async throws {
        let events = keyedEvents(count: 10_000, keys: 50, exponent: 1.0, seed: 0x0DE7 &+ UInt64(workers))
        let output = OutputCollector<KeyedEvent>()
        let pipeline = Pipeline.source(events)
            .keyed("running", by: { $0.key })
            .process(initial: 0) { (count: inout Int, event: KeyedEvent, emit: (KeyedEvent) -> Void) in
                count += 1
                emit(KeyedEvent(key: event.key, sequence: event.sequence, value: count))
            }
            .parallel(workers)
            .sink("out", output)
        _ = try await ConcurrentEngine(batchSize: 16, channelCapacity: 32).run(pipeline)
        Self.expectPerKeyOrder(output.elements, total: events.count)
    }

    /// Every key's outputs come in input order, and its running count goes 1, 2, 3, … with no gap or repeat: state
    /// was neither lost, reset nor duplicated.
    static func expectPerKeyOrder(_ outputs: [KeyedEvent], total: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outputs.count == total, sourceLocation: sourceLocation)
        var lastSequence: [Int: Int] = [:]
        var lastCount: [Int: Int] = [:]
        for event in outputs {
            #expect(event.sequence > lastSequence[event.key, default: -1], "key \(event.key)", sourceLocation: sourceLocation)
            #expect(event.value == lastCount[event.key, default: 0] + 1, "key \(event.key)", sourceLocation: sourceLocation)
            lastSequence[event.key] = event.sequence
            lastCount[event.key] = event.value
        }
    }

    @Test func uniformKeysAtEightWorkersHaveLowSkew() async throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x0808)
        let events = (0..<100_000).map { KeyedEvent(key: Int.random(in: 0..<1_000_000, using: &random), sequence: $0, value: 1) }
        let observer = PartitionObserver()
        _ = try await ConcurrentEngine(batchSize: 256, channelCapacity: 1_024).run(
            Self.sumPipeline(
                events, KeyedParallelism(workers: 8, window: 100_000, observer: observer), into: OutputCollector()))
        let report = observer.report
        #expect((report.overallSkewRatio ?? .infinity) <= 1.1, "seed \(random.seed), loads \(report.loadByWorker)")
        #expect(report.skewRatios.count == 1)
        #expect(!report.keyGroupHistogram.isEmpty)
    }

    @Test func zipfKeysShowSkewAndHeavyHitters() async throws {
        let events = keyedEvents(count: 50_000, keys: 1_000, exponent: 1.2, seed: 0x21F)
        let observer = PartitionObserver()
        _ = try await ConcurrentEngine(batchSize: 256, channelCapacity: 1_024).run(
            Self.sumPipeline(events, KeyedParallelism(workers: 4, window: 10_000, observer: observer), into: OutputCollector()))
        let report = observer.report
        #expect(report.heavyHitters.first?.key == "0", "the most frequent key is 0")
        #expect((report.overallSkewRatio ?? 0) > 1.2, "loads \(report.loadByWorker)")
    }
}
