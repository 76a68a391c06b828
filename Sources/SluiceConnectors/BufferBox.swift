import Synchronization

/// A byte buffer shared by a sink's calls; behind a `Mutex` so the sink can be `Sendable`.
final class BufferBox: Sendable {
    private let bytes = Mutex<[UInt8]>([])

    /// Appends and returns the buffered count.
    func append(_ chunk: UnsafeRawBufferPointer) -> Int {
        bytes.withLock { bytes in
            bytes.append(contentsOf: chunk)
            return bytes.count
        }
    }

    /// Takes everything buffered.
    func take() -> [UInt8] {
        bytes.withLock { bytes in
            defer { bytes.removeAll(keepingCapacity: true) }
            return bytes
        }
    }
}
