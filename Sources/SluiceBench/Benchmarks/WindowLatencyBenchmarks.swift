import Sluice
import SluiceEventTime
import SluiceTestKit
import Synchronization

/// The WindowLatency suite: the event-time pipeline a user builds (`.watermarks(...)` → `.window(...)` → sink)
/// on the SyncEngine over a seeded, out-of-order stream of keyed events.
///
/// - `meso/window/sliding/sliced` and its peer `meso/window/sliding/naive`: 60 s windows sliding by 1 s (each
///   element in 60 windows), aggregated from slices and per window; the sliced check compares its firings
///   with a per-window run of the same stream (identical output).
/// - `meso/window/tumbling`: 1 s tumbling windows with an allowed lateness of 60 s, and a late-data burst
///   (500 events 5 to 55 s old, on keys not seen otherwise) every 20 000 events, under a late event guard of `maxWindows`;
///   the check fails if the guard let more windows than its cap be held.
/// - `meso/window/session`: session windows with a 2 s gap over bursty keys.
///
/// Each records throughput, emission latency (`latency`: from the creation of the watermark that passed a
/// window's end to the arrival of the window's result at the sink, on-time firings), the peak window state
/// (`state_size_bytes`) and the most windows held at once (`window_live_max`; for `tumbling`, the figure the
/// late event guard bounds).
///
/// Arrival jitter: on top of the event-time disorder, each event's arrival is delayed by a seeded random 0 to
/// `arrivalJitter` positions in the stream (a stable sort on position + delay, default 64 positions, 32 ms at
/// 2 000 events/s), so the events do not arrive in the generator's neat order; the same seed every run.
enum WindowLatencyBenchmarks {
    static let all: [Benchmark] = [
        make("sliding/sliced", assigner: .sliding(size: 60_000, slide: 1_000), strategy: .sliced)
            .peer("meso/window/sliding/naive"),
        make("sliding/naive", assigner: .sliding(size: 60_000, slide: 1_000), strategy: .perWindow),
        make("tumbling", assigner: .tumbling(size: 1_000), strategy: .sliced, lateBursts: true),
        make("session", assigner: .session(gap: 2_000), strategy: .sliced, sessions: true),
    ]

    struct Event: Sendable {
        var key: Int
        var timestamp: Int64
        var value: Int64
    }

    typealias Result = WindowResult<Int, SumAccumulator<Event>.Partial>

    /// Records emission latency and a digest of the firings at the sink.
    final class Recorder: Sendable {
        struct State {
            var latency = LatencyRecorder()
            var digest: UInt64 = 0xcbf2_9ce4_8422_2325
            var firings = 0
        }

        let state = Mutex(State())
    }

    struct RecordingSink: PipelineSink {
        let recorder: Recorder
        let clock = SystemMonotonicClock()

        func consume(_ batch: [Result]) throws {
            let now = clock.nowNanoseconds()
            recorder.state.withLock { state in
                for result in batch {
                    if result.pane.timing == .onTime {
                        state.latency.record(now &- Swift.min(now, result.pane.triggeredAtNanoseconds))
                    }
                    for part in [
                        UInt64(truncatingIfNeeded: result.key), UInt64(bitPattern: result.window.start),
                        UInt64(bitPattern: result.window.end), UInt64(bitPattern: result.value.count),
                        UInt64(bitPattern: result.value.sum), UInt64(result.pane.index),
                    ] {
                        state.digest = (state.digest ^ part) &* 0x100_0000_01b3
                    }
                    state.firings += 1
                }
            }
        }
    }

    final class WindowState {
        let events: [Event]
        let assigner: WindowAssigner
        let strategy: WindowStrategy
        let maxWindows: Int?
        let lateness: Int64
        let bound: Int64
        let counters = WindowCounters()
        let recorder = Recorder()
        var referenceDigest: UInt64?
        var lastDigest: UInt64 = 0
        var lastFirings = 0

        init(
            events: [Event], assigner: WindowAssigner, strategy: WindowStrategy, maxWindows: Int?, lateness: Int64,
            bound: Int64
        ) {
            self.events = events
            self.assigner = assigner
            self.strategy = strategy
            self.maxWindows = maxWindows
            self.lateness = lateness
            self.bound = bound
        }

        /// One run of the user's pipeline; returns the firings' digest and count.
        func run(strategy: WindowStrategy, counters: WindowCounters, recorder: Recorder) throws -> (UInt64, Int) {
            recorder.state.withLock { $0.digest = 0xcbf2_9ce4_8422_2325; $0.firings = 0 }
            let pipeline = Pipeline.source(events)
                .watermarks(timestamp: { $0.timestamp }, maxOutOfOrderness: bound, granularity: 100)
                .window(
                    "window", assigner, key: { (event: Event) in event.key },
                    accumulator: SumAccumulator<Event> { $0.value },
                    configuration: WindowConfiguration(
                        allowedLateness: lateness, maxWindows: maxWindows, strategy: strategy, counters: counters))
                .sink(RecordingSink(recorder: recorder))
            _ = try SyncEngine().run(pipeline)
            return recorder.state.withLock { ($0.digest, $0.firings) }
        }
    }

    /// Seeded events: `rate` per second of event time over `keys` keys, each up to `disorder` ms earlier than
    /// its place in the stream; with `lateBursts`, 500 events 5 to 55 s old every 20 000 events; then each
    /// event's arrival delayed by 0 to `jitter` positions (seeded, a stable reorder).
    static func events(
        count: Int, keys: Int, rate: Int, disorder: Int64, jitter: Int, lateBursts: Bool, sessions: Bool
    ) -> [Event] {
        var random = SeededRandomNumberGenerator(seed: 0x3_1D0E)
        var events: [Event] = []
        events.reserveCapacity(count + count / 40)
        for index in 0..<count {
            var timestamp = Int64(index) * 1000 / Int64(rate) - Int64.random(in: 0...disorder, using: &random)
            let key = Int.random(in: 0..<keys, using: &random)
            if sessions {
                // Keys are active in bursts: key k is quiet for 3 s out of every 8 s, so its sessions close.
                if (timestamp / 1000 + Int64(key)) % 8 >= 5 { timestamp -= 3_000 }
            }
            events.append(Event(key: key, timestamp: timestamp, value: Int64.random(in: 0..<1000, using: &random)))
            if lateBursts && index > 0 && index % 20_000 == 0 {
                // Keys not seen otherwise, so that each burst opens new windows for the guard to bound.
                for _ in 0..<500 {
                    let age = Int64.random(in: 5_000...55_000, using: &random)
                    let key = keys + Int.random(in: 0..<(keys * 20), using: &random)
                    events.append(Event(key: key, timestamp: timestamp - age, value: 1))
                }
            }
        }
        return jitter > 0 ? Self.jitterArrival(events, by: jitter) : events
    }

    /// Delays each event's arrival by a seeded random 0 to `jitter` positions: a stable sort on position + delay.
    /// O(n log n).
    static func jitterArrival(_ events: [Event], by jitter: Int) -> [Event] {
        var random = SeededRandomNumberGenerator(seed: 0x71_77E2)
        let arrivals = events.indices.map { $0 + Int.random(in: 0...jitter, using: &random) }
        return events.indices.sorted { (arrivals[$0], $0) < (arrivals[$1], $1) }.map { events[$0] }
    }

    static func make(
        _ variant: String, assigner: WindowAssigner, strategy: WindowStrategy, lateBursts: Bool = false,
        sessions: Bool = false
    ) -> Benchmark {
        Benchmark.synchronous(
            "meso/window/\(variant)",
            summary: "watermarks → \(assigner) window (\(strategy.rawValue)) → sink, SyncEngine"
                + (lateBursts ? ", late-data bursts under a window cap" : ""),
            parameters: [
                BenchmarkParameterSpec("elements", .int, "events per operation (default 200000)"),
                BenchmarkParameterSpec("keys", .int, "distinct keys (default 100)"),
                BenchmarkParameterSpec("eventsPerSecond", .int, "events per second of event time (default 2000)"),
                BenchmarkParameterSpec("maxWindows", .int, "late event guard cap, tumbling only (default 8000)"),
                BenchmarkParameterSpec("arrivalJitter", .int, "seeded arrival delay, 0 to N positions (default 64; 0: none)"),
            ],
            setup: { (parameters: BenchmarkParameters) throws -> BenchmarkSetup<WindowState> in
                let count = parameters.int("elements", default: 200_000)
                let keys = parameters.int("keys", default: 100)
                let rate = parameters.int("eventsPerSecond", default: 2_000)
                let cap = parameters.int("maxWindows", default: 8_000)
                let jitter = parameters.int("arrivalJitter", default: 64)
                guard count > 0, keys > 0, rate > 0, cap > 0 else {
                    throw HarnessError(code: .benchmarkSetup, message: "elements, keys, eventsPerSecond and maxWindows must be positive")
                }
                guard jitter >= 0 else {
                    throw HarnessError(code: .benchmarkSetup, message: "arrivalJitter must not be negative (got \(jitter))")
                }
                let events = Self.events(
                    count: count, keys: keys, rate: rate, disorder: 500, jitter: jitter, lateBursts: lateBursts,
                    sessions: sessions)
                let state = WindowState(
                    events: events, assigner: assigner, strategy: strategy, maxWindows: lateBursts ? cap : nil,
                    lateness: lateBursts ? 60_000 : 0, bound: 500)
                if strategy == .sliced && assigner.hasOverlappingWindows {
                    // The reference output: the same stream aggregated per window.
                    state.referenceDigest = try state.run(
                        strategy: .perWindow, counters: WindowCounters(), recorder: Recorder()
                    ).0
                }
                return BenchmarkSetup(state: state, itemsPerOperation: Double(events.count))
            },
            operation: { (state: inout WindowState) throws in
                (state.lastDigest, state.lastFirings) = try state.run(
                    strategy: state.strategy, counters: state.counters, recorder: state.recorder)
            },
            check: { (state: WindowState) -> String? in
                if state.lastFirings == 0 { return "the window stage fired nothing" }
                if let reference = state.referenceDigest, reference != state.lastDigest {
                    return "sliced firings differ from the per-window firings of the same stream"
                }
                if let cap = state.maxWindows, state.counters.liveWindowsMax > Int64(cap) {
                    return "the late event guard held \(state.counters.liveWindowsMax) windows, over its cap of \(cap)"
                }
                return nil
            },
            probes: { (state: WindowState) -> BenchmarkProbes in
                BenchmarkProbes(
                    latency: state.recorder.state.withLock { $0.latency },
                    values: [
                        .stateSizeBytes: Double(state.counters.stateSizeBytesMax),
                        .windowLiveMax: Double(state.counters.liveWindowsMax),
                    ])
            })
    }
}
