import Foundation
import Sluice

/// The macro tier: the full pipeline over generated NDJSON event streams (`MacroPipeline`), closed and open loop,
/// and a Foundation peer doing the same work with `JSONSerialization`.
enum MacroBenchmarks {
    static let all: [Benchmark] = [closedLoop(), concurrent(), openLoop(), foundationPeer]

    static let streamParameters = [
        BenchmarkParameterSpec(
            "megabytes", .double, "size of the generated stream in MB (10⁶ bytes); default 1"),
        BenchmarkParameterSpec("seed", .int, "generator seed; default 42"),
        BenchmarkParameterSpec("keys", .int, "distinct event keys; default 1000"),
    ]

    struct State {
        var stream: GeneratedEventStream
        var pipeline: MacroPipeline
        var outcome: MacroPipeline.Outcome?
        var ratePerSecond: Double = 0
        var channelCapacity = 1_024
        /// The open loop's document boundaries, found once at setup.
        var lineEnds: [Int] = []
        var clock = SystemMonotonicClock()
    }

    static func makeStream(
        _ parameters: BenchmarkParameters, forceMemory: Bool = false
    ) throws
        -> GeneratedEventStream
    {
        let megabytes = parameters.double("megabytes", default: 1)
        guard megabytes > 0, megabytes <= 10_000 else {
            throw HarnessError(
                code: .benchmarkSetup, message: "megabytes must be in (0, 10000], got \(megabytes)",
                field: "megabytes")
        }
        if forceMemory && megabytes * 1_000_000 > Double(GeneratedEventStream.inMemoryLimit) {
            throw HarnessError(
                code: .benchmarkSetup,
                message: "the open-loop stream is held in memory: at most "
                    + "\(GeneratedEventStream.inMemoryLimit / 1_000_000) MB",
                field: "megabytes")
        }
        return try GeneratedEventStream(
            megabytes: megabytes, seed: UInt64(parameters.int("seed", default: 42)),
            keyCount: max(1, parameters.int("keys", default: 1_000)))
    }

    static func probes(_ state: State) -> BenchmarkProbes {
        var values: [BenchmarkMetric: Double] = [:]
        if let statistics = state.outcome?.statistics {
            values[.pipelineDocsTotal] = Double(statistics[stage: "frame"]?.emitted ?? 0)
            values[.stageErrorTotal] = Double(statistics.stages.reduce(0) { $0 + $1.errors })
            values[.poisonRoutedTotal] = Double(statistics.deadLetters.routedCount)
            values.merge(channelProbes(statistics.channels)) { $1 }
        }
        return BenchmarkProbes(latency: state.pipeline.latency?.latencies, values: values)
    }

    /// `macro/pipeline/closed`: the whole stream through the pipeline as fast as it goes (closed loop).
    static func closedLoop(fault: MacroPipeline.Fault = .none) -> Benchmark {
        Benchmark.synchronous(
            "macro/pipeline/closed",
            summary:
                "generated NDJSON events: 64 KiB chunks → frame → tokens → weigh → filter → aggregate by key "
                + "(SyncEngine, closed loop)",
            parameters: streamParameters,
            setup: { parameters in
                let stream = try makeStream(parameters)
                return BenchmarkSetup(
                    state: State(stream: stream, pipeline: MacroPipeline(fault: fault)),
                    itemsPerOperation: Double(stream.expectation.eventCount),
                    bytesPerOperation: Double(stream.expectation.byteCount))
            },
            operation: { state in
                state.outcome = try state.pipeline.run(state.stream.makeSource())
            },
            check: { state in MacroPipeline.check(state.outcome, against: state.stream.expectation) },
            probes: probes
        ).peer("macro/foundation/closed")
    }

    /// Channel depth probes over every channel of a run: the largest depth, the mean of the time-weighted mean
    /// depths, and the share of the observed time channels spent at capacity. Empty without channels.
    static func channelProbes(_ channels: [ChannelStatistics]) -> [BenchmarkMetric: Double] {
        guard !channels.isEmpty else { return [:] }
        var values: [BenchmarkMetric: Double] = [
            .channelDepthMax: Double(channels.map(\.maxDepth).max() ?? 0)
        ]
        let means = channels.compactMap(\.approximateMeanDepth)
        if !means.isEmpty { values[.channelDepthMean] = means.reduce(0, +) / Double(means.count) }
        let observed = channels.reduce(UInt64(0)) { $0 &+ ($1.observedNanoseconds ?? 0) }
        let atCapacity = channels.reduce(UInt64(0)) { $0 &+ ($1.nanosecondsAtCapacity ?? 0) }
        if observed > 0 { values[.channelTimeAtCapacity] = Double(atCapacity) / Double(observed) }
        let blocked = channels.compactMap(\.producerBlockedNanoseconds)
        if !blocked.isEmpty { values[.producerBlockedTime] = Double(blocked.reduce(0, &+)) }
        return values
    }

    /// `macro/pipeline/concurrent`: the closed-loop pipeline on the `ConcurrentEngine` (a task per segment,
    /// bounded channels between them), with channel depth probes.
    static func concurrent(fault: MacroPipeline.Fault = .none) -> Benchmark {
        Benchmark.asynchronous(
            "macro/pipeline/concurrent",
            summary:
                "the macro pipeline on the ConcurrentEngine: a task per segment, bounded channels (batches of 64)",
            parameters: streamParameters + [
                BenchmarkParameterSpec("capacity", .int, "channel capacity in elements; default 1024")
            ],
            setup: { parameters in
                let stream = try makeStream(parameters)
                let capacity = parameters.int("capacity", default: 1_024)
                guard capacity >= 64 else {
                    throw HarnessError(
                        code: .benchmarkSetup, message: "capacity must be at least 64", field: "capacity")
                }
                return BenchmarkSetup(
                    state: State(
                        stream: stream, pipeline: MacroPipeline(fault: fault), channelCapacity: capacity),
                    itemsPerOperation: Double(stream.expectation.eventCount),
                    bytesPerOperation: Double(stream.expectation.byteCount))
            },
            operation: { state in
                state.outcome = try await state.pipeline.runConcurrently(
                    state.stream.makeSource(), channelCapacity: state.channelCapacity)
            },
            check: { state in MacroPipeline.check(state.outcome, against: state.stream.expectation) },
            probes: probes
        ).peer("macro/foundation/closed")
    }

    /// `macro/pipeline/open`: documents released at a fixed rate; latency from each document's intended time.
    static func openLoop(
        fault: MacroPipeline.Fault = .none, clock: any MonotonicClock = SystemMonotonicClock(),
        pacer: any OpenLoopPacer = SleepingPacer()
    ) -> Benchmark {
        Benchmark.synchronous(
            "macro/pipeline/open",
            summary:
                "the macro pipeline fed at a fixed document rate (open loop); end-to-end latency per document "
                + "from its intended arrival",
            parameters: streamParameters + [
                BenchmarkParameterSpec("rate", .double, "documents per second; default 20000")
            ],
            setup: { parameters in
                let rate = parameters.double("rate", default: 20_000)
                guard rate > 0 else {
                    throw HarnessError(code: .benchmarkSetup, message: "rate must be positive", field: "rate")
                }
                let stream = try makeStream(parameters, forceMemory: true)
                var pipeline = MacroPipeline(fault: fault)
                pipeline.latency = CompletionLatencyProbe(clock: clock)
                var state = State(stream: stream, pipeline: pipeline, ratePerSecond: rate)
                if case .memory(let bytes) = stream.storage {
                    state.lineEnds = OpenLoopEventSource.lineEnds(of: bytes)
                }
                return BenchmarkSetup(
                    state: state,
                    itemsPerOperation: Double(stream.expectation.eventCount),
                    bytesPerOperation: Double(stream.expectation.byteCount))
            },
            operation: { state in
                guard case .memory(let bytes) = state.stream.storage, let probe = state.pipeline.latency
                else { return }
                let schedule = OpenLoopSchedule(
                    ratePerSecond: state.ratePerSecond, start: clock.nowNanoseconds())
                probe.begin(schedule)
                let source = OpenLoopEventSource(
                    bytes: bytes, lineEnds: state.lineEnds, schedule: schedule, clock: clock, pacer: pacer)
                state.outcome = try state.pipeline.run(source)
            },
            check: { state in MacroPipeline.check(state.outcome, against: state.stream.expectation) },
            probes: probes)
    }

    struct FoundationState {
        var stream: GeneratedEventStream
        var aggregates: [String: KeyTotals] = [:]
        var documents = 0
    }

    /// `macro/foundation/closed`: the peer: the same work with `JSONSerialization`, one line at a time.
    static let foundationPeer = Benchmark.synchronous(
        "macro/foundation/closed",
        summary:
            "the macro workload done with Foundation: split lines, JSONSerialization, weigh, filter, aggregate",
        parameters: streamParameters,
        setup: { parameters in
            let stream = try makeStream(parameters)
            return BenchmarkSetup(
                state: FoundationState(stream: stream),
                itemsPerOperation: Double(stream.expectation.eventCount),
                bytesPerOperation: Double(stream.expectation.byteCount))
        },
        operation: { state in
            let data: Data
            switch state.stream.storage {
            case .memory(let bytes): data = Data(bytes)
            case .file(let url): data = try Data(contentsOf: url)
            }
            var aggregates: [String: KeyTotals] = [:]
            var documents = 0
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                documents += 1
                guard let event = try JSONSerialization.jsonObject(with: line) as? [String: Any],
                    let key = event["key"] as? String, let type = event["type"] as? String,
                    let payload = event["payload"] as? [String: Any], let value = payload["value"] as? Int
                else { continue }
                guard type != EventStreamGenerator.droppedType else { continue }
                aggregates[key, default: KeyTotals()].add(
                    Int64(value) &* EventStreamGenerator.weight(ofType: type))
            }
            state.aggregates = aggregates
            state.documents = documents
        },
        check: { state in
            guard state.documents == state.stream.expectation.eventCount else {
                return
                    "read \(state.documents) documents, the stream holds \(state.stream.expectation.eventCount)"
            }
            return state.aggregates == state.stream.expectation.aggregates ? nil : "the aggregates differ"
        })
}
