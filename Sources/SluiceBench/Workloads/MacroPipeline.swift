import Sluice
import SluiceJSON
import Synchronization

/// The macro workload: byte chunks → framing → tokens → transform and filter → aggregate by key → sink,
/// run by the `SyncEngine`.
///
/// - `frame`: a `JSONFrameBuffer` over a newline-delimited `JSONFramingAssembler`; one document per frame.
/// - `tokens`: `EventTokenDecoder` (strict token reader) reads `key`, `type` and `payload.value`.
/// - `weigh`: multiplies the value by its type's weight (`EventStreamGenerator.weight(ofType:)`).
/// - `drop-heartbeats`: drops `heartbeat` events.
/// - `aggregate`: per key, the count and the sum of weighted values.
struct MacroPipeline: Sendable {
    /// A deliberately broken stage, for the tests proving that the output check catches it.
    enum Fault: Sendable {
        case none
        /// The framing stage loses every 100th document.
        case dropFrames
        /// The transform uses the wrong weight for purchases.
        case wrongWeight
        /// The filter keeps heartbeats.
        case keepHeartbeats
    }

    struct WeightedEvent: Sendable {
        var ordinal: Int
        var key: String
        var weighted: Int64
        var isHeartbeat: Bool
    }

    /// What one run produced.
    struct Outcome: Sendable {
        var aggregates: [String: KeyTotals]
        var statistics: PipelineStatistics
    }

    var fault = Fault.none
    /// Records each aggregated document's latency from its intended time (open loop only).
    var latency: CompletionLatencyProbe?

    typealias Aggregate = KeyedValue<String, KeyTotals>

    /// Builds the pipeline over `source`, ending in `collector`.
    func makePipeline<Source: PipelineSource>(
        _ source: Source, into collector: OutputCollector<Aggregate>
    ) -> RunnablePipeline<
        Source, some StageChain<ArraySlice<UInt8>, Aggregate>, CollectingSink<Aggregate>
    >
    where Source.Element == ArraySlice<UInt8> {
        let fault = fault
        let latency = latency
        let framing = JSONFrameBuffer(JSONFramingAssembler(mode: .newlineDelimited))
        return Pipeline.source("bytes", source)
            .stateful(
                "frame", initial: framing,
                step: { (framer, chunk, emit: (FramedDocument) -> Void) in
                    try chunk.withUnsafeBytes { raw in
                        try framer.feed(raw) { frame, bytes in
                            if fault == .dropFrames && frame.index % 100 == 99 { return }
                            emit(FramedDocument(ordinal: frame.index, bytes: Array(bytes)))
                        }
                    }
                },
                complete: { framer, emit in
                    try framer.finalize { frame, bytes in
                        emit(FramedDocument(ordinal: frame.index, bytes: Array(bytes)))
                    }
                }
            )
            .stateful("tokens", initial: EventTokenDecoder()) { decoder, document, emit in
                emit(try decoder.decode(document))
            }
            .map("weigh") { (event: EventRecord) -> WeightedEvent in
                var weight = EventStreamGenerator.weight(ofType: event.type)
                if fault == .wrongWeight && event.type == "purchase" { weight = 9 }
                return WeightedEvent(
                    ordinal: event.ordinal, key: event.key, weighted: event.value &* weight,
                    isHeartbeat: event.type == EventStreamGenerator.droppedType)
            }
            .filter("drop-heartbeats") { event in fault == .keepHeartbeats || !event.isHeartbeat }
            .aggregate("aggregate", by: { $0.key }, initial: KeyTotals()) { totals, event in
                totals.add(event.weighted)
                latency?.recordCompletion(ofDocument: event.ordinal)
            }
            .sink("sink", collector)
    }

    static func outcome(
        _ collector: OutputCollector<Aggregate>, _ statistics: PipelineStatistics
    )
        -> Outcome
    {
        var aggregates: [String: KeyTotals] = [:]
        for group in collector.drain() { aggregates[group.key] = group.value }
        return Outcome(aggregates: aggregates, statistics: statistics)
    }

    /// Runs the pipeline over `source` to the end on the calling thread (`SyncEngine`). O(bytes).
    func run<Source: PipelineSource>(_ source: Source) throws -> Outcome
    where Source.Element == ArraySlice<UInt8> {
        let collector = OutputCollector<Aggregate>()
        let statistics = try SyncEngine(metrics: .disabled).run(makePipeline(source, into: collector))
        return Self.outcome(collector, statistics)
    }

    /// Runs the pipeline over `source` on the `ConcurrentEngine`: the stateful stages each in a task, joined by
    /// bounded channels (the pure `weigh` and `drop-heartbeats` stages fuse into one task). Suspends until done.
    func runConcurrently<Source: PipelineSource>(
        _ source: Source, channelCapacity: Int
    ) async throws -> Outcome where Source.Element == ArraySlice<UInt8> {
        let collector = OutputCollector<Aggregate>()
        let engine = ConcurrentEngine(
            batchSize: 64, channelCapacity: channelCapacity, metrics: .disabled)
        let statistics = try await engine.run(makePipeline(source, into: collector))
        return Self.outcome(collector, statistics)
    }

    /// Compares one run's outcome with the generator's expectation: nil when right, else what is wrong.
    static func check(_ outcome: Outcome?, against expectation: EventStreamExpectation) -> String? {
        guard let outcome else { return "the pipeline has not run" }
        // The one-pass stage frames and parses in one: its documents are the values it emits.
        let framed = (outcome.statistics[stage: "frame"] ?? outcome.statistics[stage: "values"])?.emitted ?? -1
        if framed != expectation.eventCount {
            return "framing emitted \(framed) documents, the stream holds \(expectation.eventCount)"
        }
        let errors = outcome.statistics.stages.reduce(0) { $0 + $1.errors }
        if errors != 0 { return "\(errors) stage errors on a well-formed stream" }
        if outcome.aggregates.count != expectation.aggregates.count {
            return "\(outcome.aggregates.count) keys aggregated, expected \(expectation.aggregates.count)"
        }
        for (key, expected) in expectation.aggregates.sorted(by: { $0.key < $1.key }) {
            let actual = outcome.aggregates[key]
            if actual != expected {
                return "key \(key): got count \(actual?.count ?? 0) sum \(actual?.sum ?? 0), "
                    + "expected count \(expected.count) sum \(expected.sum)"
            }
        }
        return nil
    }
}

/// Records, for each document that reaches the aggregate, the time from its intended arrival to now.
///
/// This is the coordinated-omission correction: the open-loop source never skips a document (a backlog is
/// released at once), and every latency is measured from the schedule, so a stall shows up in the latency of
/// every document due during it. Adding `recordCorrected`'s synthetic values on top would count those
/// documents twice, so values are recorded as measured. Locked by a `Mutex` (one uncontended lock per document).
final class CompletionLatencyProbe: Sendable {
    private let recorder = Mutex(LatencyRecorder())
    private let schedule = Mutex<OpenLoopSchedule?>(nil)
    let clock: any MonotonicClock

    init(clock: any MonotonicClock) { self.clock = clock }

    /// Starts a new run whose document `k` is due at `schedule.intendedTime(of: k)`.
    func begin(_ newSchedule: OpenLoopSchedule) { schedule.withLock { $0 = newSchedule } }

    /// Records document `ordinal`'s latency from its intended time. O(1).
    func recordCompletion(ofDocument ordinal: Int) {
        guard let schedule = schedule.withLock({ $0 }) else { return }
        let now = clock.nowNanoseconds()
        let intended = schedule.intendedTime(of: ordinal)
        let latency = now > intended ? now - intended : 0
        recorder.withLock { $0.record(latency) }
    }

    /// Everything recorded so far.
    var latencies: LatencyRecorder { recorder.withLock { $0 } }
}
