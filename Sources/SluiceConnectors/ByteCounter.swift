import Synchronization

/// A count shared between the thread doing the work and one that reports progress. Lock-free.
public final class ByteCounter: Sendable {
    private let storage = Atomic<Int>(0)

    /// Creates a counter at zero.
    public init() {}

    /// Adds `amount`.
    public func add(_ amount: Int) { storage.add(amount, ordering: .relaxed) }

    /// Adds the bytes in `chunks`. Complexity: O(chunks).
    public func add(bytesIn chunks: ArraySlice<[UInt8]>) {
        var total = 0
        for chunk in chunks { total += chunk.count }
        add(total)
    }

    /// The current count.
    public var value: Int { storage.load(ordering: .relaxed) }
}
