#if canImport(Glibc)
import Glibc
#endif
import Sluice
import SluiceState
import Synchronization

/// The crash a `ChaosSink` injects: it fails the engine run the way a dying process would end it.
struct InjectedCrash: Error, CustomStringConvertible {
    var afterRecords: Int
    var description: String { "injected crash after \(afterRecords) records" }
}

/// A checkpointed sink that misbehaves on schedule, for the concurrent chaos driver: it crashes (throws) after
/// `crashAfterRecords` records once it has closed two epochs, pauses every `slowEvery` records (a slow consumer),
/// and holds `pressureBytes` of touched memory from every `pressureEveryCheckpoints`-th barrier to the next (with a
/// `MemoryPressureLog`, memory is sampled before, at the peak of, and after each hold). Everything else goes to
/// `base`. Confined to the engine's sink task, like any checkpointed sink.
final class ChaosSink: CheckpointedSink {
    let base: any CheckpointedSink
    let crashAfterRecords: Int
    let slowEvery: Int
    let slowMicroseconds: UInt32
    let pressureEveryCheckpoints: UInt64
    let pressureBytes: Int
    private(set) var written = 0
    private(set) var barriers = 0
    private(set) var firstWriteAt: UInt64?
    private var ballast: [UInt8] = []
    private let clock: any MonotonicClock
    private let memory: MemoryPressureLog?

    init(
        base: any CheckpointedSink, configuration: ConcurrentChaosConfiguration, crashes: Bool, clock: any MonotonicClock,
        memory: MemoryPressureLog? = nil
    ) {
        self.memory = memory
        self.base = base
        crashAfterRecords = crashes ? configuration.crashAfterRecords : 0
        slowEvery = configuration.slowEvery
        slowMicroseconds = UInt32(configuration.slowMicroseconds)
        pressureEveryCheckpoints = UInt64(configuration.memoryPressureEveryCheckpoints)
        pressureBytes = configuration.memoryPressureBytes
        self.clock = clock
    }

    var deliveryGuarantee: DeliveryGuarantee { base.deliveryGuarantee }

    func recover(restoredCheckpointID: UInt64?, nextCheckpointID: UInt64) throws -> [String] {
        try base.recover(restoredCheckpointID: restoredCheckpointID, nextCheckpointID: nextCheckpointID)
    }

    func write(_ record: UnsafeRawBufferPointer) throws {
        if firstWriteAt == nil { firstWriteAt = clock.nowNanoseconds() }
        if crashAfterRecords > 0 && written >= crashAfterRecords && barriers >= 2 {
            throw InjectedCrash(afterRecords: written)
        }
        try base.write(record)
        written += 1
        if slowEvery > 0 && written % slowEvery == 0 { usleep(slowMicroseconds) }
    }

    func barrier(_ checkpointID: UInt64) throws -> SinkEpochCommit {
        barriers += 1
        if pressureEveryCheckpoints > 0 && checkpointID % pressureEveryCheckpoints == 0 {
            releaseBallast()
            let before = memory?.probe.sample()
            // A non-zero fill touches every page, so the hold is resident.
            ballast = [UInt8](repeating: UInt8(truncatingIfNeeded: checkpointID) | 1, count: pressureBytes)
            if let memory, let before { memory.began(before: before, peak: memory.probe.sample()) }
        } else {
            releaseBallast()
        }
        return try base.barrier(checkpointID)
    }

    private func releaseBallast() {
        guard !ballast.isEmpty else { return }
        ballast = []
        if let memory { memory.ended(after: memory.probe.sample()) }
    }

    func finish() throws {
        releaseBallast()
        try base.finish()
    }
}

/// The supervised stage of the chaos pipeline: passes records and barriers, throws on a poison record (one that
/// carries `"poison":true`), which makes its partition fail and restart.
struct ChaosValidator: StageOperator {
    struct PoisonRecord: Error, CustomStringConvertible {
        var sequence: UInt64
        var description: String { "poison record \(sequence)" }
    }

    static let marker = Array("\"poison\":true".utf8)

    var isPure: Bool { false }

    mutating func process(_ input: StreamElement<SourceRecord>, emit: (StreamElement<SourceRecord>) -> Void) throws {
        if case .record(let record) = input, Self.isPoison(record.bytes) { throw PoisonRecord(sequence: record.sequence) }
        emit(input)
    }

    static func isPoison(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= marker.count else { return false }
        var index = bytes.startIndex
        while index <= bytes.endIndex - marker.count {
            if bytes[index] == marker[0] && bytes[index..<index + marker.count].elementsEqual(marker) { return true }
            index += 1
        }
        return false
    }

    /// Records by a stable hash of their bytes; barriers to partition 0.
    static func partition(_ element: StreamElement<SourceRecord>) -> Int {
        guard case .record(let record) = element else { return 0 }
        return Int(truncatingIfNeeded: record.bytes.withUnsafeBytes { StableKeyHasher.hash($0) } & 0x7FFF_FFFF)
    }
}

/// The memory readings around each hold of a `ChaosSink`: before it, at its peak, and after it was released. A hold
/// that a crash ends (the sink is dropped, not released) is not counted.
final class MemoryPressureLog: Sendable {
    struct Hold: Sendable {
        var before: MemoryProbe.Sample
        var peak: MemoryProbe.Sample
        var after: MemoryProbe.Sample
    }

    let probe: MemoryProbe
    private let state = Mutex<(open: (MemoryProbe.Sample, MemoryProbe.Sample)?, holds: [Hold])>((nil, []))

    init(probe: MemoryProbe) { self.probe = probe }

    func began(before: MemoryProbe.Sample, peak: MemoryProbe.Sample) { state.withLock { $0.open = (before, peak) } }

    func ended(after: MemoryProbe.Sample) {
        state.withLock { state in
            guard let (before, peak) = state.open else { return }
            state.holds.append(Hold(before: before, peak: peak, after: after))
            state.open = nil
        }
    }

    var holds: [Hold] { state.withLock { $0.holds } }

    /// The mean share of each hold's memory that came back after it, (peak − after) / (peak − before), clamped to
    /// 0…1, over the holds where `field` was measured and grew; nil when there is none.
    func returnedFraction(_ field: KeyPath<MemoryProbe.Sample, Double?>) -> Double? {
        var fractions: [Double] = []
        for hold in holds {
            guard let before = hold.before[keyPath: field], let peak = hold.peak[keyPath: field],
                let after = hold.after[keyPath: field], peak > before
            else { continue }
            fractions.append(min(1, max(0, (peak - after) / (peak - before))))
        }
        return fractions.isEmpty ? nil : fractions.reduce(0, +) / Double(fractions.count)
    }
}
