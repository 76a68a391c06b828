import Synchronization
import HeapModule
import Sluice

/// The window stage's logic, shared by the engine stage (`WindowOperator`) and the checkpointed stage
/// (`WindowedKeyedStage`): assigns elements to windows, aggregates them (sliced or per window), runs the
/// trigger, handles late elements and the late event guard, and fires windows as the watermark advances.
///
/// Confined to one thread at a time (the stage's), and so is its keyed state (`WindowStore`, one shard: see
/// there why it has no lock).
@usableFromInline struct WindowCore<Key: Hashable & Sendable, Accumulator: WindowAccumulator, Trigger: WindowTrigger>: Sendable {
    @usableFromInline typealias Element = Accumulator.Input
    @usableFromInline typealias Partial = Accumulator.Partial
    @usableFromInline typealias State = KeyWindowState<Key, Partial>
    @usableFromInline typealias Result = WindowResult<Key, Accumulator.Output>

    @usableFromInline let name: String
    @usableFromInline let assigner: WindowAssigner
    @usableFromInline let trigger: Trigger
    @usableFromInline let accumulator: Accumulator
    @usableFromInline let keyOf: @Sendable (Element) -> Key
    @usableFromInline let configuration: WindowConfiguration<Element>
    @usableFromInline let store: WindowStore<Key, Partial>
    /// This stage's shard of a partitioned window stage (0 for an unpartitioned one): its slot in the counters.
    @usableFromInline let shard: Int

    // Derived geometry of aligned assigners (global and count windows are one slice, one window).
    @usableFromInline let isSession: Bool
    @usableFromInline let isGlobal: Bool
    @usableFromInline let size: Int64
    @usableFromInline let slide: Int64
    @usableFromInline let offset: Int64
    @usableFromInline let sliceLength: Int64
    @usableFromInline let isSliced: Bool
    @usableFromInline let usesRunningPartial: Bool
    /// The most windows one element can open.
    @usableFromInline let windowsPerElement: Int64

    @usableFromInline var watermark = Int64.min
    @usableFromInline var watermarkCreatedAt: UInt64 = 0
    @usableFromInline var tracker: WatermarkTracker
    @usableFromInline var timers = Heap<WindowTimer>()
    @usableFromInline var cleanups = Heap<WindowTimer>()
    @usableFromInline var processingTimers = Heap<WindowTimer>()
    @usableFromInline var keysByOrdinal: [Int: Key] = [:]
    @usableFromInline var nextOrdinal = 0
    @usableFromInline var liveWindows: Int64 = 0
    @usableFromInline var liveWindowsMax: Int64 = 0
    @usableFromInline var stateBytes: Int64 = 0
    @usableFromInline var stateBytesMax: Int64 = 0
    @usableFromInline var deltas = [Int64](repeating: 0, count: WindowCounters.Field.allCases.count)
    @usableFromInline var pending: [Result] = []
    /// Processing time (ms) each merged watermark input last sent a watermark; empty until the first input
    /// (`WindowConfiguration.idleInputTimeout`).
    @usableFromInline var inputHeardAt: [Int64] = []
    /// Late elements refused while processing one input, with the reason, for the late policy.
    @usableFromInline var refused: LateElement<Element>.Reason?

    @inlinable static var partialBytes: Int64 { Int64(MemoryLayout<Partial>.stride) }
    @inlinable static var slotBytes: Int64 { Int64(MemoryLayout<State.Slot>.stride) }
    @inlinable static var sessionBytes: Int64 { Int64(MemoryLayout<State.Session>.stride) }
    @inlinable static var keyBytes: Int64 { Int64(MemoryLayout<State>.stride) }

    @inlinable init(
        name: String, assigner: WindowAssigner, trigger: Trigger, accumulator: Accumulator,
        key: @escaping @Sendable (Element) -> Key, configuration: WindowConfiguration<Element>, shard: Int = 0
    ) {
        self.name = name
        self.shard = shard
        self.assigner = assigner
        self.trigger = trigger
        self.accumulator = accumulator
        keyOf = key
        self.configuration = configuration
        store = WindowStore()
        tracker = WatermarkTracker(inputs: configuration.watermarkInputs)
        switch assigner.kind {
        case .aligned(let size, let slide, let offset):
            (isSession, isGlobal) = (false, false)
            (self.size, self.slide, self.offset) = (size, slide, offset)
            sliceLength = Int64.gcd(size, slide)
        case .session(let gap):
            (isSession, isGlobal) = (true, false)
            (self.size, slide, offset, sliceLength) = (gap, 1, 0, 1)
        case .global, .count:
            (isSession, isGlobal) = (false, true)
            (size, slide, offset, sliceLength) = (1, 1, 0, 1)
        }
        isSliced = configuration.strategy == .sliced && !isSession
        usesRunningPartial = isSliced && !isGlobal && size != slide && accumulator.canRetract
        windowsPerElement = isSession || isGlobal ? 1 : (size + slide - 1) / slide
    }

    // MARK: Geometry

    @inline(__always)
    @inlinable func cleanupTime(_ window: TimeWindow) -> Int64 {
        let (sum, overflow) = window.maxTimestamp.addingReportingOverflow(configuration.allowedLateness)
        return overflow ? Int64.max : sum
    }

    @inline(__always)
    @inlinable func window(startingAt start: Int64) -> TimeWindow {
        isGlobal ? .global : TimeWindow(start: start, end: start + size)
    }

    @inline(__always)
    @inlinable func sliceIndex(_ timestamp: Int64) -> Int64 {
        isGlobal ? 0 : WindowAssigner.floor(timestamp - offset, to: sliceLength) / sliceLength
    }

    /// The first and last window start containing `timestamp` (aligned assigners).
    @inline(__always)
    @inlinable func startRange(_ timestamp: Int64) -> (first: Int64, last: Int64) {
        if isGlobal { return (TimeWindow.global.start, TimeWindow.global.start) }
        let last = WindowAssigner.floor(timestamp - offset, to: slide) + offset
        let first = last - ((size - 1 - (timestamp - last)) / slide) * slide
        return (first, last)
    }

    @inline(__always)
    @inlinable func processingTime() -> Int64 { Int64(configuration.clock.nowNanoseconds() / 1_000_000) }

    @inlinable mutating func count(_ field: WindowCounters.Field, _ amount: Int64 = 1) { deltas[field.rawValue] += amount }

    @inlinable mutating func addBytes(_ amount: Int64) {
        stateBytes += amount
        if stateBytes > stateBytesMax { stateBytesMax = stateBytes }
    }

    @inlinable mutating func addWindows(_ amount: Int64) {
        liveWindows += amount
        if liveWindows > liveWindowsMax { liveWindowsMax = liveWindows }
    }

    /// Publishes local counts to `configuration.counters`.
    @inlinable mutating func flushCounters() {
        configuration.counters.flush(
            &deltas, shard: shard, liveWindows: liveWindows, liveWindowsMax: liveWindowsMax, stateSizeBytes: stateBytes,
            stateSizeBytesMax: stateBytesMax)
    }

    // MARK: Input

    /// Processes one input; results go to `emit` in firing order. Throws `LateElementError` for a refused
    /// element under the dead-letter policy (after everything else the input caused has been emitted).
    @inlinable mutating func process(_ input: EventTimeElement<Element>, emit: (Result) -> Void) throws {
        switch input {
        case .element(let element, let timestamp):
            if !processingTimers.isEmpty { fireProcessingTimers(now: processingTime()) }
            refused = nil
            enforceCap(incoming: windowsPerElement)
            if isSession {
                addSession(element, timestamp: timestamp)
            } else {
                addAligned(element, timestamp: timestamp)
            }
            let isAdvanced = checkIdleInputs(watermarkFrom: nil)
            drain(emit)
            if isAdvanced { flushCounters() }
            if let reason = refused { try refuse(element, timestamp: timestamp, reason: reason) }
        case .watermark(let mark):
            if mark.isIdle {
                tracker.markIdle(input: mark.input)
            } else {
                tracker.update(input: mark.input, timestamp: mark.timestamp)
            }
            if !processingTimers.isEmpty { fireProcessingTimers(now: processingTime()) }
            if tracker.combined > watermark {
                watermarkCreatedAt = mark.createdAtNanoseconds
                advanceWatermark(to: tracker.combined)
            }
            _ = checkIdleInputs(watermarkFrom: mark.isIdle ? nil : mark.input)
            drain(emit)
            flushCounters()
        }
    }

    /// The idle timeout where streams merge: notes that `input` sent a watermark, marks idle every other input
    /// silent for `idleInputTimeout` ms, and moves the watermark if that released it. Returns whether it moved.
    /// O(inputs); nothing without a timeout or with one input.
    @inlinable mutating func checkIdleInputs(watermarkFrom input: Int?) -> Bool {
        guard let timeout = configuration.idleInputTimeout, tracker.inputCount > 1 else { return false }
        let now = processingTime()
        // Every input's clock starts at the stage's first input: one that has not reported gets the full timeout.
        if inputHeardAt.isEmpty { inputHeardAt = Array(repeating: now, count: tracker.inputCount) }
        if let input { inputHeardAt[input] = now }
        for other in inputHeardAt.indices where other != input && !tracker.isIdle(input: other) {
            if now - inputHeardAt[other] >= timeout {
                tracker.markIdle(input: other)
                count(.idleInputs)
            }
        }
        guard tracker.combined > watermark else { return false }
        watermarkCreatedAt = configuration.clock.nowNanoseconds()
        advanceWatermark(to: tracker.combined)
        return true
    }

    /// End of input: the watermark moves to the end of time, so every window fires (as its trigger says) and
    /// all state is cleaned up.
    @inlinable mutating func finish(emit: (Result) -> Void) {
        if !processingTimers.isEmpty { fireProcessingTimers(now: processingTime()) }
        watermarkCreatedAt = configuration.clock.nowNanoseconds()
        advanceWatermark(to: Int64.max)
        drain(emit)
        flushCounters()
    }

    @inlinable mutating func drain(_ emit: (Result) -> Void) {
        guard !pending.isEmpty else { return }
        for result in pending { emit(result) }
        count(.firings, Int64(pending.count))
        pending.removeAll(keepingCapacity: true)
    }

    @inlinable mutating func refuse(_ element: Element, timestamp: Int64, reason: LateElement<Element>.Reason) throws {
        if reason == .windowCapReached { count(.rejectedByGuard) }
        switch configuration.latePolicy.kind {
        case .drop:
            count(.lateDropped)
        case .sideOutput(let output):
            count(.lateSideOutput)
            output(LateElement(element: element, timestamp: timestamp, watermark: watermark, reason: reason))
        case .deadLetter:
            count(.lateDeadLettered)
            let code: LateElementError.Code = reason == .windowCapReached ? .windowCapReached : .beyondAllowedLateness
            let why =
                reason == .windowCapReached
                ? "its window would exceed the cap of \(configuration.maxWindows ?? 0) windows"
                : "the watermark \(watermark) is past its last window's end plus the allowed lateness of \(configuration.allowedLateness) ms"
            throw LateElementError(
                code: code, message: "window stage \(name): element at event time \(timestamp) refused: \(why)")
        }
    }

    // MARK: Key access

    /// Runs `body` on `key`'s state, creating the state when `create` is true. Returns nil when the key has no
    /// state and `create` is false. Removes the state when `body` leaves it empty.
    @inlinable mutating func withState<R>(
        _ key: Key, create: Bool, _ body: (inout Self, inout State) -> R
    ) -> R? {
        let store = store
        var index = store.states.index(forKey: key)
        if index == nil {
            guard create else { return nil }
            let ordinal = nextOrdinal
            nextOrdinal += 1
            keysByOrdinal[ordinal] = key
            addBytes(Self.keyBytes)
            store.states[key] = State(key: key, ordinal: ordinal)
            index = store.states.index(forKey: key)
        }
        // The index was found or just created above.
        guard let index else { return nil }
        let result = body(&self, &store.states.values[index])
        if store.states.values[index].isEmpty {
            keysByOrdinal[store.states.values[index].ordinal] = nil
            store.states.remove(at: index)
            addBytes(-Self.keyBytes)
        }
        return result
    }
}
