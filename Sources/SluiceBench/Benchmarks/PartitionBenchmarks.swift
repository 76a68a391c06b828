import Sluice
import SluiceTestKit

/// The `partition-skew` suite: a CPU-bound keyed aggregation (a fixed amount of arithmetic per element, summed per
/// key) through `ConcurrentEngine`'s parallel keyed stage, with the same elements and the same total work in every
/// variant, so their throughputs compare directly:
/// - `meso/partition/uniform/workers1` and `…/workers2` (its peer: the scaling of the keyed stage);
/// - `meso/partition/zipf1.2/workers2` and `…/workers2-split` (hot-key splitting against no splitting).
/// Each records `partition_skew_ratio` (the busiest worker's elements over the mean, over the whole run) and
/// `active_workers`.
enum PartitionBenchmarks {
    static let all: [Benchmark] = [
        keyed("uniform/workers1", distribution: .uniform, workers: 1, split: false),
        keyed("uniform/workers2", distribution: .uniform, workers: 2, split: false).peer("meso/partition/uniform/workers1"),
        keyed("zipf1.2/workers2", distribution: .zipf(1.2), workers: 2, split: false),
        keyed("zipf1.2/workers2-split", distribution: .zipf(1.2), workers: 2, split: true)
            .peer("meso/partition/zipf1.2/workers2"),
    ]

    enum Distribution {
        case uniform
        case zipf(Double)
    }

    struct Event: Sendable {
        var key: Int
        var value: UInt64
    }

    final class PartitionState {
        let events: [Event]
        let work: Int
        let workers: Int
        let split: Bool
        let expectedSum: UInt64
        let expectedKeys: Int
        var sum: UInt64?
        var keys = 0
        var report: PartitionReport?

        init(events: [Event], work: Int, workers: Int, split: Bool) {
            self.events = events
            self.work = work
            self.workers = workers
            self.split = split
            expectedSum = events.reduce(0) { $0 &+ PartitionBenchmarks.spin($1.value, rounds: work) }
            expectedKeys = Set(events.map(\.key)).count
        }
    }

    /// The per-element work: `rounds` rounds of xorshift64, a dependent chain the compiler cannot shorten.
    @inline(never)
    static func spin(_ seed: UInt64, rounds: Int) -> UInt64 {
        var x = seed | 1
        for _ in 0..<rounds {
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
        }
        return x
    }

    static func events(count: Int, keys: Int, distribution: Distribution) -> [Event] {
        var random = SeededRandomNumberGenerator(seed: 0x9A27_1710)
        switch distribution {
        case .uniform:
            return (0..<count).map { _ in Event(key: Int.random(in: 0..<keys, using: &random), value: random.next()) }
        case .zipf(let exponent):
            let zipf = ZipfDistribution(count: keys, exponent: exponent)
            return (0..<count).map { _ in Event(key: zipf.next(using: &random), value: random.next()) }
        }
    }

    static func keyed(_ variant: String, distribution: Distribution, workers: Int, split: Bool) -> Benchmark {
        Benchmark.asynchronous(
            "meso/partition/\(variant)",
            summary: "keyed sum of a CPU-bound per-element function on \(workers) worker(s) of a parallel keyed stage"
                + (split ? ", hot keys split (threshold 5%)" : ""),
            parameters: [
                BenchmarkParameterSpec("elements", .int, "elements per operation (default 100000)"),
                BenchmarkParameterSpec("keys", .int, "distinct keys drawn from (default 10000)"),
                BenchmarkParameterSpec("work", .int, "xorshift rounds per element, the CPU cost (default 1000)"),
            ],
            setup: { parameters in
                let count = parameters.int("elements", default: 100_000)
                let keys = parameters.int("keys", default: 10_000)
                let work = parameters.int("work", default: 1_000)
                guard count > 0, keys > 0, work >= 0 else {
                    throw HarnessError(
                        code: .benchmarkSetup, message: "elements and keys must be positive and work not negative")
                }
                let state = PartitionState(
                    events: events(count: count, keys: keys, distribution: distribution), work: work, workers: workers,
                    split: split)
                return BenchmarkSetup(state: state, itemsPerOperation: Double(count))
            },
            operation: { state in
                let observer = PartitionObserver()
                let output = OutputCollector<KeyedValue<Int, UInt64>>()
                let work = state.work
                let pipeline = Pipeline.source(state.events)
                    .named("partition")
                    .keyed("sum", by: { $0.key })
                    .aggregate(initial: UInt64(0), { $0 &+= spin($1.value, rounds: work) }, merge: { $0 &+= $1 })
                    .parallel(
                        KeyedParallelism(
                            workers: state.workers, hotKeys: state.split ? HotKeySplitting(threshold: 0.05) : nil,
                            observer: observer))
                    .sink("out", output)
                _ = try await ConcurrentEngine().run(pipeline)
                let values = output.elements
                state.sum = values.reduce(0) { $0 &+ $1.value }
                state.keys = values.count
                state.report = observer.report
            },
            check: { state in
                guard let sum = state.sum else { return "the pipeline has not run" }
                if sum != state.expectedSum || state.keys != state.expectedKeys {
                    return "sum \(sum) over \(state.keys) keys; a plain loop gives \(state.expectedSum) over "
                        + "\(state.expectedKeys) keys"
                }
                return nil
            },
            probes: { state in
                var values: [BenchmarkMetric: Double] = [:]
                if let report = state.report {
                    if let skew = report.overallSkewRatio { values[.partitionSkewRatio] = skew }
                    values[.activeWorkers] = Double(report.activeWorkers)
                }
                return BenchmarkProbes(values: values)
            })
    }
}
