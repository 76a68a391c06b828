import AsyncAlgorithms
import Sluice

/// Micro benchmarks of the hand-off between two tasks: Sluice's `BoundedChannel` against swift-async-algorithms'
/// `MultiProducerSingleConsumerAsyncChannel` and `AsyncChannel`, one element at a time and in batches of
/// 16, 256 and 4096. One operation moves `elements` integers from a producer task to a consumer task.
enum ChannelBenchmarks {
    static let batchSizes = [1, 16, 256, 4_096]
    /// Elements one operation hands off.
    static let defaultElements = 16_384
    /// Buffer of the bounded channels (ours, and the MPSC channel's high watermark).
    static let capacity = 4_096

    static let all: [Benchmark] = batchSizes.flatMap { batch in
        [sluice(batch: batch).peer("micro/channel/mpsc/batch\(batch)"), multiProducerSingleConsumer(batch: batch),
         asyncChannel(batch: batch)]
    }

    static let parameters = [BenchmarkParameterSpec("elements", .int, "elements handed off per operation; default \(defaultElements)")]

    struct HandOffState {
        var elements: Int
        var batch: Int
        var lastSum = 0
        var statistics: ChannelStatistics?

        /// 0 + 1 + ... + (elements - 1).
        var expectedSum: Int { elements * (elements - 1) / 2 }
    }

    static func setup(_ parameters: BenchmarkParameters, batch: Int) -> BenchmarkSetup<HandOffState> {
        let elements = max(1, parameters.int("elements", default: defaultElements))
        return BenchmarkSetup(state: HandOffState(elements: elements, batch: batch), itemsPerOperation: Double(elements))
    }

    /// Calls `body` with consecutive ranges of at most `batch` of `0..<elements`, in order.
    static func forEachBatch(_ elements: Int, _ batch: Int, _ body: (Range<Int>) async throws -> Void) async rethrows {
        var start = 0
        while start < elements {
            let end = min(elements, start + batch)
            try await body(start..<end)
            start = end
        }
    }

    /// A hand-off benchmark: the shared setup (`elements` parameter) and output check around `operation`.
    static func handOff(
        _ name: String, batch: Int, summary: String,
        operation: @escaping @Sendable (inout HandOffState) async throws -> Void,
        probes: (@Sendable (HandOffState) -> BenchmarkProbes)? = nil
    ) -> Benchmark {
        Benchmark.asynchronous(
            name, summary: summary, parameters: parameters,
            setup: { (parameters: BenchmarkParameters) async throws -> BenchmarkSetup<HandOffState> in
                setup(parameters, batch: batch)
            },
            operation: operation, check: check, probes: probes)
    }

    static func check(_ state: HandOffState) -> String? {
        state.lastSum == state.expectedSum ? nil : "the consumer summed \(state.lastSum), expected \(state.expectedSum)"
    }

    /// `micro/channel/sluice/batch<B>`: `BoundedChannel` (capacity 4096, `.wait`), `send(contentsOf:)` and
    /// `receive(into:maxCount:)` (single-element `send`/`receive` at batch 1).
    static func sluice(batch: Int) -> Benchmark {
        handOff(
            "micro/channel/sluice/batch\(batch)", batch: batch,
            summary: "Sluice BoundedChannel hand-off between two tasks, batches of \(batch)",
            operation: { (state: inout HandOffState) async throws in
                let channel = BoundedChannel<Int>(capacity: .bounded(capacity), name: "hand-off")
                let elements = state.elements
                let batch = state.batch
                state.lastSum = try await withThrowingTaskGroup(of: Void.self, returning: Int.self) { group in
                    group.addTask {
                        try await forEachBatch(elements, batch) { range in
                            if batch == 1 {
                                try await channel.send(range.lowerBound)
                            } else {
                                try await channel.send(contentsOf: range)
                            }
                        }
                        channel.finish()
                    }
                    var sum = 0
                    if batch == 1 {
                        while let value = try await channel.receive() { sum &+= value }
                    } else {
                        var buffer: [Int] = []
                        buffer.reserveCapacity(batch)
                        while try await channel.receive(into: &buffer, maxCount: batch) > 0 {
                            for value in buffer { sum &+= value }
                            buffer.removeAll(keepingCapacity: true)
                        }
                    }
                    try await group.waitForAll()
                    return sum
                }
                state.statistics = channel.statistics()
            },
            probes: { (state: HandOffState) -> BenchmarkProbes in
                guard let statistics = state.statistics else { return BenchmarkProbes() }
                var values: [BenchmarkMetric: Double] = [.channelDepthMax: Double(statistics.maxDepth)]
                // Timing fields are nil when the channel runs without a clock: then they stay unavailable.
                // A value conversion, spelled out: `.map(Double.init)` on a `UInt64` picks
                // `Double(bitPattern:)` and reads the integer's bits as a tiny subnormal double.
                values[.producerBlockedTime] = statistics.producerBlockedNanoseconds.map { Double($0) }
                values[.channelDepthMean] = statistics.approximateMeanDepth
                values[.channelTimeAtCapacity] = statistics.fractionOfTimeAtCapacity
                return BenchmarkProbes(values: values)
            })
    }

    /// `micro/channel/mpsc/batch<B>`: `MultiProducerSingleConsumerAsyncChannel` (watermarks 2048/4096),
    /// `send(contentsOf:)` (single `send` at batch 1), consumer `next()`.
    static func multiProducerSingleConsumer(batch: Int) -> Benchmark {
        handOff(
            "micro/channel/mpsc/batch\(batch)", batch: batch,
            summary: "swift-async-algorithms MultiProducerSingleConsumerAsyncChannel hand-off, batches of \(batch)",
            operation: { (state: inout HandOffState) async throws in
                let elements = state.elements
                let batch = state.batch
                state.lastSum = try await withThrowingTaskGroup(of: Int.self, returning: Int.self) { group in
                    var channelAndSource = MultiProducerSingleConsumerAsyncChannel.makeChannel(
                        of: Int.self, backpressureStrategy: .watermark(low: capacity / 2, high: capacity))
                    var channel = channelAndSource.takeChannel()
                    var source = consume channelAndSource.source
                    group.addTask {
                        var sum = 0
                        while let value = await channel.next() { sum &+= value }
                        return sum
                    }
                    try await forEachBatch(elements, batch) { range in
                        if batch == 1 {
                            try await source.send(range.lowerBound)
                        } else {
                            try await source.send(contentsOf: range)
                        }
                    }
                    source.finish()
                    return try await group.next() ?? 0
                }
            })
    }

    /// `micro/channel/async-channel/batch<B>`: `AsyncChannel` (a rendezvous, no buffer); at batch > 1 each
    /// channel element is an array of B integers, since it has no batch API.
    static func asyncChannel(batch: Int) -> Benchmark {
        handOff(
            "micro/channel/async-channel/batch\(batch)", batch: batch,
            summary: "swift-async-algorithms AsyncChannel hand-off, "
                + (batch == 1 ? "one element at a time" : "arrays of \(batch) elements"),
            operation: { (state: inout HandOffState) async throws in
                let elements = state.elements
                let batch = state.batch
                if batch == 1 {
                    let channel = AsyncChannel<Int>()
                    state.lastSum = await withTaskGroup(of: Void.self, returning: Int.self) { group in
                        group.addTask {
                            for value in 0..<elements { await channel.send(value) }
                            channel.finish()
                        }
                        var sum = 0
                        for await value in channel { sum &+= value }
                        return sum
                    }
                } else {
                    let channel = AsyncChannel<[Int]>()
                    state.lastSum = await withTaskGroup(of: Void.self, returning: Int.self) { group in
                        group.addTask {
                            await forEachBatch(elements, batch) { range in await channel.send(Array(range)) }
                            channel.finish()
                        }
                        var sum = 0
                        for await chunk in channel {
                            for value in chunk { sum &+= value }
                        }
                        return sum
                    }
                }
            })
    }
}
