/// A running count and sum, the state `KeyedSumStage` keeps per key.
public struct KeyedSum: StateCodable, Equatable {
    /// Records seen for the key.
    public var count: Int64
    /// The sum of their values.
    public var sum: Int64

    /// Creates an aggregate.
    public init(count: Int64, sum: Int64) {
        self.count = count
        self.sum = sum
    }

    /// Appends `count`, then `sum`, each 8 bytes little-endian.
    public func encode(into writer: inout BinaryWriter) {
        writer.write(count)
        writer.write(sum)
    }

    /// Reads `count`, then `sum` (8 bytes each); throws when fewer bytes are left.
    public init(decoding reader: inout BinaryReader) throws {
        count = try reader.readInt64()
        sum = try reader.readInt64()
    }

    /// Always 16 (two `Int64`s).
    public var encodedByteCount: Int { 16 }
}

/// The reference keyed stage of the crash worker, the tests and the state benchmarks: reads
/// `{"seq":N,"key":"K","value":V}` lines (a fixed field order, scanned without a JSON parser), adds V to K's
/// running `KeyedSum`, and emits `{"seq":S,"key":"K","count":C,"sum":T}` where S is the source sequence.
/// A line without a string `key` or an integer `value` is an error naming its sequence number.
public final class KeyedSumStage: KeyedStateStage {
    /// The stage's name (default `aggregate`); checkpoints store its state under it.
    public let name: String
    /// Each key's running `KeyedSum`, keyed by the record's `key` string.
    public let state: any StateBackend<KeyedSum>
    private var line: [UInt8] = []

    /// Creates the stage over `state`.
    public init(name: String = "aggregate", state: any StateBackend<KeyedSum>) {
        self.name = name
        self.state = state
        line.reserveCapacity(128)
    }

    /// Adds the record's `value` to its key's `KeyedSum` in `state` and emits the output line; throws
    /// `StateError` `invalidRecord` when the record has no string `key` or integer `value`.
    public func process(_ record: SourceRecord, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let (key, value) = Self.parse(record.bytes) else {
            throw StateError(
                code: .invalidRecord, message: "record \(record.sequence) has no string \"key\" and integer \"value\"")
        }
        var aggregate = try state.value(forKey: key) ?? KeyedSum(count: 0, sum: 0)
        aggregate.count += 1
        aggregate.sum += value
        try state.setValue(aggregate, forKey: key)
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: "{\"seq\":\(record.sequence),\"key\":\"".utf8)
        line.append(contentsOf: key.utf8)
        line.append(contentsOf: "\",\"count\":\(aggregate.count),\"sum\":\(aggregate.sum)}".utf8)
        try line.withUnsafeBytes { try emit($0) }
    }

    private static let keyMarker = Array("\"key\":\"".utf8)
    private static let valueMarker = Array("\"value\":".utf8)

    static func find(_ marker: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= marker.count else { return nil }
        var index = bytes.startIndex
        while index <= bytes.endIndex - marker.count {
            if bytes[index] == marker[0] && bytes[index..<index + marker.count].elementsEqual(marker) {
                return index + marker.count
            }
            index += 1
        }
        return nil
    }

    static func parse(_ bytes: ArraySlice<UInt8>) -> (String, Int64)? {
        guard let keyStart = find(keyMarker, in: bytes),
            let keyEnd = bytes[keyStart...].firstIndex(of: UInt8(ascii: "\"")),
            let valueStart = find(valueMarker, in: bytes)
        else { return nil }
        var index = valueStart
        var negative = false
        if index < bytes.endIndex && bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var value: Int64 = 0
        var digits = 0
        while index < bytes.endIndex, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int64(bytes[index] - UInt8(ascii: "0"))
            index += 1
            digits += 1
        }
        guard digits > 0, let key = String(validating: bytes[keyStart..<keyEnd], as: UTF8.self) else { return nil }
        return (key, negative ? -value : value)
    }

    /// The `seq` values of the stage's output lines in `output` (NDJSON), in order; lines without one are
    /// skipped. O(output).
    public static func outputSequences(in output: [UInt8]) -> [UInt64] {
        output.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
                let comma = line[colon...].firstIndex(of: UInt8(ascii: ","))
            else { return nil }
            return UInt64(String(decoding: line[(colon + 1)..<comma], as: UTF8.self))
        }
    }
}
