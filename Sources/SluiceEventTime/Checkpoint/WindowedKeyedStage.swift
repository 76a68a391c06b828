import Sluice
import SluiceState

/// A window stage for the checkpointed runners (`CheckpointedPipeline`, `EngineCheckpointSession`): decodes each
/// source record into an element, generates watermarks as `WatermarkOperator` does (bounded out-of-orderness,
/// optionally per source partition with an idle timeout), windows and aggregates as `WindowOperator` does, and
/// writes one output line per firing.
///
/// At each checkpoint barrier the whole window state (slices, window partials, trigger states, timers, the
/// watermark and the watermark generator with its partitions, their idle flags and idle clocks) is written to `state`, a SluiceState backend, and captured with it;
/// a restore reads it back before the first record, so a run restored from a checkpoint fires exactly as an
/// uninterrupted run would (with an exactly-once sink, its committed output is byte-identical). A capture is
/// O(window state). Records that cannot be decoded are errors naming their sequence number; late elements
/// follow the configuration's policy (a dead-letter policy makes them errors here). The runners have no
/// end-of-input hook, so windows still open at the end of a finite input stay in the checkpointed state, ready
/// for more input.
///
/// The idle timeout runs on `configuration.clock`; a restored stage keeps the partitions' idle clocks as they
/// were captured (on the system clock, downtime counts as silence), unless the clock now reads earlier than
/// they do (another boot): then they start again at the first record.
///
/// Used from one thread (the runner's).
public final class WindowedKeyedStage<
    Key: Hashable & Sendable & StateCodable, Accumulator: WindowAccumulator, Trigger: WindowTrigger
>: KeyedStateStage where Accumulator.Partial: StateCodable {
    /// The state's values: the encoded window state and watermark-generator state.
    public typealias Value = [UInt8]
    /// What `decode` makes of a record: the accumulator's input.
    public typealias Element = Accumulator.Input

    /// The stage's name (default `window`); checkpoints store its state under it, and errors name it.
    public let name: String
    /// Where the window state is written at each capture and read back from on the first record.
    public let state: any StateBackend<[UInt8]>
    private var core: WindowCore<Key, Accumulator, Trigger>
    private var generator: WatermarkOperator<Element>
    private let decode: @Sendable (SourceRecord) throws -> Element
    private let format: @Sendable (WindowResult<Key, Accumulator.Output>, inout [UInt8]) -> Void
    private var isLoaded = false
    private var line: [UInt8] = []
    private var inputs: [EventTimeElement<Element>] = []

    /// Creates the stage.
    /// - Parameters:
    ///   - decode: the element of a record; throw (a `StateError(code: .invalidRecord)`, say) for bad data.
    ///   - timestamp, maxOutOfOrderness: the event time of an element and the watermark generator's bound.
    ///   - watermarkPartitions, partition, idleTimeout: per-partition watermarks and the idle-source timeout,
    ///     as for `PipelineBuilder.watermarks(...)`; processing time is read from `configuration.clock`.
    ///   - format: appends one firing's output line (without a newline) to the buffer.
    public init(
        name: String = "window", state: any StateBackend<[UInt8]>, assigner: WindowAssigner, trigger: Trigger,
        accumulator: Accumulator, key: @escaping @Sendable (Element) -> Key,
        configuration: WindowConfiguration<Element> = WindowConfiguration(),
        decode: @escaping @Sendable (SourceRecord) throws -> Element,
        timestamp: @escaping @Sendable (Element) -> Int64, maxOutOfOrderness: Int64, watermarkPartitions: Int = 1,
        partition: (@Sendable (Element) -> Int)? = nil, idleTimeout: Int64? = nil,
        format: @escaping @Sendable (WindowResult<Key, Accumulator.Output>, inout [UInt8]) -> Void
    ) {
        self.name = name
        self.state = state
        core = WindowCore(
            name: name, assigner: assigner, trigger: trigger, accumulator: accumulator, key: key,
            configuration: configuration)
        generator = WatermarkOperator(
            name: name, timestamp: timestamp, maxOutOfOrderness: maxOutOfOrderness, partitions: watermarkPartitions,
            partition: partition, idleTimeout: idleTimeout, clock: configuration.clock)
        self.decode = decode
        self.format = format
    }

    /// Decodes the record, runs it through the watermark generator and the windows, and emits one `format`ted
    /// line per firing; loads the saved state on the first call. A refused late element under a dead-letter
    /// policy throws `StateError` `invalidRecord` naming the record's sequence number.
    public func process(_ record: SourceRecord, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        if !isLoaded { try load() }
        let element = try decode(record)
        inputs.removeAll(keepingCapacity: true)
        try generator.process(element) { inputs.append($0) }
        var results: [WindowResult<Key, Accumulator.Output>] = []
        for input in inputs {
            do {
                try core.process(input) { results.append($0) }
            } catch let error as LateElementError {
                throw StateError(code: .invalidRecord, message: "record \(record.sequence): \(error.message)")
            }
        }
        for result in results {
            line.removeAll(keepingCapacity: true)
            format(result, &line)
            try line.withUnsafeBytes { try emit($0) }
        }
    }

    /// Writes the window state into `state`, then snapshots it (see the type's summary).
    public func captureState() throws -> StageStateCapture {
        if !isLoaded { try load() }
        try core.save(into: state)
        var writer = BinaryWriter(capacity: 64)
        generator.encodeState(into: &writer)
        try state.setValue(writer.bytes, forKey: Self.generatorKey)
        let snapshot = try state.makeSnapshot()
        return StageStateCapture(
            name: name, encode: { writer in try snapshot.encodeEntries(into: &writer) },
            stateSizeBytes: snapshot.stateSizeBytes)
    }

    /// What the stage counted (shared with `WindowConfiguration.counters`).
    public var counters: WindowCounters { core.configuration.counters }

    /// The state key of the watermark generator; `legacyGeneratorKey` held the largest timestamps only.
    static var generatorKey: String { "watermarks/2" }
    static var legacyGeneratorKey: String { "watermarks" }

    private func load() throws {
        isLoaded = true
        try core.load(from: state)
        if let bytes = try state.value(forKey: Self.generatorKey) {
            var reader = BinaryReader(bytes)
            try generator.decodeState(from: &reader, stage: name)
            return
        }
        guard let bytes = try state.value(forKey: Self.legacyGeneratorKey) else { return }
        var reader = BinaryReader(bytes)
        let count = try reader.readCount(minimumBytes: 8)
        guard count == generator.maxTimestamps.count else {
            throw reader.fail("stage \(name): \(count) watermark partitions in the checkpoint, \(generator.maxTimestamps.count) configured")
        }
        for index in 0..<count {
            generator.maxTimestamps[index] = try reader.readInt64()
            let (candidate, overflow) = generator.maxTimestamps[index].subtractingReportingOverflow(generator.bound &+ 1)
            if generator.maxTimestamps[index] != Int64.min {
                generator.tracker.update(input: index, timestamp: overflow ? Int64.min : candidate)
            }
        }
        generator.lastEmitted = try reader.readInt64()
    }
}

extension WatermarkOperator {
    /// Writes the generator's state: per partition its largest timestamp, watermark, idle flag and idle clock;
    /// then the combined and last emitted watermarks.
    func encodeState(into writer: inout BinaryWriter) {
        writer.write(UInt64(maxTimestamps.count))
        for index in maxTimestamps.indices {
            writer.write(maxTimestamps[index])
            writer.write(optional: tracker.latest[index])
            writer.write(tracker.idle[index])
            writer.write(lastActive[index])
        }
        writer.write(tracker.combined)
        writer.write(lastEmitted)
        writer.write(lastEmittedAt)
        writer.write(isIdleClockStarted)
    }

    /// Reads what `encodeState` wrote. Throws `corruptSnapshot` naming the stage on damaged bytes or a
    /// partition count other than the configured one.
    mutating func decodeState(from reader: inout BinaryReader, stage: String) throws {
        let count = try reader.readCount(minimumBytes: 26)
        guard count == maxTimestamps.count else {
            throw reader.fail("stage \(stage): \(count) watermark partitions in the checkpoint, \(maxTimestamps.count) configured")
        }
        for index in 0..<count {
            maxTimestamps[index] = try reader.readInt64()
            tracker.latest[index] = try reader.readOptionalInt64()
            tracker.idle[index] = try reader.readBool()
            lastActive[index] = try reader.readInt64()
        }
        tracker.restoreCombined(try reader.readInt64())
        lastEmitted = try reader.readInt64()
        lastEmittedAt = try reader.readInt64()
        isIdleClockStarted = try reader.readBool()
        guard reader.isAtEnd else { throw reader.fail("stage \(stage): trailing bytes after the watermark state") }
        let now = Int64(clock.nowNanoseconds() / 1_000_000)
        if isIdleClockStarted && lastActive.contains(where: { $0 > now }) {
            // The clock reads earlier than the captured idle clocks (another boot): start them again.
            isIdleClockStarted = false
            lastEmittedAt = Int64.min
        }
    }
}
