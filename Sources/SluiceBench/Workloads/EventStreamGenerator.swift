import SluiceTestKit

/// Writes a seeded NDJSON stream of events, one JSON object per line, and computes what the macro pipeline
/// must find in it while writing it.
///
/// Each event looks like
/// `{"id":7,"ts":1700000000123,"key":"k0042","type":"click","payload":{"value":31,"ratio":0.75,"tags":["t3"],
/// "meta":{"region":"eu-west","ok":true,"note":null}}}`; notes sometimes hold escaped quotes and non-ASCII text,
/// keys are skewed (a few keys are hot), and about one event in ten is a `heartbeat`.
///
/// The same seed and size always give the same bytes. Generation streams: it fills a block of `blockSize`
/// bytes and hands it to the caller, so a 100 MB stream is never held in memory unless the caller keeps it.
/// The expectation (`EventStreamExpectation`) is computed from the generated values themselves, never by
/// parsing the bytes, so it is independent of the parsers under test.
public struct EventStreamGenerator: Sendable {
    /// The seed the stream is derived from.
    public let seed: UInt64
    /// How many distinct keys events are spread over.
    public let keyCount: Int
    /// Bytes handed to the writer at a time (the last block may be shorter).
    public let blockSize: Int

    /// The event types, in the order their weights are defined (`weight(ofType:)`).
    public static let types = ["click", "view", "purchase", "heartbeat"]
    /// The type the macro pipeline's filter drops.
    public static let droppedType = "heartbeat"

    /// Creates a generator. Precondition: `keyCount > 0`, `blockSize > 0`.
    public init(seed: UInt64, keyCount: Int = 1_000, blockSize: Int = 64 * 1024) {
        precondition(keyCount > 0, "keyCount must be positive")
        precondition(blockSize > 0, "blockSize must be positive")
        self.seed = seed
        self.keyCount = keyCount
        self.blockSize = blockSize
    }

    /// The weight the macro pipeline's transform multiplies an event's value by.
    public static func weight(ofType type: String) -> Int64 {
        switch type {
        case "click": 1
        case "view": 2
        case "purchase": 10
        default: 0
        }
    }

    /// Generates events until at least `targetBytes` bytes are written (whole lines only), handing the bytes to
    /// `write` a block at a time, and returns the expectation. O(targetBytes) time, O(blockSize + keys) memory.
    public func generate(
        targetBytes: Int, write: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows -> EventStreamExpectation {
        var random = SeededRandomNumberGenerator(seed: seed)
        var expectation = EventStreamExpectation()
        var block: [UInt8] = []
        block.reserveCapacity(blockSize + 1024)
        var written = 0
        var timestamp: Int64 = 1_700_000_000_000
        var id = 0
        while written < targetBytes {
            let start = block.count
            timestamp += Int64(random.next(upperBound: 50 as UInt64))
            let event = makeEvent(id: id, timestamp: timestamp, random: &random)
            Self.append(event, to: &block, random: &random)
            written += block.count - start
            expectation.add(event)
            id += 1
            if block.count >= blockSize {
                try block.withUnsafeBytes(write)
                block.removeAll(keepingCapacity: true)
            }
        }
        if !block.isEmpty { try block.withUnsafeBytes(write) }
        expectation.byteCount = written
        return expectation
    }

    /// Generates the stream into memory. O(targetBytes); holds the whole stream once.
    public func generateInMemory(targetBytes: Int) -> (bytes: [UInt8], expectation: EventStreamExpectation) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(targetBytes + 1024)
        let expectation = generate(targetBytes: targetBytes) { bytes.append(contentsOf: $0) }
        return (bytes, expectation)
    }

    private func makeEvent(id: Int, timestamp: Int64, random: inout SeededRandomNumberGenerator) -> GeneratedEvent {
        // Squaring a uniform draw skews keys towards the low ids: a few hot keys, a long tail.
        let uniform = Double(random.next() >> 11) / Double(1 << 53)
        let key = min(keyCount - 1, Int(uniform * uniform * Double(keyCount)))
        let typeDraw = random.next(upperBound: 100 as UInt64)
        let type: String =
            switch typeDraw {
            case 0..<50: "click"
            case 50..<82: "view"
            case 82..<90: "purchase"
            default: "heartbeat"
            }
        let value = Int64(random.next(upperBound: 10_000 as UInt64)) - 1_000
        return GeneratedEvent(id: id, timestamp: timestamp, key: Self.keyName(key), type: type, value: value)
    }

    /// The key string of key number `index`, e.g. `k0042`.
    static func keyName(_ index: Int) -> String {
        let digits = String(index)
        return "k" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static let regions = ["eu-west", "us-east", "ap-south", "sa-east"]
    private static let notes = [
        "ok", "retry after \\\"timeout\\\"", "caf\u{e9} cr\u{e8}me", "line\\nbreak", "\\u00e9t\\u00e9", "path\\/to\\/x",
    ]

    private static func append(
        _ event: GeneratedEvent, to block: inout [UInt8], random: inout SeededRandomNumberGenerator
    ) {
        block.append(contentsOf: "{\"id\":\(event.id),\"ts\":\(event.timestamp),\"key\":\"\(event.key)\"".utf8)
        block.append(contentsOf: ",\"type\":\"\(event.type)\",\"payload\":{\"value\":\(event.value)".utf8)
        let ratio = Double(random.next(upperBound: 1_000 as UInt64)) / 8
        block.append(contentsOf: ",\"ratio\":\(ratio),\"tags\":[".utf8)
        let tagCount = Int(random.next(upperBound: 4 as UInt64))
        for tag in 0..<tagCount {
            if tag > 0 { block.append(UInt8(ascii: ",")) }
            block.append(contentsOf: "\"t\(random.next(upperBound: 16 as UInt64))\"".utf8)
        }
        let region = regions[Int(random.next(upperBound: UInt64(regions.count)))]
        let isOK = random.next(upperBound: 8 as UInt64) != 0
        block.append(contentsOf: "],\"meta\":{\"region\":\"\(region)\",\"ok\":\(isOK),\"note\":".utf8)
        if random.next(upperBound: 3 as UInt64) == 0 {
            block.append(contentsOf: "\"\(notes[Int(random.next(upperBound: UInt64(notes.count)))])\"".utf8)
        } else {
            block.append(contentsOf: "null".utf8)
        }
        block.append(contentsOf: "}}}\n".utf8)
    }
}

/// One generated event's fields that the macro pipeline reads.
public struct GeneratedEvent: Sendable, Hashable {
    /// `id`: the event's position in the stream, from 0.
    public var id: Int
    /// `ts`: a timestamp in milliseconds, starting near 1_700_000_000_000; each event adds 0–49 to the previous one.
    public var timestamp: Int64
    /// `key`: `k` and the key number, zero-padded to 4 digits (e.g. `k0042`); low numbers are hot.
    public var key: String
    /// `type`: one of `EventStreamGenerator.types` (about 50 % click, 32 % view, 8 % purchase, 10 % heartbeat).
    public var type: String
    /// `payload.value`: uniform in -1000...8999, before the type's weight multiplies it.
    public var value: Int64
}

/// What the macro pipeline must produce for a generated stream, computed from the generated values.
public struct EventStreamExpectation: Sendable, Hashable {
    /// Events in the stream (lines).
    public var eventCount = 0
    /// Events the filter keeps (every type but `EventStreamGenerator.droppedType`).
    public var keptCount = 0
    /// Bytes in the stream.
    public var byteCount = 0
    /// For each key of a kept event: how many kept events and the sum of their weighted values.
    public var aggregates: [String: KeyTotals] = [:]

    /// Creates an empty expectation.
    public init() {}

    /// Counts one generated event. O(1) amortized.
    mutating func add(_ event: GeneratedEvent) {
        eventCount += 1
        guard event.type != EventStreamGenerator.droppedType else { return }
        keptCount += 1
        aggregates[event.key, default: KeyTotals()].add(event.value &* EventStreamGenerator.weight(ofType: event.type))
    }
}

/// The running totals of one key.
public struct KeyTotals: Sendable, Hashable {
    /// Events folded in.
    public var count = 0
    /// Sum of their weighted values (wrapping).
    public var sum: Int64 = 0

    /// Creates empty totals.
    public init() {}

    /// Folds in one weighted value.
    public mutating func add(_ weighted: Int64) {
        count += 1
        sum &+= weighted
    }
}
