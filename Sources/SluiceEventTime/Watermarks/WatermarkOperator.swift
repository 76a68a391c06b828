import Metrics
import Sluice

/// Turns elements into an event-time stream: stamps each with its event time and emits watermarks from a
/// bounded out-of-orderness generator, per source partition, combined by their minimum. Append it with
/// `PipelineBuilder.watermarks(...)`.
///
/// Each partition's watermark is its largest timestamp minus `maxOutOfOrderness` minus 1 ms; the stage's
/// watermark is the minimum over partitions that are not idle. With an `idleTimeout`, a partition that sends
/// nothing for `idleTimeout` ms of processing time stops holding the watermark back until it sends again. The
/// idle clock reads `clock` when elements arrive and starts at the stage's first element: a partition that has
/// not sent anything yet is given the full timeout from then, not taken for idle at once. While elements
/// arrive, a stage with an `idleTimeout` also repeats its watermark when it has emitted none for
/// `idleTimeout / 2` ms, so that a window stage merging several inputs (`WindowConfiguration.idleInputTimeout`)
/// can tell a busy input whose event time stands still from a quiet one. At the end of input the stage emits
/// `Watermark(isIdle: true)`: a merge stops waiting for a stream that has ended.
///
/// A watermark is emitted when the combined value has moved by at least `granularity` ms. Each emitted
/// watermark records `watermark_lag_ms` (ingest time minus watermark) through swift-metrics (the `metrics`
/// factory, else the bootstrapped system), labelled with the stage's name. Synchronous; never suspends.
public struct WatermarkOperator<Element: Sendable>: StageOperator {
    /// The raw element, stamped by `timestamp`.
    public typealias Input = Element
    /// Each element with its event time, and the watermarks between them.
    public typealias Output = EventTimeElement<Element>

    @usableFromInline let timestamp: @Sendable (Element) -> Int64
    @usableFromInline let partition: (@Sendable (Element) -> Int)?
    @usableFromInline let bound: Int64
    @usableFromInline let idleTimeout: Int64?
    @usableFromInline let granularity: Int64
    @usableFromInline let input: Int
    @usableFromInline let clock: any MonotonicClock
    @usableFromInline let ingestTime: @Sendable () -> Int64
    @usableFromInline let lag: Gauge
    @usableFromInline var tracker: WatermarkTracker
    @usableFromInline var maxTimestamps: [Int64]
    @usableFromInline var lastActive: [Int64]
    @usableFromInline var lastEmitted = Int64.min
    /// Processing time (ms) of the last emitted watermark, for the repeat under an idle timeout.
    @usableFromInline var lastEmittedAt = Int64.min
    /// Whether the idle clock has started (at the first element).
    @usableFromInline var isIdleClockStarted = false

    /// Creates the stage; see `PipelineBuilder.watermarks(...)` for the parameters.
    public init(
        name: String, timestamp: @escaping @Sendable (Element) -> Int64, maxOutOfOrderness: Int64,
        partitions: Int = 1, partition: (@Sendable (Element) -> Int)? = nil, idleTimeout: Int64? = nil,
        granularity: Int64 = 1, input: Int = 0, clock: any MonotonicClock = SystemMonotonicClock(),
        ingestTime: @escaping @Sendable () -> Int64 = WatermarkOperator.wallClockMilliseconds,
        metrics: (any MetricsFactory)? = nil
    ) {
        precondition(maxOutOfOrderness >= 0, "maxOutOfOrderness must not be negative")
        precondition(partitions > 0, "partitions must be positive")
        precondition(granularity > 0, "granularity must be positive")
        precondition(idleTimeout.map { $0 > 0 } ?? true, "idleTimeout must be positive")
        self.timestamp = timestamp
        self.partition = partition
        bound = maxOutOfOrderness
        self.idleTimeout = idleTimeout
        self.granularity = granularity
        self.input = input
        self.clock = clock
        self.ingestTime = ingestTime
        lag = Gauge(label: "watermark_lag_ms", dimensions: [("stage", name)], factory: metrics ?? MetricsSystem.factory)
        tracker = WatermarkTracker(inputs: partitions)
        maxTimestamps = Array(repeating: Int64.min, count: partitions)
        lastActive = Array(repeating: 0, count: partitions)
    }

    /// Wall-clock milliseconds since 1970: the default ingest time.
    @Sendable
    public static func wallClockMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Always false: the stage keeps each partition's largest timestamp.
    public var isPure: Bool { false }
    /// Always `.stateful`.
    public var kind: StageKind { .stateful }

    /// Emits the element with its timestamp, then a watermark when the combined one moved by `granularity` ms or
    /// more (or a repeat is due under an idle timeout), recording `watermark_lag_ms`. Marks partitions idle
    /// after `idleTimeout` ms without an element.
    @inlinable
    public mutating func process(_ element: Element, emit: (Output) -> Void) throws {
        let time = timestamp(element)
        // A partition number out of range is folded into range: bad data must not stop the stream.
        let count = maxTimestamps.count
        let part = count == 1 ? 0 : ((partition?(element) ?? 0) % count + count) % count
        emit(.element(element, timestamp: time))
        if time > maxTimestamps[part] { maxTimestamps[part] = time }
        let (candidate, overflow) = maxTimestamps[part].subtractingReportingOverflow(bound &+ 1)
        var combined = tracker.update(input: part, timestamp: overflow ? Int64.min : candidate)
        var isRepeatDue = false
        var now = Int64.min
        if let idleTimeout {
            now = Int64(clock.nowNanoseconds() / 1_000_000)
            if !isIdleClockStarted {
                // Every partition's idle clock starts now: one that has not sent yet gets the full timeout.
                isIdleClockStarted = true
                for index in lastActive.indices { lastActive[index] = now }
            }
            lastActive[part] = now
            for other in 0..<count where other != part && !tracker.isIdle(input: other) {
                if now - lastActive[other] >= idleTimeout { combined = tracker.markIdle(input: other) }
            }
            isRepeatDue = lastEmittedAt != Int64.min && now - lastEmittedAt >= Swift.max(1, idleTimeout / 2)
        }
        if combined != Int64.min && (lastEmitted == Int64.min || combined >= lastEmitted &+ granularity || isRepeatDue) {
            lastEmitted = Swift.max(lastEmitted, combined)
            lastEmittedAt = now
            emit(.watermark(Watermark(timestamp: lastEmitted, input: input, createdAtNanoseconds: clock.nowNanoseconds())))
            lag.record(ingestTime() &- lastEmitted)
        }
    }

    /// End of input: emits `Watermark(isIdle: true)`, so that a window stage merging this stream with others
    /// no longer waits for it.
    @inlinable
    public mutating func finish(emit: (Output) -> Void) throws {
        emit(.watermark(Watermark(timestamp: lastEmitted, input: input, isIdle: true, createdAtNanoseconds: clock.nowNanoseconds())))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
