import Dispatch
import Sluice
import SluiceConnectors
import SluiceJSON

/// The last stage of every manifest pipeline: writes each record's value as one compact JSON line, through one
/// reused buffer, to a `RecordOutput`. Counts records in `written`.
struct RecordSink: PipelineSink {
    let output: RecordOutput
    let written: ByteCounter
    private var line: [UInt8] = []
    private var key: [UInt8] = []

    init(output: RecordOutput, written: ByteCounter) {
        self.output = output
        self.written = written
        line.reserveCapacity(64 << 10)
    }

    mutating func consume(_ batch: [ManifestRecord]) throws {
        // Numbers past Double's range (a parsed `1e400`, an overflowing sum) are written as jq writes them.
        let serializer = JSONSerializer(nonFiniteNumbers: .asJQWrites)
        line.removeAll(keepingCapacity: true)
        if output.wantsRecords {
            let wantsKeys = output.wantsKeys
            for record in batch {
                line.removeAll(keepingCapacity: true)
                try serializer.write(record.value, into: &line)
                var recordKey: [UInt8]? = nil
                if wantsKeys, let value = record.key {
                    key.removeAll(keepingCapacity: true)
                    try serializer.write(value, into: &key)
                    recordKey = key
                }
                try line.withUnsafeBytes { try output.writeRecord($0, key: recordKey, inputOffset: record.offset) }
            }
        } else {
            for record in batch {
                try serializer.write(record.value, into: &line)
                line.append(UInt8(ascii: "\n"))
            }
            try line.withUnsafeBytes { try output.writeLines($0) }
        }
        written.add(batch.count)
        try output.didWrite(count: batch.count, lastEnd: batch.last?.end ?? 0)
    }

    mutating func finish() throws {
        try output.flush()
    }

    /// Like `consume`; when the output blocks on a server (a Redis sink, or acknowledgements to a Redis source),
    /// the batch is written on the output's dispatch queue while this task is suspended, so the wait never holds
    /// one of the concurrency pool's few threads.
    mutating func consumeAsync(_ batch: [ManifestRecord]) async throws {
        guard let queue = output.blockingQueue else { return try consume(batch) }
        let box = SinkBox(self)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                do {
                    try box.sink.consume(batch)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        self = box.sink
    }
}

/// A sink moved to the output's queue for one batch and back: used by one job at a time, and read back only after
/// the job resumed the waiting task, hence `@unchecked Sendable`.
private final class SinkBox: @unchecked Sendable {
    var sink: RecordSink
    init(_ sink: RecordSink) { self.sink = sink }
}
