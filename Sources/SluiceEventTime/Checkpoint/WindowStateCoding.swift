import HeapModule
import SluiceState

/// The binary encoding of window state for checkpoints: nested values are length-prefixed, because
/// `StateCodable` values may read to the end of their reader.
extension BinaryWriter {
    mutating func writeNested(_ value: some StateCodable) {
        var nested = BinaryWriter(capacity: value.encodedByteCount)
        value.encode(into: &nested)
        writeBytes(nested.bytes)
    }

    mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }

    mutating func write(optional value: Int64?) {
        write(value != nil)
        write(value ?? 0)
    }

    mutating func write(_ window: TimeWindow) {
        write(window.start)
        write(window.end)
    }

    mutating func write(_ trigger: TriggerState) {
        write(trigger.count)
        write(trigger.firings)
        write(optional: trigger.eventTimer)
        write(optional: trigger.processingTimer)
        write(trigger.scratch)
    }

    mutating func write(_ timer: WindowTimer) {
        write(timer.time)
        write(timer.kind.rawValue)
        write(Int64(timer.ordinal))
        write(timer.window)
    }
}

extension BinaryReader {
    mutating func readNested<Value: StateCodable>(_ type: Value.Type) throws -> Value {
        var nested = BinaryReader(try readBytes())
        let value = try Value(decoding: &nested)
        guard nested.isAtEnd else { throw fail("a nested \(Value.self) has trailing bytes") }
        return value
    }

    mutating func readBool() throws -> Bool {
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let other: throw fail("invalid boolean byte \(other) at offset \(position - 1)")
        }
    }

    mutating func readOptionalInt64() throws -> Int64? {
        let present = try readBool()
        let value = try readInt64()
        return present ? value : nil
    }

    mutating func readWindow() throws -> TimeWindow {
        let start = try readInt64()
        let end = try readInt64()
        guard start < end else { throw fail("empty window [\(start), \(end)) at offset \(position - 16)") }
        return TimeWindow(start: start, end: end)
    }

    mutating func readTriggerState() throws -> TriggerState {
        var state = TriggerState()
        state.count = try readInt64()
        state.firings = try readInt64()
        state.eventTimer = try readOptionalInt64()
        state.processingTimer = try readOptionalInt64()
        state.scratch = try readInt64()
        return state
    }

    mutating func readTimer() throws -> WindowTimer {
        let time = try readInt64()
        let rawKind = try readUInt8()
        guard let kind = WindowTimer.Kind(rawValue: rawKind) else { throw fail("unknown timer kind \(rawKind)") }
        let ordinal = try readInt64()
        return WindowTimer(time: time, kind: kind, ordinal: Int(ordinal), window: try readWindow())
    }

    /// A count written before `count` items of at least `minimumBytes` each, checked against what is left.
    mutating func readCount(minimumBytes: Int) throws -> Int {
        let count = try readUInt64()
        guard count <= UInt64(remaining / Swift.max(1, minimumBytes)) else {
            throw fail("item count \(count) exceeds the data at offset \(position - 8)")
        }
        return Int(count)
    }
}

extension SumAccumulator.Partial: StateCodable {
    /// Appends `count`, then `sum`, each 8 bytes little-endian.
    public func encode(into writer: inout BinaryWriter) {
        writer.write(count)
        writer.write(sum)
    }

    /// Reads `count`, then `sum` (8 bytes each); throws when fewer bytes are left.
    public init(decoding reader: inout BinaryReader) throws {
        self.init(count: try reader.readInt64(), sum: try reader.readInt64())
    }

    /// Always 16 (two `Int64`s).
    public var encodedByteCount: Int { 16 }
}

extension KeyWindowState where Key: StateCodable, Partial: StateCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeNested(key)
        writer.write(Int64(ordinal))
        writer.write(UInt64(slices.count))
        for (index, partial) in slices.sorted(by: { $0.key < $1.key }) {
            writer.write(index)
            writer.writeNested(partial)
        }
        writer.write(UInt64(slots.count))
        for (start, slot) in slots.sorted(by: { $0.key < $1.key }) {
            writer.write(start)
            writer.writeNested(slot.partial)
            writer.write(slot.ownsPartial)
            writer.write(slot.hasContents)
            writer.write(slot.trigger)
        }
        writer.write(UInt64(registered.ranges.count))
        for range in registered.ranges {
            writer.write(range.lowerBound)
            writer.write(range.upperBound)
        }
        writer.write(UInt64(sessions.count))
        for session in sessions {
            writer.write(session.window)
            writer.writeNested(session.partial)
            writer.write(session.hasContents)
            writer.write(session.trigger)
        }
        writer.write(running != nil)
        if let running {
            writer.write(running.lower)
            writer.write(running.upper)
            writer.writeNested(running.partial)
            writer.write(Int64(running.present))
        }
    }

    init(decoding reader: inout BinaryReader) throws {
        self.init(key: try reader.readNested(Key.self), ordinal: Int(try reader.readInt64()))
        for _ in 0..<(try reader.readCount(minimumBytes: 12)) {
            let index = try reader.readInt64()
            slices[index] = try reader.readNested(Partial.self)
        }
        for _ in 0..<(try reader.readCount(minimumBytes: 12)) {
            let start = try reader.readInt64()
            var slot = Slot(partial: try reader.readNested(Partial.self))
            slot.ownsPartial = try reader.readBool()
            slot.hasContents = try reader.readBool()
            slot.trigger = try reader.readTriggerState()
            slots[start] = slot
        }
        for _ in 0..<(try reader.readCount(minimumBytes: 16)) {
            let lower = try reader.readInt64()
            let upper = try reader.readInt64()
            guard lower <= upper else { throw reader.fail("invalid registered range \(lower)...\(upper)") }
            registered.ranges.append(lower...upper)
        }
        for _ in 0..<(try reader.readCount(minimumBytes: 16)) {
            let window = try reader.readWindow()
            var session = Session(window: window, partial: try reader.readNested(Partial.self))
            session.hasContents = try reader.readBool()
            session.trigger = try reader.readTriggerState()
            sessions.append(session)
        }
        if try reader.readBool() {
            let lower = try reader.readInt64()
            let upper = try reader.readInt64()
            let partial = try reader.readNested(Partial.self)
            running = Running(lower: lower, upper: upper, partial: partial, present: Int(try reader.readInt64()))
        }
    }
}

extension WindowCore where Key: StateCodable, Accumulator.Partial: StateCodable {
    /// The state key of the stage-wide part (watermark, timers, counts); each key's windows are stored under
    /// `k/<ordinal>`.
    static var metaKey: String { "meta" }

    /// Writes the whole window state into `backend`, replacing what it held. O(state).
    func save(into backend: any StateBackend<[UInt8]>) throws {
        try backend.removeAll()
        var writer = BinaryWriter(capacity: 256)
        writer.write(SluiceEventTimeInfo.stateFormatVersion)
        writer.write(watermark)
        writer.write(UInt64(tracker.latest.count))
        for (latest, idle) in zip(tracker.latest, tracker.idle) {
            writer.write(optional: latest)
            writer.write(idle)
        }
        writer.write(tracker.combined)
        writer.write(Int64(nextOrdinal))
        writer.write(liveWindows)
        writer.write(liveWindowsMax)
        writer.write(stateBytes)
        writer.write(stateBytesMax)
        for heap in [timers, cleanups, processingTimers] {
            writer.write(UInt64(heap.count))
            for timer in heap.unordered { writer.write(timer) }
        }
        try backend.setValue(writer.bytes, forKey: Self.metaKey)
        try store.forEach { state in
            var keyWriter = BinaryWriter(capacity: 128)
            state.encode(into: &keyWriter)
            try backend.setValue(keyWriter.bytes, forKey: "k/\(state.ordinal)")
        }
    }

    /// Replaces the window state with what `save(into:)` wrote to `backend`; leaves it empty when `backend`
    /// holds no window state. O(state). Throws `corruptSnapshot` on damaged bytes.
    mutating func load(from backend: any StateBackend<[UInt8]>) throws {
        store.removeAll()
        keysByOrdinal = [:]
        guard let meta = try backend.value(forKey: Self.metaKey) else { return }
        var reader = BinaryReader(meta)
        let version = try reader.readUInt8()
        guard version == SluiceEventTimeInfo.stateFormatVersion else {
            throw StateError(code: .unsupportedFormat, message: "window state of stage \(name) has format \(version)")
        }
        watermark = try reader.readInt64()
        let inputs = try reader.readCount(minimumBytes: 10)
        guard inputs == tracker.inputCount else {
            throw reader.fail("window state of stage \(name) has \(inputs) watermark inputs, the stage \(tracker.inputCount)")
        }
        for index in 0..<inputs {
            tracker.latest[index] = try reader.readOptionalInt64()
            tracker.idle[index] = try reader.readBool()
        }
        tracker.restoreCombined(try reader.readInt64())
        nextOrdinal = Int(try reader.readInt64())
        liveWindows = try reader.readInt64()
        liveWindowsMax = try reader.readInt64()
        stateBytes = try reader.readInt64()
        stateBytesMax = try reader.readInt64()
        var heaps: [Heap<WindowTimer>] = []
        for _ in 0..<3 {
            let count = try reader.readCount(minimumBytes: 33)
            var items: [WindowTimer] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try reader.readTimer()) }
            heaps.append(Heap(items))
        }
        (timers, cleanups, processingTimers) = (heaps[0], heaps[1], heaps[2])
        var failure: (any Error)?
        try backend.forEach { key, bytes in
            guard failure == nil, key.hasPrefix("k/") else { return }
            var keyReader = BinaryReader(bytes)
            do {
                let state = try State(decoding: &keyReader)
                keysByOrdinal[state.ordinal] = state.key
                store.states[state.key] = state
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }
}

extension WatermarkTracker {
    mutating func restoreCombined(_ value: Int64) { storedCombined = value }
}
