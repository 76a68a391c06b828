#if canImport(Glibc)
import Glibc
#endif
import Sluice
import SluiceState

/// The crash a `ChaosSink` injects: it fails the engine run the way a dying process would end it.
struct InjectedCrash: Error, CustomStringConvertible {
    var afterRecords: Int
    var description: String { "injected crash after \(afterRecords) records" }
}

/// A checkpointed sink that misbehaves on schedule, for the concurrent chaos driver: it crashes (throws) after
/// `crashAfterRecords` records once it has closed two epochs, pauses every `slowEvery` records (a slow consumer),
/// and holds `pressureBytes` of touched memory from every `pressureEveryCheckpoints`-th barrier to the next.
/// Everything else goes to `base`. Confined to the engine's sink task, like any checkpointed sink.
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

    init(
        base: any CheckpointedSink, configuration: ConcurrentChaosConfiguration, crashes: Bool, clock: any MonotonicClock
    ) {
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
            ballast = [UInt8](repeating: UInt8(truncatingIfNeeded: checkpointID), count: pressureBytes)
        } else if !ballast.isEmpty {
            ballast = []
        }
        return try base.barrier(checkpointID)
    }

    func finish() throws {
        ballast = []
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
